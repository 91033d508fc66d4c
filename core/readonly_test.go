package core_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/transmute-go/transmute/core"
)

type holder struct {
	M map[string]any
	P *[]int
}

// writer is a hook that writes everything it is handed: the path, and the
// values of arrays, structs and pointers in the record.
type writer struct{ core.NopHook }

func (writer) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if len(e.Path) > 0 {
		e.Path[0] = core.MustParseVersion("9.9.9")
	}
	if a, ok := e.Data.Value("arr").([2]any); ok {
		if m, ok := a[0].(map[string]any); ok {
			m["x"] = "changed"
		}
	}
	if h, ok := e.Data.Value("st").(holder); ok {
		h.M["x"] = "changed"
		(*h.P)[0] = 99
	}
	if p, ok := e.Data.Value("ptr").(*map[string]any); ok {
		(*p)["x"] = "changed"
	}
	return ctx
}

// A hook that writes what it is handed changes neither the caller's
// input nor the engine's cached plan.
func TestHooksCannotWriteBack(t *testing.T) {
	m := userManager(t)
	m.AddHook(writer{})
	ints := []int{1}
	ptrMap := map[string]any{"x": "orig"}
	in := core.Data{
		"name": "Ada Lovelace",
		"arr":  [2]any{map[string]any{"x": "orig"}, nil},
		"st":   holder{M: map[string]any{"x": "orig"}, P: &ints},
		"ptr":  &ptrMap,
	}
	want := map[string]any{"x": "orig"}
	for range 2 {
		if _, err := m.MigrateData(context.Background(), in, "User", "1.0.0", "2.0.0"); err != nil {
			t.Fatal(err)
		}
	}
	if got := in["arr"].([2]any)[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("array element changed: %v", got)
	}
	if got := in["st"].(holder); !reflect.DeepEqual(got.M, want) || ints[0] != 1 {
		t.Errorf("struct changed: %v %v", got.M, ints)
	}
	if !reflect.DeepEqual(ptrMap, want) {
		t.Errorf("pointee changed: %v", ptrMap)
	}
	if p, _ := m.Path("User", "1.0.0", "2.0.0"); p[0].String() != "1.0.0" {
		t.Errorf("the cached path changed: %v", p)
	}
}
