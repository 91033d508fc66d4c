package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bufbuild/protocompile"
	"github.com/hamba/avro/v2"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

// Node is a registered model that contains itself.
type Node struct {
	Name     string `json:"name"`
	Children []Node `json:"children"`
}

// Edge has the shapes that need care in some format: arrays of arrays,
// maps of arrays and of maps, nullable elements, names that are not
// identifiers, a recursive model, inline objects in inline objects, raw
// JSON and a nullable time.
type Edge struct {
	Matrix [][]float64               `json:"matrix"`
	Groups map[string][]string       `json:"groups"`
	Nested map[string]map[string]int `json:"nested"`
	Maybe  []*string                 `json:"maybe"`
	Dashed string                    `json:"first-name"`
	Digit  string                    `json:"1st"`
	Tree   Node                      `json:"tree"`
	Trees  map[string]Node           `json:"trees,omitempty"`
	Anon   struct {
		Inner struct {
			X int `json:"x"`
		} `json:"inner"`
	} `json:"anon"`
	Raw  json.RawMessage `json:"raw,omitempty"`
	When *time.Time      `json:"when"`
	Free map[string]any  `json:"free,omitempty"`
	// Narrow integers: their ranges are exported.
	Small int8   `json:"small,omitempty"`
	Count uint32 `json:"count,omitempty"`
	Big   uint64 `json:"big,omitempty"`
}

func edgeManager() *core.Manager {
	m := core.NewManager()
	must(errors.Join(
		core.Register[Node](m, "Node", "1.0.0"),
		core.Register[Edge](m, "Edge-Case", "1.0.0"),
	))
	return m
}

func TestEdgeShapesInEveryFormat(t *testing.T) {
	m := edgeManager()
	for _, model := range []string{"Node", "Edge-Case"} {
		doc, err := schema.JSON(m, model, "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		compileJSON(t, doc)

		avsc, err := schema.Avro(m, model, "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := avro.ParseBytes(avsc); err != nil {
			t.Errorf("%s: .avsc does not parse: %v\n%s", model, err, avsc)
		}

		proto, err := schema.Proto(m, model, "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: protocompile.SourceAccessorFromMap(map[string]string{"x.proto": string(proto)}),
		})}
		if _, err := c.Compile(context.Background(), "x.proto"); err != nil {
			t.Errorf("%s: .proto does not compile: %v\n%s", model, err, proto)
		}
	}
	// Integer ranges: the schema and the engine agree at the edges.
	edoc, _ := schema.JSON(m, "Edge-Case", "1.0.0")
	es := compileJSON(t, edoc)
	base := `"matrix":null,"groups":null,"nested":null,"maybe":null,"first-name":"","1st":"","tree":{"name":"t","children":[]},"anon":{"inner":{"x":1}},"when":null`
	for _, extra := range []string{`"small":127`, `"small":128`, `"small":-129`, `"count":4294967295`, `"count":-1`, `"big":-1`, `"big":1`} {
		var inst map[string]any
		must(json.Unmarshal([]byte("{"+base+","+extra+"}"), &inst))
		engine := m.Validate(inst, "Edge-Case", "1.0.0")
		if gen := es.Validate(inst); (engine == nil) != (gen == nil) {
			t.Errorf("%s: the engine says %v, the JSON Schema says %v", extra, engine, gen)
		}
	}

	// A record of the recursive model validates against its own schema.
	doc, _ := schema.JSON(m, "Node", "1.0.0")
	s := compileJSON(t, doc)
	var inst any
	_ = json.Unmarshal([]byte(`{"name":"a","children":[{"name":"b","children":[{"name":5}]}]}`), &inst)
	if s.Validate(inst) == nil {
		t.Error("a nested child with a number for a name is valid")
	}
}

// Interfaces and type aliases declare every edge shape; Zod refuses a
// model that contains itself with a clear error rather than emit
// TypeScript that does not compile.
func TestEdgeShapesInTypeScript(t *testing.T) {
	m := edgeManager()
	files := map[string][]byte{}
	for _, model := range []string{"Node", "Edge-Case"} {
		for i, st := range []schema.Style{schema.StyleInterface, schema.StyleTypeAlias} {
			doc, err := schema.TypeScript(m, model, "1.0.0", st)
			if err != nil {
				t.Fatal(err)
			}
			files[strings.ToLower(strings.ReplaceAll(model, "-", "_"))+[]string{".i.ts", ".a.ts"}[i]] = doc
		}
		if _, err := schema.TypeScript(m, model, "1.0.0", schema.StyleZod); err == nil || !strings.Contains(err.Error(), "contains itself") {
			t.Errorf("%s in Zod: %v, want the recursion error", model, err)
		}
	}
	typeCheck(t, files)
}
