package core_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func TestCensus(t *testing.T) {
	m := userManager(t, core.WithVersionKey("v"))
	c := core.NewCensus(m)
	c.Add("User", core.Data{"v": "1.0.0", "name": "A B"})
	c.AddJSON("User", []byte(`{"name":"A B","v":"1.0.0"}`))
	c.AddJSON("User", []byte(`{"v":"2.0.0","first":"A","last":"B"}`))
	c.AddJSON("User", []byte(`{"v":"9.0.0"}`))         // carried, not registered
	c.AddJSON("User", []byte(`{"v":"1.0"}`))           // not a version
	c.AddJSON("User", []byte(`{"v":"1.0.0\u0000"}`))   // escaped: decoded whole
	c.AddJSON("User", []byte(`{"name":"no version"}`)) // none
	c.Add("User", core.Data{"v": nil})                 // null: none
	c.AddJSON("User", []byte(`[1]`))                   // invalid
	got := c.Result("Account")
	if len(got) != 2 || got[0].Model != "Account" || got[1].Model != "User" {
		t.Fatalf("%+v", got)
	}
	equal(t, got[0], core.ModelCensus{Model: "Account", Versions: []core.VersionCount{}, Unused: []string{}})
	u := got[1]
	equal(t, u.Total, 9)
	equal(t, u.Versions, []core.VersionCount{
		{Version: "1.0.0", Count: 2, Registered: true},
		{Version: "2.0.0", Count: 1, Registered: true},
		{Version: "9.0.0", Count: 1},
		{Version: "1.0", Count: 1},
		{Version: "1.0.0\x00", Count: 1},
	})
	equal(t, u.NoVersion, 2)
	equal(t, u.Invalid, 1)
	equal(t, u.Unused, []string{"3.0.0"})
	equal(t, u.String(), "User: 9 records\n"+
		"  1.0.0                 2\n"+
		"  2.0.0                 1\n"+
		"  9.0.0                 1  (not a registered version)\n"+
		"  1.0                   1  (not a registered version)\n"+
		"  1.0.0\x00                1  (not a registered version)\n"+
		"  no version            2\n"+
		"  not objects           1\n"+
		"no record holds 3.0.0: as far as these records tell, it can be dropped\n")
	if _, err := json.Marshal(got); err != nil {
		t.Fatal(err)
	}
}

// TestCensusAddJSONCount counts groups made elsewhere (a GROUP BY) as
// that many single records.
func TestCensusAddJSONCount(t *testing.T) {
	m := userManager(t, core.WithVersionKey("v"))
	c := core.NewCensus(m)
	c.AddJSONCount("User", []byte(`{"v":"1.0.0"}`), 1000)
	c.AddJSONCount("User", []byte(`{"v":"2.0.0"}`), 3)
	c.AddJSONCount("User", []byte(`{"v":"1.0"}`), 2)
	c.AddJSONCount("User", []byte(`{"v":null}`), 4)
	c.AddJSONCount("User", []byte(`null`), 5)
	c.AddJSONCount("User", []byte(`{"v":"2.0.0"}`), 0)  // nothing
	c.AddJSONCount("User", []byte(`{"v":"2.0.0"}`), -7) // nothing
	u := c.Result()[0]
	equal(t, u.Total, 1014)
	equal(t, u.Versions, []core.VersionCount{
		{Version: "1.0.0", Count: 1000, Registered: true},
		{Version: "2.0.0", Count: 3, Registered: true},
		{Version: "1.0", Count: 2},
	})
	equal(t, u.NoVersion, 4)
	equal(t, u.Invalid, 5)
}

func TestCensusConcurrent(t *testing.T) {
	m := userManager(t, core.WithVersionKey("v"))
	c := core.NewCensus(m)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				c.AddJSON("User", []byte(`{"v":"2.0.0"}`))
				c.Add("User", core.Data{"v": "1.0.0"})
			}
		})
	}
	wg.Wait()
	u := c.Result()[0]
	equal(t, u.Total, 8000)
	equal(t, u.Versions[0].Count, 4000)
	equal(t, u.Versions[1].Count, 4000)
}
