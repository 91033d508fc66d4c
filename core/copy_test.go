package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func TestCopy(t *testing.T) {
	p := new(int)
	d := core.Data{
		"s": "x", "f": 1.0, "b": true, "nil": nil, "i": 3, "i64": int64(4), "num": json.Number("5"),
		"obj":      map[string]any{"a": []any{map[string]any{"b": 1.0}}},
		"list":     []any{[]any{1.0}, map[string]any{}},
		"nilList":  []any(nil),
		"typed":    []map[string]any{{"c": []any{2.0}}},
		"strs":     []string{"a"},
		"smap":     map[string]string{"a": "b"},
		"ints":     []int{1, 2},
		"nested":   map[string][]int{"k": {1}},
		"array":    [2][]int{{1}, {2}},
		"ptr":      p,
		"nilMap":   map[string]any(nil),
		"ifaceMap": map[int]any{1: map[string]any{"x": 1.0}},
	}
	c, err := core.Copy(d)
	mustOK(t, err)
	if !reflect.DeepEqual(c, d) {
		t.Fatalf("copy differs:\n%#v\n%#v", c, d)
	}
	if c["nilList"].([]any) != nil || c["nilMap"].(map[string]any) != nil {
		t.Fatal("nil slices and maps must stay nil")
	}
	if c["ptr"] == any(p) {
		t.Fatal("a pointer is shared: what it points to can be changed through the copy")
	}
	orig := clone(t, d)
	// Change everything reachable in the copy.
	c["obj"].(map[string]any)["a"].([]any)[0].(map[string]any)["b"] = "x"
	c["list"].([]any)[0].([]any)[0] = "x"
	c["list"].([]any)[1].(map[string]any)["new"] = 1
	c["typed"].([]map[string]any)[0]["c"].([]any)[0] = "x"
	c["strs"].([]string)[0] = "x"
	c["smap"].(map[string]string)["a"] = "x"
	c["ints"].([]int)[0] = 9
	c["nested"].(map[string][]int)["k"][0] = 9
	arr := c["array"].([2][]int)
	arr[0][0] = 9
	c["ifaceMap"].(map[int]any)[1].(map[string]any)["x"] = "x"
	c["s"] = "changed"
	if !reflect.DeepEqual(d, orig) {
		t.Fatalf("changing the copy changed the original:\n%#v\n%#v", d, orig)
	}
	if c, err := core.Copy(nil); c != nil || err != nil {
		t.Fatalf("Copy(nil) = %v, %v", c, err)
	}
}

func TestCyclicAndDeepData(t *testing.T) {
	m := userManager(t)
	cyclic := core.Data{"name": "A B"}
	cyclic["self"] = cyclic
	list := []any{1.0}
	list[0] = list
	for _, in := range []core.Data{cyclic, {"name": "A B", "list": list}} {
		_, err := m.Migrate(context.Background(), in, "User", "1.0.0", "2.0.0")
		if !errors.Is(err, core.ErrInvalidData) || core.ErrorType(err) != "invalid_data" {
			t.Fatalf("cyclic data: %v (%s), want ErrInvalidData", err, core.ErrorType(err))
		}
	}
	if c, err := core.Copy(cyclic); c != nil || !errors.Is(err, core.ErrInvalidData) || !strings.Contains(err.Error(), "too deeply") {
		t.Fatalf("Copy of cyclic data = %v, %v; want ErrInvalidData", c, err)
	}
	if c := core.NewRecord(cyclic).Clone(); c != nil {
		t.Fatal("Record.Clone of cyclic data is not nil")
	}
	cyclicList := []any{nil}
	cyclicList[0] = cyclicList
	if c := core.NewRecord(core.Data{"l": cyclicList}).Value("l").(core.List).Clone(); c != nil {
		t.Fatal("List.Clone of cyclic data is not nil")
	}

	// As deep as encoding/json goes is fine.
	const depth = 9_999
	raw := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	var deep map[string]any
	mustOK(t, json.Unmarshal([]byte(`{"name":"A B","deep":`+raw+`}`), &deep))
	out, err := m.MigrateData(context.Background(), deep, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	if !reflect.DeepEqual(out["deep"], deep["deep"]) {
		t.Fatal("the deep value changed")
	}
}
