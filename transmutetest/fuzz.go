package transmutetest

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// Fuzz makes f a fuzz target for the migrations of a model from one
// version to another: each input of the fuzzer becomes a record of from
// ([Generate], with the input's bytes as its randomness), which is
// migrated to to with [core.Manager.Migrate]. The target fails when a
// migration function panics, when the migration fails, when the input was
// modified, or when the result does not validate. One line in a test file:
//
//	func FuzzUserMigrations(f *testing.F) {
//		transmutetest.Fuzz(f, newManager(), "User", "1.0.0", "3.0.0")
//	}
//
// go test runs the seed corpus; go test -fuzz=FuzzUserMigrations explores.
func Fuzz(f *testing.F, m *core.Manager, model, from, to string) {
	f.Helper()
	fuzzRecords(f, m, model, from, func(t *testing.T, in core.Data) {
		before, err := core.Copy(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Migrate(t.Context(), in, model, from, to)
		if !reflect.DeepEqual(in, before) {
			t.Fatalf("migrate %s %s → %s modified its input:\n%s", model, from, to, Diff(before, in))
		}
		if err != nil {
			t.Fatalf("migrate %s %s → %s failed: %v\ninput: %s", model, from, to, err, jsonText(in))
		}
		if err := m.Validate(out, model, to); err != nil {
			t.Fatalf("migrate %s %s → %s returned a record that does not validate: %v\ninput:  %s\nresult: %s",
				model, from, to, err, jsonText(in), jsonText(out))
		}
	})
}

// fuzzRecords makes f a fuzz target whose inputs become records of model
// at from ([Generate], the input's bytes as its randomness), checked by
// check; it seeds the corpus.
func fuzzRecords(f *testing.F, m *core.Manager, model, from string, check func(t *testing.T, in core.Data)) {
	for i := range 16 {
		f.Add([]byte{byte(i), byte(i * 37), byte(i * 101)})
	}
	f.Fuzz(func(t *testing.T, seed []byte) {
		in, err := Generate(m, model, from, rand.New(newByteSource(seed)))
		if err != nil {
			t.Fatalf("generate %s %s: %v", model, from, err)
		}
		check(t, in)
	})
}

// byteSource is a rand.Source that reads the fuzzer's bytes first, so
// that the fuzzer steers the record, then goes on with a generator seeded
// from them.
type byteSource struct {
	data []byte
	rest *rand.PCG
}

func newByteSource(data []byte) *byteSource {
	h := fnv.New64a()
	h.Write(data)
	s := h.Sum64()
	return &byteSource{data: data, rest: rand.NewPCG(s, s^0x9e3779b97f4a7c15)}
}

// Uint64 implements rand.Source.
func (s *byteSource) Uint64() uint64 {
	if len(s.data) >= 8 {
		v := binary.LittleEndian.Uint64(s.data)
		s.data = s.data[8:]
		return v
	}
	if len(s.data) > 0 {
		var b [8]byte
		copy(b[:], s.data)
		s.data = nil
		return binary.LittleEndian.Uint64(b[:]) ^ s.rest.Uint64()
	}
	return s.rest.Uint64()
}
