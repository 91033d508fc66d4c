package schema_test

import (
	"context"
	"testing"

	"github.com/bufbuild/protocompile"

	"github.com/transmute-go/transmute/schema"
)

// Every generated .proto compiles with protocompile, its well-known
// imports (timestamp, struct) included.
func TestProtoCompiles(t *testing.T) {
	m := newManager()
	files := map[string]string{}
	var names []string
	for _, model := range m.Models() {
		versions, _ := m.Versions(model)
		for _, v := range versions {
			doc, err := schema.Proto(m, model, v.String(), schema.WithNamespace("com.example.users"))
			if err != nil {
				t.Fatal(err)
			}
			name := schema.FileName(model, v, schema.FormatProto)
			files[name] = string(doc)
			names = append(names, name)
		}
	}
	for _, name := range names {
		c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: protocompile.SourceAccessorFromMap(map[string]string{name: files[name]}),
		})}
		out, err := c.Compile(context.Background(), name)
		if err != nil {
			t.Errorf("%s does not compile: %v\n%s", name, err, files[name])
			continue
		}
		if out[0].Messages().Len() == 0 {
			t.Errorf("%s declares no message", name)
		}
	}
}
