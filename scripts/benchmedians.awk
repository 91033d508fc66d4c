# benchmedians.awk reads `go test -bench` output and prints, for each benchmark,
# the median over its runs (-count) of every ratio metric (x-...) and of
# ns/op, cpu-ns/op and allocs/op (not for the interleaved ratio benchmarks,
# whose allocations are those of both halves):
#
#	GOWORK=off go test -run '^$' -bench . -benchmem -count 6 . | awk -f ../scripts/benchmedians.awk
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++names] = name }
	for (i = 3; i < NF; i++) {
		unit = $(i+1)
		if (unit ~ /^x-/ || unit == "ns/op" || unit == "cpu-ns/op" || unit == "allocs/op") {
			if (!((name, unit) in n)) units[name] = units[name] " " unit
			n[name, unit]++
			v[name, unit, n[name, unit]] = $i
		}
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
END {
	for (k = 1; k <= names; k++) {
		name = order[k]
		line = sprintf("%-44s", name)
		split(substr(units[name], 2), us, " ")
		for (j = 1; j in us; j++) {
			# the allocations of an interleaved benchmark are those of both halves
			if (us[j] == "allocs/op" && units[name] ~ / x-/) continue
			line = line sprintf("  %s %.3g", us[j], median(name, us[j]))
		}
		print line
	}
}
