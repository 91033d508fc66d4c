# ratios.awk reads `go test -bench` output of package core and prints the
# ratios of the issue's targets, from the median of each benchmark's runs,
# for wall time (ns/op) and for process CPU time (cpu-ns/op: GC work
# included, and far less disturbed by other processes on a busy machine):
#
#	GOWORK=off go test -run '^$' -bench . -benchmem -count 5 ./core | awk -f core/testdata/ratios.awk
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") { n[name, "ns/op"]++; v[name, "ns/op", n[name, "ns/op"]] = $i }
		if ($(i+1) == "cpu-ns/op") { n[name, "cpu-ns/op"]++; v[name, "cpu-ns/op", n[name, "cpu-ns/op"]] = $i }
		if ($(i+1) == "allocs/op") { allocs[name] = $i }
	}
}
function median(name, unit,    k, j, x, c, tmp) {
	c = n[name, unit]
	for (k = 1; k <= c; k++) tmp[k] = v[name, unit, k]
	for (k = 2; k <= c; k++) {
		x = tmp[k]
		for (j = k - 1; j >= 1 && tmp[j] > x; j--) tmp[j+1] = tmp[j]
		tmp[j+1] = x
	}
	if (c % 2) return tmp[(c+1)/2]
	return (tmp[c/2] + tmp[c/2+1]) / 2
}
function have(name) { return n[name, "ns/op"] > 0 }
function cpu(name) { return n[name, "cpu-ns/op"] > 0 }
# ratio prints a/b for wall time and, when measured, CPU time.
function ratio(a, b,    s) {
	s = sprintf("%.2fx wall", median(a, "ns/op") / median(b, "ns/op"))
	if (cpu(a) && cpu(b)) s = s sprintf(", %.2fx cpu", median(a, "cpu-ns/op") / median(b, "cpu-ns/op"))
	return s
}
END {
	if (have("BenchmarkDirect") && have("BenchmarkMigrate")) {
		printf "Migrate / Direct:            %s   (target <= 1.5)\n", ratio("BenchmarkMigrate", "BenchmarkDirect")
		printf "  allocs/op: Direct %s, Migrate %s\n", allocs["BenchmarkDirect"], allocs["BenchmarkMigrate"]
	}
	if (have("BenchmarkMigrateData") && have("BenchmarkDirect"))
		printf "MigrateData / Direct:        %s\n", ratio("BenchmarkMigrateData", "BenchmarkDirect")
	base = "BenchmarkMigrateHooks/0"
	if (have(base)) {
		split("1 2 4 8", hs, " ")
		for (k = 1; k <= 4; k++) {
			h = "BenchmarkMigrateHooks/" hs[k]
			if (!have(h)) continue
			line = sprintf("MigrateHooks/%s / 0:          %s", hs[k], ratio(h, base))
			line = line sprintf("; per hook %+.1f%% wall", (median(h, "ns/op") / median(base, "ns/op") - 1) / hs[k] * 100)
			if (cpu(h) && cpu(base))
				line = line sprintf(", %+.1f%% cpu", (median(h, "cpu-ns/op") / median(base, "cpu-ns/op") - 1) / hs[k] * 100)
			printf "%s; %+d allocs   (target <= 5%% and 0 allocs per hook)\n", line, allocs[h] - allocs[base]
		}
	}
	if (have("BenchmarkBatch/workers=1") && have("BenchmarkBatch/workers=2"))
		printf "Batch workers=1 / workers=2: %.2fx faster (wall)   (target >= 1.6)\n", median("BenchmarkBatch/workers=1", "ns/op") / median("BenchmarkBatch/workers=2", "ns/op")
	if (have("BenchmarkDirectBatch/workers=1") && have("BenchmarkDirectBatch/workers=2"))
		printf "  ceiling, no engine (DirectBatch): %.2fx faster\n", median("BenchmarkDirectBatch/workers=1", "ns/op") / median("BenchmarkDirectBatch/workers=2", "ns/op")
	if (have("BenchmarkStream/workers=1") && have("BenchmarkStream/workers=2"))
		printf "Stream workers=1 / workers=2: %.2fx faster (wall)\n", median("BenchmarkStream/workers=1", "ns/op") / median("BenchmarkStream/workers=2", "ns/op")
}
