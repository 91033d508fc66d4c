package transmutetest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/transmute-go/transmute/core"
)

// maxDepth bounds the nesting of generated records: past it, optional
// fields are left out and lists and maps are empty, so that a model that
// contains itself gives finite records.
const maxDepth = 6

// ErrCannotGenerate is returned for a model version no finite record can
// satisfy (a required field that holds the model itself, forever).
var ErrCannotGenerate = errors.New("transmutetest: cannot generate a finite record")

// Generate returns a random record that is valid for a registered model
// version, built from its description ([core.Manager.Schema]): required
// fields always, optional ones sometimes, explicit nulls where a field is
// nullable, nested models recursively, lists and maps of 0 to 3 elements,
// times, base64 bytes, strings with any Unicode, and integers at the edges
// of their range. It returns the same record for the same sequence of r
// (a seeded rand.New(rand.NewPCG(a, b))). Numbers are float64, as
// encoding/json decodes them, except integers beyond 2^53, which are a
// json.Number (as a decoder with UseNumber gives them). When the manager
// has a version key, the record carries its version in it.
func Generate(m *core.Manager, model, version string, r *rand.Rand) (core.Data, error) {
	if m == nil || r == nil {
		return nil, errors.New("transmutetest: Generate needs a manager and a rand.Rand")
	}
	g := &generator{m: m, r: r}
	d, err := g.record(model, version, 0)
	if err != nil {
		return nil, err
	}
	if key := m.VersionKey(); key != "" {
		d[key] = version
	}
	return d, nil
}

type generator struct {
	m *core.Manager
	r *rand.Rand
}

func (g *generator) record(model, version string, depth int) (core.Data, error) {
	s, err := g.m.Schema(model, version)
	if err != nil {
		return nil, err
	}
	return g.object(s.Fields, depth)
}

func (g *generator) object(fields []core.Field, depth int) (core.Data, error) {
	d := core.Data{}
	for i := range fields {
		f := &fields[i]
		if !f.Required && (depth >= maxDepth || g.r.IntN(3) == 0) {
			continue // an optional field, left out
		}
		v, err := g.value(f, depth)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		d[f.Name] = v
	}
	return d, nil
}

// value returns a random value of a described type, null included when
// the type is nullable.
func (g *generator) value(f *core.Field, depth int) (any, error) {
	if f.Nullable && g.r.IntN(5) == 0 {
		return nil, nil
	}
	switch f.Kind {
	case core.KindString:
		return g.text(), nil
	case core.KindInteger:
		return g.integer(f), nil
	case core.KindNumber:
		return g.number(), nil
	case core.KindBool:
		return g.r.IntN(2) == 0, nil
	case core.KindTime:
		return g.time(), nil
	case core.KindBytes:
		b := make([]byte, g.r.IntN(9))
		for i := range b {
			b[i] = byte(g.r.UintN(256))
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case core.KindModel:
		if depth >= 4*maxDepth {
			return nil, fmt.Errorf("%w: %s %s holds itself in a required field", ErrCannotGenerate, f.Model, f.ModelVersion)
		}
		return g.record(f.Model, f.ModelVersion, depth+1)
	case core.KindObject:
		if f.Fields == nil {
			return g.anyObject(depth), nil
		}
		return g.object(f.Fields, depth+1)
	case core.KindArray:
		return g.array(f.Elem, depth)
	case core.KindMap:
		return g.mapOf(f.Elem, depth)
	}
	return g.anyValue(depth), nil
}

func (g *generator) array(elem *core.Field, depth int) (any, error) {
	n := g.size(depth)
	out := make([]any, n)
	for i := range out {
		if elem == nil {
			out[i] = g.anyValue(depth + 1)
			continue
		}
		v, err := g.value(elem, depth+1)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

func (g *generator) mapOf(elem *core.Field, depth int) (any, error) {
	out := map[string]any{}
	for i := range g.size(depth) {
		k := "k" + strconv.Itoa(i)
		if elem == nil {
			out[k] = g.anyValue(depth + 1)
			continue
		}
		v, err := g.value(elem, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// size is the length of a list or a map: 0 to 3, 0 past maxDepth.
func (g *generator) size(depth int) int {
	if depth >= maxDepth {
		return 0
	}
	return g.r.IntN(4)
}

// texts are strings that test more than ASCII.
var texts = []string{"", "a", "Ada Lovelace", "é", "日本語", "🙂 emoji", `quote " and \ backslash`, "line\nbreak", "\u2028", "tab\t"}

func (g *generator) text() string {
	if g.r.IntN(2) == 0 {
		return texts[g.r.IntN(len(texts))]
	}
	b := make([]rune, g.r.IntN(12))
	for i := range b {
		switch g.r.IntN(4) {
		case 0:
			b[i] = rune(0x4e00 + g.r.IntN(0x100)) // CJK
		case 1:
			b[i] = rune(0x1f600 + g.r.IntN(0x40)) // emoji
		default:
			b[i] = rune('a' + g.r.IntN(26))
		}
	}
	return string(b)
}

// integer is an integer within the field's range, often at an edge of it.
func (g *generator) integer(f *core.Field) any {
	bits := f.Bits
	if bits <= 0 || bits > 64 {
		bits = 64
	}
	var lo, hi json.Number // the range, inclusive, as exact text
	if f.Unsigned {
		lo, hi = "0", json.Number(strconv.FormatUint(math.MaxUint64>>(64-bits), 10))
	} else {
		lo = json.Number(strconv.FormatInt(math.MinInt64>>(64-bits), 10))
		hi = json.Number(strconv.FormatInt(math.MaxInt64>>(64-bits), 10))
	}
	switch g.r.IntN(6) {
	case 0:
		return exact(lo)
	case 1:
		return exact(hi)
	case 2:
		return 0.0
	case 3:
		return 1.0
	}
	n := float64(g.r.IntN(2001) - 1000)
	if f.Unsigned || bits < 16 {
		n = math.Trunc(math.Abs(n) / 10)
	}
	return n
}

// exact returns an integer as a float64 when it is one exactly, else as
// a json.Number.
func exact(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil && i >= -(1<<53) && i <= 1<<53 {
		return float64(i)
	}
	if u, err := strconv.ParseUint(string(n), 10, 64); err == nil && u <= 1<<53 {
		return float64(u)
	}
	return n
}

func (g *generator) number() float64 {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return float64(g.r.IntN(100))
	}
	return (g.r.Float64() - 0.5) * math.Pow(10, float64(g.r.IntN(12)))
}

func (g *generator) time() string {
	t := time.Unix(g.r.Int64N(4_102_444_800), 0).UTC() // up to 2100
	if g.r.IntN(2) == 0 {
		t = t.Add(time.Duration(g.r.IntN(1e9)))
	}
	if g.r.IntN(3) == 0 {
		t = t.In(time.FixedZone("", (g.r.IntN(27)-12)*3600))
	}
	return t.Format(time.RFC3339Nano)
}

// anyValue is a random JSON value.
func (g *generator) anyValue(depth int) any {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return g.text()
	case 2:
		return g.number()
	case 3:
		return g.r.IntN(2) == 0
	case 4:
		out := make([]any, g.size(depth+1))
		for i := range out {
			out[i] = g.anyValue(depth + 1)
		}
		return out
	}
	return g.anyObject(depth)
}

func (g *generator) anyObject(depth int) map[string]any {
	out := map[string]any{}
	for i := range g.size(depth + 1) {
		out["k"+strconv.Itoa(i)] = g.anyValue(depth + 1)
	}
	return out
}
