package consoletree

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Node is one span of a [Tree] with its children.
type Node struct {
	Span sdktrace.ReadOnlySpan
	// Parent is nil for a root.
	Parent *Node
	// Children are ordered by start time, then name, then span ID.
	Children []*Node
}

// Tree is spans arranged by parent. A span whose parent is not among the
// spans (the root of its trace, or a span whose parent was not exported)
// is a root.
type Tree struct {
	// Roots are ordered as children are.
	Roots []*Node
}

type spanKey struct {
	trace trace.TraceID
	span  trace.SpanID
}

// Build arranges spans into a tree. Spans are matched to their parent by
// trace ID and span ID; a span given twice appears once.
func Build(spans []sdktrace.ReadOnlySpan) *Tree {
	nodes := make(map[spanKey]*Node, len(spans))
	order := make([]*Node, 0, len(spans))
	for _, s := range spans {
		sc := s.SpanContext()
		k := spanKey{sc.TraceID(), sc.SpanID()}
		if _, dup := nodes[k]; dup {
			continue
		}
		n := &Node{Span: s}
		nodes[k] = n
		order = append(order, n)
	}
	t := &Tree{}
	for _, n := range order {
		p := n.Span.Parent()
		parent := nodes[spanKey{p.TraceID(), p.SpanID()}]
		if !p.IsValid() || parent == nil || parent == n {
			t.Roots = append(t.Roots, n)
			continue
		}
		n.Parent = parent
		parent.Children = append(parent.Children, n)
	}
	sortNodes(t.Roots)
	for _, n := range order {
		sortNodes(n.Children)
	}
	return t
}

func sortNodes(ns []*Node) {
	slices.SortFunc(ns, func(a, b *Node) int {
		as, bs := a.Span.SpanContext().SpanID(), b.Span.SpanContext().SpanID()
		return cmp.Or(
			a.Span.StartTime().Compare(b.Span.StartTime()),
			strings.Compare(a.Span.Name(), b.Span.Name()),
			bytes.Compare(as[:], bs[:]),
		)
	})
}

// Find returns the first node, depth first in the order of the roots and
// children, for which match returns true, or nil.
func (t *Tree) Find(match func(*Node) bool) *Node {
	for _, r := range t.Roots {
		if n := r.Find(match); n != nil {
			return n
		}
	}
	return nil
}

// Find returns the first node of n's subtree (n included), depth first,
// for which match returns true, or nil.
func (n *Node) Find(match func(*Node) bool) *Node {
	if match(n) {
		return n
	}
	for _, c := range n.Children {
		if f := c.Find(match); f != nil {
			return f
		}
	}
	return nil
}

// Named returns a match function for [Tree.Find] and [Node.Find] that
// matches the spans called name.
func Named(name string) func(*Node) bool {
	return func(n *Node) bool { return n.Span.Name() == name }
}

// Has reports whether n's subtree (n included) has a node that match
// returns true for.
func (n *Node) Has(match func(*Node) bool) bool { return n.Find(match) != nil }

// Len returns the number of nodes of n's subtree, n included.
func (n *Node) Len() int {
	total := 1
	for _, c := range n.Children {
		total += c.Len()
	}
	return total
}
