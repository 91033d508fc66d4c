package transmutetest_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

type gAddress struct {
	City string  `json:"city"`
	Zip  *string `json:"zip"`
}

type gNode struct {
	Name     string  `json:"name"`
	Children []gNode `json:"children,omitempty"`
}

type gAll struct {
	S      string              `json:"s"`
	I      int                 `json:"i"`
	I8     int8                `json:"i8"`
	U16    uint16              `json:"u16"`
	U64    uint64              `json:"u64"`
	I64    int64               `json:"i64"`
	F      float64             `json:"f"`
	B      bool                `json:"b"`
	T      time.Time           `json:"t"`
	TP     *time.Time          `json:"tp"`
	Bytes  []byte              `json:"bytes"`
	List   []string            `json:"list"`
	Ptrs   []*int              `json:"ptrs"`
	Matrix [][]float64         `json:"matrix"`
	Map    map[string]int      `json:"map"`
	Any    any                 `json:"any"`
	Free   map[string]any      `json:"free"`
	Home   gAddress            `json:"home"`
	Homes  []gAddress          `json:"homes,omitempty"`
	ByName map[string]gAddress `json:"by_name,omitempty"`
	Tree   gNode               `json:"tree"`
	Inline struct {
		X int `json:"x"`
	} `json:"inline"`
	Def string `json:"def" default:"\"d\""`
	Opt string `json:"opt,omitempty"`
}

func genManager(t *testing.T, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(opts...)
	err := errors.Join(
		core.Register[gAddress](m, "Address", "1.0.0"),
		core.Register[gNode](m, "Node", "1.0.0"),
		core.Register[gAll](m, "All", "1.0.0"),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Validate accepts every record Generate makes, over thousands of seeds.
func TestGenerateIsAlwaysValid(t *testing.T) {
	m := genManager(t)
	seen := map[string]bool{}
	for seed := range uint64(3000) {
		d, err := transmutetest.Generate(m, "All", "1.0.0", rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Validate(d, "All", "1.0.0"); err != nil {
			t.Fatalf("seed %d: %v\n%v", seed, err, d)
		}
		for k, v := range d {
			seen[k] = true
			if v == nil {
				seen[k+"=null"] = true
			}
		}
		if v, ok := d["i64"].(interface{ String() string }); ok && strings.HasPrefix(v.String(), "92233") {
			seen["i64 at its top"] = true
		}
	}
	// Optional fields are sometimes there and nullable ones sometimes null.
	for _, k := range []string{"opt", "homes", "tp=null", "list=null", "i64 at its top", "def"} {
		if !seen[k] {
			t.Errorf("never generated %s", k)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	m := genManager(t, core.WithVersionKey("v"))
	a, _ := transmutetest.Generate(m, "All", "1.0.0", rand.New(rand.NewPCG(7, 7)))
	b, _ := transmutetest.Generate(m, "All", "1.0.0", rand.New(rand.NewPCG(7, 7)))
	c, _ := transmutetest.Generate(m, "All", "1.0.0", rand.New(rand.NewPCG(8, 7)))
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Fatal("the same seed must give the same record, another seed another")
	}
	if a["v"] != "1.0.0" {
		t.Fatalf("the version key: %v", a["v"])
	}
	if _, err := transmutetest.Generate(m, "Nope", "1.0.0", rand.New(rand.NewPCG(1, 1))); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := transmutetest.Generate(m, "All", "1.0.0", nil); err == nil {
		t.Fatal("a nil rand was accepted")
	}
}

// A model that holds itself in a required field has no finite record.
func TestGenerateRefusesAnEndlessModel(t *testing.T) {
	m := core.NewManager()
	if err := m.RegisterSchema("Loop", "1.0.0", core.Schema{Fields: []core.Field{{Name: "next", Required: true, Kind: core.KindModel, Model: "Loop"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := transmutetest.Generate(m, "Loop", "1.0.0", rand.New(rand.NewPCG(1, 1))); !errors.Is(err, transmutetest.ErrCannotGenerate) {
		t.Fatalf("err = %v", err)
	}
}

// FuzzAll is what a user writes: one line. Its seed corpus runs with go
// test.
func FuzzAll(f *testing.F) {
	m := core.NewManager()
	err := errors.Join(
		core.Register[gAddress](m, "Address", "1.0.0"),
		core.Register[gNode](m, "Node", "1.0.0"),
		core.Register[gAll](m, "All", "1.0.0"),
		core.Register[gAll](m, "All", "2.0.0"),
		m.RegisterMigration("All", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["s"] = strings.ToUpper(d["s"].(string))
			return d, nil
		}),
	)
	if err != nil {
		f.Fatal(err)
	}
	transmutetest.Fuzz(f, m, "All", "1.0.0", "2.0.0")
}
