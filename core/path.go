package core

import (
	"slices"
	"sync/atomic"
)

// plan is a migration between two versions of a model, found once and
// cached.
type plan struct {
	path     []Version // the engine's: Manager.Path copies it
	hookPath []Version // the hooks' Event.Path, apart from path
	steps    []planStep
	allTyped bool // every step is typed: Convert needs no record

	stamp atomic.Pointer[[]byte] // MigrateJSON's start of a result (stampPrefix)
}

// repair undoes a hook's write to the hooks' path, which the contract
// forbids: the next migration's hooks see the path again.
func (p *plan) repair() {
	if p != nil && !slices.Equal(p.hookPath, p.path) {
		copy(p.hookPath, p.path)
	}
}

type planStep struct {
	from, to Version
	fn       MigrationFunc // nil for an auto step
	typed    *typedStep    // the typed form of fn, if it has one
	fromMV   *modelVersion // nil when the version is not registered
	toMV     *modelVersion
}

// graph is the migration graph of a model: an edge per registered
// migration, and an auto edge between adjacent registered versions
// (either way) into a WithBackwardCompatible version where no function is
// registered for that pair. It is built once per registration, in time
// linear in its size; paths are found on demand ([modelReg.lookup]).
type graph struct {
	nodes  []Version // ascending
	index  map[Version]int
	byText map[string]Version // each node by its text
	adj    [][]edge           // by node, targets ascending
}

// edge is one possible step of the graph.
type edge struct {
	to    int
	fn    MigrationFunc
	typed *typedStep
	auto  bool
}

func buildGraph(mr *modelReg) *graph {
	g := &graph{index: map[Version]int{}, byText: map[string]Version{}}
	nodes := slices.Clone(mr.versions)
	for k := range mr.migrations {
		nodes = append(nodes, k[0], k[1])
	}
	slices.SortFunc(nodes, Version.Compare)
	g.nodes = slices.Compact(nodes)
	for i, v := range g.nodes {
		g.index[v] = i
		g.byText[v.String()] = v
	}
	g.adj = make([][]edge, len(g.nodes))
	for k, fn := range mr.migrations {
		from := g.index[k[0]]
		g.adj[from] = append(g.adj[from], edge{to: g.index[k[1]], fn: fn, typed: mr.typed[k]})
	}
	for i := 0; i+1 < len(mr.versions); i++ {
		a, b := mr.versions[i], mr.versions[i+1]
		for _, p := range [2][2]Version{{a, b}, {b, a}} {
			if _, explicit := mr.migrations[p]; explicit {
				continue
			}
			if mr.byVersion[p[1]].compatible {
				from := g.index[p[0]]
				g.adj[from] = append(g.adj[from], edge{to: g.index[p[1]], auto: true})
			}
		}
	}
	for _, es := range g.adj {
		slices.SortFunc(es, func(x, y edge) int { return x.to - y.to })
	}
	return g
}

// shortest finds the shortest path from one version to another: fewest
// steps first, then fewest auto steps, then the lowest versions first;
// deterministic whatever the registration order. It returns nil when
// there is none.
func (g *graph) shortest(mr *modelReg, from, to Version) *plan {
	src, ok := g.index[from]
	if !ok {
		return nil
	}
	dst, ok := g.index[to]
	if !ok {
		return nil
	}
	type cost struct{ steps, autos int }
	less := func(a, b cost) bool { return a.steps < b.steps || a.steps == b.steps && a.autos < b.autos }
	n := len(g.nodes)
	dist := make([]cost, n)
	reached := make([]bool, n)
	done := make([]bool, n)
	prev := make([]*edge, n)
	prevNode := make([]int, n)
	reached[src] = true
	// Dijkstra over a small graph; ties go to the first (lowest) version,
	// and an edge only replaces a path that is strictly worse.
	for {
		cur := -1
		for v := range n {
			if reached[v] && !done[v] && (cur < 0 || less(dist[v], dist[cur])) {
				cur = v
			}
		}
		if cur < 0 {
			return nil
		}
		if cur == dst {
			break
		}
		done[cur] = true
		for k := range g.adj[cur] {
			e := &g.adj[cur][k]
			nd := dist[cur]
			nd.steps++
			if e.auto {
				nd.autos++
			}
			if !reached[e.to] || less(nd, dist[e.to]) {
				dist[e.to], reached[e.to] = nd, true
				prev[e.to], prevNode[e.to] = e, cur
			}
		}
	}
	var steps []planStep
	for v := dst; v != src; v = prevNode[v] {
		f, t := g.nodes[prevNode[v]], g.nodes[v]
		steps = append(steps, planStep{from: f, to: t, fn: prev[v].fn, typed: prev[v].typed, fromMV: mr.byVersion[f], toMV: mr.byVersion[t]})
	}
	slices.Reverse(steps)
	allTyped := true
	for _, s := range steps {
		allTyped = allTyped && s.typed != nil
	}
	path := make([]Version, 0, len(steps)+1)
	path = append(path, from)
	for _, s := range steps {
		path = append(path, s.to)
	}
	return &plan{path: path, hookPath: slices.Clone(path), steps: steps, allTyped: allTyped}
}

// lookup returns the plan from one version to another, or nil when there
// is no path. Plans are found once per snapshot of the model and cached;
// so are the failures between known versions (a bounded set), not those
// involving unknown ones. The entry of the model's last migration is kept
// aside, so that a run of the same migration (a batch) does not even hash
// its key.
func (mr *modelReg) lookup(from, to Version) *plan {
	key := [2]Version{from, to}
	if e := mr.last.Load(); e != nil && e.key == key {
		return e.plan
	}
	if v, ok := mr.plans.Load(key); ok {
		e := v.(*planEntry)
		mr.last.Store(e)
		return e.plan
	}
	pl := mr.graph.shortest(mr, from, to)
	if pl == nil && (!mr.isNode(from) || !mr.isNode(to)) {
		return nil
	}
	v, _ := mr.plans.LoadOrStore(key, &planEntry{key: key, plan: pl})
	return v.(*planEntry).plan
}

// planEntry is a cached plan (nil: no path) with its key.
type planEntry struct {
	key  [2]Version
	plan *plan
}
