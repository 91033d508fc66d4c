package consoletree

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// Option configures [Write]. Options are created by the functions of this
// package; a nil Option is ignored.
type Option interface{ apply(*printer) }

type optionFunc func(*printer)

func (f optionFunc) apply(p *printer) { f(p) }

// ShowChildren sets which children are printed: a child for which show
// returns false is left out with its subtree, and each parent's left-out
// children are summed up in one last line per parent, by span name, such
// as "… 998 more migrate User (3 Error)". By default every child is
// printed. A nil function keeps the default.
func ShowChildren(show func(child *Node) bool) Option {
	return optionFunc(func(p *printer) {
		if show != nil {
			p.show = show
		}
	})
}

// HideAttributes leaves the attributes with these keys out of the lines
// (an attribute that the span name already says, say). Several
// HideAttributes add up.
func HideAttributes(keys ...string) Option {
	keys = slices.Clone(keys)
	return optionFunc(func(p *printer) {
		for _, k := range keys {
			p.hide[attribute.Key(k)] = true
		}
	})
}

// Color says whether to color the output with ANSI escape codes (for a
// terminal): errors in red, durations in cyan, attributes dimmed. Off by
// default.
func Color(on bool) Option {
	return optionFunc(func(p *printer) { p.color = on })
}

// ANSI escape codes.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiCyan  = "\x1b[36m"
)

// Tree guides.
const (
	guideMid  = "├─ "
	guideLast = "└─ "
	guideBar  = "│  "
	guideNone = "   "
)

// maxNameColumn caps the column where durations start, so that one deep,
// long name does not push every line to the right.
const maxNameColumn = 56

type printer struct {
	show  func(*Node) bool
	hide  map[attribute.Key]bool
	color bool
	lines []line
}

// line is one printed line before alignment.
type line struct {
	prefix string // tree guides
	name   string
	rest   func(b *strings.Builder) // duration, status and attributes; nil for a summary
}

// Write prints n and its subtree, one line per span: the span's name,
// duration, status (when it is Error, with its message) and attributes,
// sorted by key. Children are indented under their parent with tree
// guides, in start-time order.
func Write(w io.Writer, n *Node, opts ...Option) error {
	p := &printer{show: func(*Node) bool { return true }, hide: map[attribute.Key]bool{}}
	for _, o := range opts {
		if o != nil {
			o.apply(p)
		}
	}
	if n == nil {
		return nil
	}
	p.node(n, "", "")
	col := 0
	for _, l := range p.lines {
		col = max(col, width(l.prefix)+width(l.name))
	}
	col = min(col, maxNameColumn)
	var b strings.Builder
	for _, l := range p.lines {
		b.WriteString(p.paint(ansiDim, l.prefix))
		if l.rest == nil {
			b.WriteString(p.paint(ansiDim, l.name))
			b.WriteByte('\n')
			continue
		}
		b.WriteString(p.paint(ansiBold, l.name))
		b.WriteString(strings.Repeat(" ", max(col-width(l.prefix)-width(l.name), 0)))
		l.rest(&b)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// node adds the lines of n's subtree: first is the guide before n's own
// name, indent the guides of its ancestors.
func (p *printer) node(n *Node, indent, first string) {
	p.lines = append(p.lines, line{prefix: indent + first, name: n.Span.Name(), rest: func(b *strings.Builder) { p.details(b, n) }})
	var shown []*Node
	type hidden struct {
		name        string
		count, errs int
	}
	var left []hidden
	for _, c := range n.Children {
		if p.show(c) {
			shown = append(shown, c)
			continue
		}
		i := slices.IndexFunc(left, func(h hidden) bool { return h.name == c.Span.Name() })
		if i < 0 {
			left = append(left, hidden{name: c.Span.Name()})
			i = len(left) - 1
		}
		left[i].count++
		if c.Span.Status().Code == codes.Error {
			left[i].errs++
		}
	}
	switch first {
	case guideMid:
		indent += guideBar
	case guideLast:
		indent += guideNone
	}
	for i, c := range shown {
		g := guideMid
		if i == len(shown)-1 && len(left) == 0 {
			g = guideLast
		}
		p.node(c, indent, g)
	}
	if len(left) > 0 {
		parts := make([]string, len(left))
		for i, h := range left {
			parts[i] = fmt.Sprintf("%d more %s", h.count, h.name)
			if h.errs > 0 {
				parts[i] += fmt.Sprintf(" (%d Error)", h.errs)
			}
		}
		p.lines = append(p.lines, line{prefix: indent + guideLast, name: "… " + strings.Join(parts, ", ")})
	}
}

// details writes the duration, the status and the attributes of n.
func (p *printer) details(b *strings.Builder, n *Node) {
	s := n.Span
	d := "-"
	if end := s.EndTime(); !end.IsZero() {
		d = Duration(end.Sub(s.StartTime()))
	}
	b.WriteString("  ")
	b.WriteString(strings.Repeat(" ", max(8-width(d), 0)))
	b.WriteString(p.paint(ansiCyan, d))
	if st := s.Status(); st.Code == codes.Error {
		msg := "ERROR"
		if st.Description != "" {
			msg += " " + strconv.Quote(st.Description)
		}
		b.WriteString("  ")
		b.WriteString(p.paint(ansiRed, msg))
	}
	attrs := slices.Clone(s.Attributes())
	slices.SortStableFunc(attrs, func(a, b attribute.KeyValue) int { return cmp.Compare(a.Key, b.Key) })
	parts := make([]string, 0, len(attrs))
	for _, kv := range attrs {
		if !p.hide[kv.Key] {
			parts = append(parts, string(kv.Key)+"="+value(kv.Value))
		}
	}
	if len(parts) > 0 {
		b.WriteString("  ")
		b.WriteString(p.paint(ansiDim, strings.Join(parts, " ")))
	}
}

// value formats an attribute value: strings quoted when they hold a space
// or a quote (or are empty), everything else as OpenTelemetry emits it.
func value(v attribute.Value) string {
	s := v.Emit()
	if v.Type() == attribute.STRING && (s == "" || strings.ContainsAny(s, " \t\n\"=")) {
		return strconv.Quote(s)
	}
	return s
}

func (p *printer) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func width(s string) int { return utf8.RuneCountInString(s) }

// Duration formats d with three significant digits, such as "41.2µs" or
// "1.21s".
func Duration(d time.Duration) string {
	unit := time.Duration(1)
	for x := d; x >= 1000 || x <= -1000; x /= 10 {
		unit *= 10
	}
	return d.Round(unit).String()
}
