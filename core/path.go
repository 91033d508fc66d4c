package core

import (
	"slices"
)

// plan is a precomputed migration between two versions of a model.
type plan struct {
	path  []Version
	steps []planStep
}

type planStep struct {
	from, to Version
	fn       MigrationFunc // nil for an auto step
	fromMV   *modelVersion // nil when the version is not registered
	toMV     *modelVersion
}

// edge is one possible step of the graph.
type edge struct {
	to   Version
	fn   MigrationFunc
	auto bool
}

// computePlans finds, for every pair of versions of a model, the shortest
// path: fewest steps first, then fewest auto steps, then the lowest
// versions first; deterministic whatever the registration order. The
// graph has an edge per registered migration, and an auto edge between
// adjacent registered versions (either way) into a BackwardCompatible
// version where no function is registered for that pair. Plans are
// computed once per registration, so a migration only looks one up.
func computePlans(mr *modelReg) map[[2]Version]*plan {
	nodeSet := map[Version]bool{}
	for _, v := range mr.versions {
		nodeSet[v] = true
	}
	adj := map[Version][]edge{}
	for k, fn := range mr.migrations {
		nodeSet[k[0]], nodeSet[k[1]] = true, true
		adj[k[0]] = append(adj[k[0]], edge{to: k[1], fn: fn})
	}
	for i := 0; i+1 < len(mr.versions); i++ {
		a, b := mr.versions[i], mr.versions[i+1]
		for _, p := range [2][2]Version{{a, b}, {b, a}} {
			if _, explicit := mr.migrations[p]; explicit {
				continue
			}
			if mr.byVersion[p[1]].compatible {
				adj[p[0]] = append(adj[p[0]], edge{to: p[1], auto: true})
			}
		}
	}
	nodes := make([]Version, 0, len(nodeSet))
	for v := range nodeSet {
		nodes = append(nodes, v)
	}
	slices.SortFunc(nodes, Version.Compare)
	for v := range adj {
		slices.SortFunc(adj[v], func(x, y edge) int { return x.to.Compare(y.to) })
	}

	plans := make(map[[2]Version]*plan)
	type cost struct{ steps, autos int }
	less := func(a, b cost) bool { return a.steps < b.steps || a.steps == b.steps && a.autos < b.autos }
	for _, src := range nodes {
		// Dijkstra over a small graph; ties go to the first (lowest)
		// version, so the result does not depend on map order.
		dist := map[Version]cost{src: {}}
		prev := map[Version]edgeFrom{}
		done := map[Version]bool{}
		for {
			var cur Version
			found := false
			for _, v := range nodes {
				d, ok := dist[v]
				if !ok || done[v] {
					continue
				}
				if !found || less(d, dist[cur]) {
					cur, found = v, true
				}
			}
			if !found {
				break
			}
			done[cur] = true
			for _, e := range adj[cur] {
				nd := dist[cur]
				nd.steps++
				if e.auto {
					nd.autos++
				}
				if od, ok := dist[e.to]; !ok || less(nd, od) {
					dist[e.to] = nd
					prev[e.to] = edgeFrom{from: cur, e: e}
				}
			}
		}
		for _, dst := range nodes {
			if dst == src || !done[dst] {
				continue
			}
			var steps []planStep
			for v := dst; v != src; {
				p := prev[v]
				steps = append(steps, planStep{
					from: p.from, to: v, fn: p.e.fn,
					fromMV: mr.byVersion[p.from], toMV: mr.byVersion[v],
				})
				v = p.from
			}
			slices.Reverse(steps)
			path := make([]Version, 0, len(steps)+1)
			path = append(path, src)
			for _, s := range steps {
				path = append(path, s.to)
			}
			plans[[2]Version{src, dst}] = &plan{path: path[:len(path):len(path)], steps: steps}
		}
	}
	return plans
}

type edgeFrom struct {
	from Version
	e    edge
}
