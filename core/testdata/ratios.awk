# ratios.awk reads `go test -bench` output of package core and prints the
# ratios of the issue's targets, from the median of each benchmark's runs:
#
#	GOWORK=off go test -run '^$' -bench . -benchmem -count 5 ./core | awk -f core/testdata/ratios.awk
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") { n[name]++; ns[name, n[name]] = $i }
		if ($(i+1) == "allocs/op") { allocs[name] = $i }
	}
}
function median(name,    k, j, v, c, tmp) {
	c = n[name]
	for (k = 1; k <= c; k++) tmp[k] = ns[name, k]
	for (k = 2; k <= c; k++) {
		v = tmp[k]
		for (j = k - 1; j >= 1 && tmp[j] > v; j--) tmp[j+1] = tmp[j]
		tmp[j+1] = v
	}
	if (c % 2) return tmp[(c+1)/2]
	return (tmp[c/2] + tmp[c/2+1]) / 2
}
function have(name) { return n[name] > 0 }
END {
	if (have("BenchmarkDirect") && have("BenchmarkMigrate")) {
		r = median("BenchmarkMigrate") / median("BenchmarkDirect")
		printf "Migrate / Direct            = %.2fx  (target <= 1.5)  %s\n", r, (r <= 1.5 ? "ok" : "MISSED")
		printf "  Direct %.0f ns/op %s allocs, Migrate %.0f ns/op %s allocs\n", median("BenchmarkDirect"), allocs["BenchmarkDirect"], median("BenchmarkMigrate"), allocs["BenchmarkMigrate"]
	}
	if (have("BenchmarkMigrateData") && have("BenchmarkDirect"))
		printf "MigrateData / Direct        = %.2fx\n", median("BenchmarkMigrateData") / median("BenchmarkDirect")
	base = "BenchmarkMigrateHooks/0"
	if (have(base)) {
		split("1 2 4 8", hs, " ")
		for (k = 1; k <= 4; k++) {
			h = "BenchmarkMigrateHooks/" hs[k]
			if (!have(h)) continue
			per = (median(h) / median(base) - 1) / hs[k] * 100
			da = allocs[h] - allocs[base]
			printf "MigrateHooks/%s / 0          = %.3fx  (%+.1f%% per hook, target <= 5%%; %+d allocs, target 0)  %s\n", hs[k], median(h) / median(base), per, da, (per <= 5 && da == 0) ? "ok" : "MISSED"
		}
	}
	if (have("BenchmarkBatch/workers=1") && have("BenchmarkBatch/workers=2")) {
		r = median("BenchmarkBatch/workers=1") / median("BenchmarkBatch/workers=2")
		printf "Batch workers=1 / workers=2 = %.2fx faster  (target >= 1.6)  %s\n", r, (r >= 1.6 ? "ok" : "MISSED")
	}
	if (have("BenchmarkStream/workers=1") && have("BenchmarkStream/workers=2"))
		printf "Stream workers=1 / workers=2 = %.2fx faster\n", median("BenchmarkStream/workers=1") / median("BenchmarkStream/workers=2")
}
