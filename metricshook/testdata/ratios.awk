# ratios.awk reads `go test -bench` output of package metricshook and
# prints the ratios of its targets, from the median of each benchmark's
# runs, for wall time (ns/op) and, where measured, process CPU time
# (cpu-ns/op: GC work included, and far less disturbed by other processes):
#
#	GOWORK=off go test -run '^$' -bench . -benchmem -cpu 1,2 -count 5 . | awk -f testdata/ratios.awk
/^Benchmark/ {
	name = $1
	procs = 1
	if (match(name, /-[0-9]+$/)) { procs = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
	key = name "@" procs
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") { n[key, "ns/op"]++; v[key, "ns/op", n[key, "ns/op"]] = $i }
		if ($(i+1) == "cpu-ns/op") { n[key, "cpu-ns/op"]++; v[key, "cpu-ns/op", n[key, "cpu-ns/op"]] = $i }
		if ($(i+1) == "allocs/op") { allocs[key] = $i }
	}
}
function median(key, unit,    k, j, x, c, tmp) {
	c = n[key, unit]
	for (k = 1; k <= c; k++) tmp[k] = v[key, unit, k]
	for (k = 2; k <= c; k++) {
		x = tmp[k]
		for (j = k - 1; j >= 1 && tmp[j] > x; j--) tmp[j+1] = tmp[j]
		tmp[j+1] = x
	}
	if (c % 2) return tmp[(c+1)/2]
	return (tmp[c/2] + tmp[c/2+1]) / 2
}
function have(key) { return n[key, "ns/op"] > 0 }
function cpu(key) { return n[key, "cpu-ns/op"] > 0 }
function ratio(a, b,    s) {
	s = sprintf("%.3fx wall", median(a, "ns/op") / median(b, "ns/op"))
	if (cpu(a) && cpu(b)) s = s sprintf(", %.3fx cpu", median(a, "cpu-ns/op") / median(b, "cpu-ns/op"))
	return s
}
END {
	split("small typical", sizes, " ")
	for (p = 1; p <= 2; p++) {
		for (k = 1; k <= 2; k++) {
			a = "BenchmarkMigrateMetricsHook/" sizes[k] "@" p
			b = "BenchmarkMigrateNoHooks/" sizes[k] "@" p
			c = "BenchmarkMigrateNopHook/" sizes[k] "@" p
			if (!have(a) || !have(b)) continue
			printf "MetricsHook / NoHooks, %-7s -cpu %d: %s; allocs %s vs %s   (target <= 1.2, same allocs)\n", sizes[k], p, ratio(a, b), allocs[a], allocs[b]
			if (have(c))
				printf "  NopHook / NoHooks (the engine's cost of any hook): %s\n", ratio(c, b)
		}
	}
	for (k = 1; k <= 2; k++) {
		a = "BenchmarkMigrateMetricsHookParallel/" sizes[k]
		b = "BenchmarkMigrateNoHooksParallel/" sizes[k]
		if (have(a "@2") && have(a "@1"))
			printf "MetricsHookParallel/%-7s -cpu 2 / -cpu 1: %.3fx wall   (target <= 0.65)\n", sizes[k], median(a "@2", "ns/op") / median(a "@1", "ns/op")
		if (have(b "@2") && have(b "@1"))
			printf "  NoHooksParallel/%-7s -cpu 2 / -cpu 1: %.3fx wall (the same without the hook)\n", sizes[k], median(b "@2", "ns/op") / median(b "@1", "ns/op")
	}
	if (have("BenchmarkHookParallel@2") && have("BenchmarkHookParallel@1"))
		printf "HookParallel -cpu 2 / -cpu 1: %.3fx wall (the hook alone)\n", median("BenchmarkHookParallel@2", "ns/op") / median("BenchmarkHookParallel@1", "ns/op")
}
