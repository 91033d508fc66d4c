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

// Attributes sets the attributes printed, by key, in this order (an
// attribute the span does not have is skipped). By default every
// attribute is printed, sorted by key.
func Attributes(keys ...string) Option {
	keys = slices.Clone(keys)
	return optionFunc(func(p *printer) { p.keys = keys })
}

// TrimKeyPrefix prints the attribute keys that start with prefix without
// it ("migration.version.to" as "version.to" with prefix "migration.").
func TrimKeyPrefix(prefix string) Option {
	return optionFunc(func(p *printer) { p.trim = prefix })
}

// Width sets the width the lines should fit in, in columns: the
// attributes that do not fit on a span's line go on the next lines, under
// the first attribute, and status messages are wrapped between words. A
// single word longer than the room left is not cut. By default (and for
// n ≤ 0) lines are not wrapped.
func Width(n int) Option {
	return optionFunc(func(p *printer) { p.width = max(n, 0) })
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

// durationWidth is the width durations are right-aligned in.
const durationWidth = 8

type printer struct {
	show  func(*Node) bool
	keys  []string // nil: all
	trim  string
	width int // 0: no wrapping
	color bool
	lines []line
}

// line is one line (or, wrapped, a few) of the output.
type line struct {
	kind lineKind
	// prefix is the tree guides before the text; cont those of the lines
	// it wraps onto.
	prefix, cont string
	text         string // the span's name, a status message or a summary
	node         *Node  // for a span line
}

type lineKind uint8

const (
	spanLine    lineKind = iota
	messageLine          // a span's status message
	summaryLine          // the children left out
)

// Write prints n and its subtree, one line per span: the span's name, its
// duration, "ERROR" when its status is Error, and its attributes (all of
// them, sorted by key, unless [Attributes] says otherwise). The status
// message of an Error follows on a line of its own, unless it is the same
// as the parent's. Children are indented under their parent with tree
// guides, in start-time order.
func Write(w io.Writer, n *Node, opts ...Option) error {
	p := &printer{show: func(*Node) bool { return true }}
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
		if l.kind == spanLine {
			col = max(col, width(l.prefix)+width(l.text))
		}
	}
	col = min(col, maxNameColumn)
	var b strings.Builder
	for _, l := range p.lines {
		switch l.kind {
		case spanLine:
			p.spanLine(&b, l, col)
		case messageLine:
			p.wrapWords(&b, l, ansiRed)
		case summaryLine:
			p.wrapWords(&b, l, ansiDim)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// node adds the lines of n's subtree: first is the guide before n's own
// name, indent the guides of its ancestors.
func (p *printer) node(n *Node, indent, first string) {
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

	// The guides under n: a bar down to its children, if it has any.
	under := indent
	switch first {
	case guideMid:
		under += guideBar
	case guideLast:
		under += guideNone
	}
	below := under + guideNone
	if len(shown) > 0 || len(left) > 0 {
		below = under + guideBar
	}
	p.lines = append(p.lines, line{kind: spanLine, prefix: indent + first, cont: below, text: n.Span.Name(), node: n})
	if msg := message(n); msg != "" {
		p.lines = append(p.lines, line{kind: messageLine, prefix: below, cont: below, text: msg})
	}
	for i, c := range shown {
		g := guideMid
		if i == len(shown)-1 && len(left) == 0 {
			g = guideLast
		}
		p.node(c, under, g)
	}
	if len(left) > 0 {
		parts := make([]string, len(left))
		for i, h := range left {
			parts[i] = fmt.Sprintf("%d more %s", h.count, h.name)
			if h.errs > 0 {
				parts[i] += fmt.Sprintf(" (%d Error)", h.errs)
			}
		}
		p.lines = append(p.lines, line{kind: summaryLine, prefix: under + guideLast, cont: under + guideNone, text: "… " + strings.Join(parts, ", ")})
	}
}

// message returns the status message of n when its status is Error and
// the message is not its parent's.
func message(n *Node) string {
	st := n.Span.Status()
	if st.Code != codes.Error || st.Description == "" {
		return ""
	}
	if n.Parent != nil {
		if ps := n.Parent.Span.Status(); ps.Code == codes.Error && ps.Description == st.Description {
			return ""
		}
	}
	return st.Description
}

// spanLine writes a span's line: name, duration, status and attributes,
// the attributes wrapped to the width.
func (p *printer) spanLine(b *strings.Builder, l line, col int) {
	s := l.node.Span
	d := "-"
	if end := s.EndTime(); !end.IsZero() {
		d = Duration(end.Sub(s.StartTime()))
	}
	b.WriteString(p.paint(ansiDim, l.prefix))
	b.WriteString(p.paint(ansiBold, l.text))
	pad := max(col-width(l.prefix)-width(l.text), 0) + 2 + max(durationWidth-width(d), 0)
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteString(p.paint(ansiCyan, d))
	at := width(l.prefix) + width(l.text) + pad + width(d)
	if s.Status().Code == codes.Error {
		b.WriteString("  ")
		b.WriteString(p.paint(ansiRed, "ERROR"))
		at += 2 + len("ERROR")
	}
	attrs := p.attributes(s.Attributes())
	if len(attrs) == 0 {
		b.WriteByte('\n')
		return
	}
	// The attributes start two columns further; wrapped ones go under the
	// first one.
	b.WriteString("  ")
	at += 2
	indent := l.cont + strings.Repeat(" ", max(at-width(l.cont), 0))
	var run []string
	used := at
	flush := func() {
		b.WriteString(p.paint(ansiDim, strings.Join(run, " ")))
		b.WriteByte('\n')
		run = run[:0]
	}
	for _, a := range attrs {
		if len(run) > 0 && p.width > 0 && used+1+width(a) > p.width {
			flush()
			b.WriteString(p.paint(ansiDim, l.cont))
			b.WriteString(strings.Repeat(" ", width(indent)-width(l.cont)))
			used = width(indent)
		}
		if len(run) > 0 {
			used++
		}
		run = append(run, a)
		used += width(a)
	}
	flush()
}

// attributes returns the attributes to print, as key=value.
func (p *printer) attributes(all []attribute.KeyValue) []string {
	var attrs []attribute.KeyValue
	if p.keys == nil {
		attrs = slices.Clone(all)
		slices.SortStableFunc(attrs, func(a, b attribute.KeyValue) int { return cmp.Compare(a.Key, b.Key) })
	} else {
		for _, k := range p.keys {
			if i := slices.IndexFunc(all, func(kv attribute.KeyValue) bool { return string(kv.Key) == k }); i >= 0 {
				attrs = append(attrs, all[i])
			}
		}
	}
	out := make([]string, len(attrs))
	for i, kv := range attrs {
		out[i] = strings.TrimPrefix(string(kv.Key), p.trim) + "=" + value(kv.Value)
	}
	return out
}

// wrapWords writes a message or summary line, wrapped between words.
func (p *printer) wrapWords(b *strings.Builder, l line, code string) {
	prefix := l.prefix
	var run []string
	used := width(prefix)
	flush := func() {
		b.WriteString(p.paint(ansiDim, prefix))
		b.WriteString(p.paint(code, strings.Join(run, " ")))
		b.WriteByte('\n')
		run = run[:0]
	}
	for _, word := range strings.Fields(l.text) {
		if len(run) > 0 && p.width > 0 && used+1+width(word) > p.width {
			flush()
			prefix = l.cont
			used = width(prefix)
		}
		if len(run) > 0 {
			used++
		}
		run = append(run, word)
		used += width(word)
	}
	flush()
}

// value formats an attribute value: strings quoted when they hold a space
// or a quote (or are empty), everything else as OpenTelemetry emits it.
func value(v attribute.Value) string {
	s := v.String()
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
