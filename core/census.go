package core

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/transmute-go/transmute/internal/jsonscan"
)

// Census counts records by the version they carry in the manager's
// version key ([WithVersionKey]): which versions are still in use, and
// which registered versions no record holds any more ("can 1.0.0 be
// dropped?"). It reads records from any source (a file, a stream, a
// table) one at a time, and is safe for concurrent use. The zero Census
// is not usable: make one with [NewCensus].
type Census struct {
	m      *Manager
	mu     sync.Mutex
	models map[string]*modelCount
}

type modelCount struct {
	versions map[Version]int
	other    map[string]int // version texts that are not versions
	none     int            // no version key, or null
	invalid  int            // not a JSON object
}

// NewCensus returns an empty census of the records of m's models.
func NewCensus(m *Manager) *Census { return &Census{m: m, models: map[string]*modelCount{}} }

// Add counts a record of model by its version.
func (c *Census) Add(model string, d Data) { c.add(model, d, 1) }

func (c *Census) add(model string, d Data, n int) {
	v, err := c.m.VersionOf(d)
	var ve *VersionError
	c.count(model, func(mc *modelCount) {
		switch {
		case err == nil:
			mc.versions[v] += n
		case errors.As(err, &ve):
			mc.other[ve.Input] += n
		default:
			mc.none += n
		}
	})
}

// AddJSON counts a record of model given as JSON, reading only its
// version key when it can. A text that is not a JSON object is counted as
// invalid.
func (c *Census) AddJSON(model string, b []byte) { c.AddJSONCount(model, b, 1) }

// AddJSONCount counts n records of model that hold what b holds in the
// version key, as [Census.AddJSON] counts one: for counts made elsewhere,
// such as a database's GROUP BY on the version key. n < 1 counts nothing.
func (c *Census) AddJSONCount(model string, b []byte, n int) {
	if n < 1 {
		return
	}
	var buf [32]jsonscan.Member
	if members, ok := jsonscan.Members(b, buf[:0]); ok {
		v, has := c.m.versionIn(b, members, c.m.registry().models[model])
		switch {
		case !has:
			c.count(model, func(mc *modelCount) { mc.none += n })
			return
		case !v.IsZero():
			c.count(model, func(mc *modelCount) { mc.versions[v] += n })
			return
		}
	}
	d, err := DecodeJSON(b)
	if err != nil {
		c.count(model, func(mc *modelCount) { mc.invalid += n })
		return
	}
	c.add(model, d, n)
}

func (c *Census) count(model string, fn func(*modelCount)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mc := c.models[model]
	if mc == nil {
		mc = &modelCount{versions: map[Version]int{}, other: map[string]int{}}
		c.models[model] = mc
	}
	fn(mc)
}

// ModelCensus is what a [Census] counted of one model.
type ModelCensus struct {
	Model string `json:"model"`
	// Total is every record counted, invalid ones included.
	Total int `json:"total"`
	// Versions are the versions records carry, registered or not (a
	// version string that is not one is listed as it is), by version.
	Versions []VersionCount `json:"versions"`
	// NoVersion counts the records without a version key (or with null).
	NoVersion int `json:"no_version"`
	// Invalid counts the texts that are not JSON objects.
	Invalid int `json:"invalid"`
	// Unused are the registered versions no record carries: the ones that
	// could be dropped, as far as these records tell.
	Unused []string `json:"unused"`
}

// String is the census as a table: the count of each version (those not
// registered marked), of the records with no version and of those that
// are not JSON objects, and the registered versions no record holds.
func (r ModelCensus) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d records\n", r.Model, r.Total)
	for _, v := range r.Versions {
		note := ""
		if !v.Registered {
			note = "  (not a registered version)"
		}
		fmt.Fprintf(&b, "  %-12s %10d%s\n", v.Version, v.Count, note)
	}
	if r.NoVersion > 0 {
		fmt.Fprintf(&b, "  %-12s %10d\n", "no version", r.NoVersion)
	}
	if r.Invalid > 0 {
		fmt.Fprintf(&b, "  %-12s %10d\n", "not objects", r.Invalid)
	}
	if len(r.Unused) > 0 {
		fmt.Fprintf(&b, "no record holds %s: as far as these records tell, it can be dropped\n", strings.Join(r.Unused, ", "))
	}
	return b.String()
}

// VersionCount is how many records carry one version.
type VersionCount struct {
	Version    string `json:"version"`
	Count      int    `json:"count"`
	Registered bool   `json:"registered"`
}

// Result returns what the census counted, one entry per model it saw
// records of (and per model listed in models, counted or not), by model
// name.
func (c *Census) Result(models ...string) []ModelCensus {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := slices.Collect(func(yield func(string) bool) {
		for n := range c.models {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range models {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := make([]ModelCensus, 0, len(names))
	for _, n := range names {
		out = append(out, c.modelResult(n))
	}
	return out
}

func (c *Census) modelResult(model string) ModelCensus {
	mc := c.models[model]
	if mc == nil {
		mc = &modelCount{}
	}
	r := ModelCensus{Model: model, NoVersion: mc.none, Invalid: mc.invalid, Versions: []VersionCount{}, Unused: []string{}}
	registered, _ := c.m.Versions(model)
	for v, n := range mc.versions {
		r.Versions = append(r.Versions, VersionCount{Version: v.String(), Count: n, Registered: slices.Contains(registered, v)})
		r.Total += n
	}
	slices.SortFunc(r.Versions, func(a, b VersionCount) int {
		return MustParseVersion(a.Version).Compare(MustParseVersion(b.Version))
	})
	var other []VersionCount
	for text, n := range mc.other {
		other = append(other, VersionCount{Version: text, Count: n})
		r.Total += n
	}
	slices.SortFunc(other, func(a, b VersionCount) int { return cmp.Compare(a.Version, b.Version) })
	r.Versions = append(r.Versions, other...)
	r.Total += mc.none + mc.invalid
	for _, v := range registered {
		if mc.versions[v] == 0 {
			r.Unused = append(r.Unused, v.String())
		}
	}
	return r
}
