#!/usr/bin/env bash
# The ratio benchmarks of the performance targets (P1, P3, P4; T1, T2 and T3
# of typed migrations; PG1 of pgmigrate; H1, H2 of httpversion), a few seconds each:
# fails when a median ratio exceeds its target by more than 10%. Not part
# of `make test` (shared machines are noisy); see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOWORK=off
count=${BENCH_CHECK_COUNT:-5}
fail=0

# median DIR PACKAGE BENCHMARK METRIC: the median of the benchmark's metric
median() {
	local dir=$1 pkg=$2 bench=$3 metric=$4
	(cd "$dir" && go test -run '^$' -bench "^${bench}\$" -benchtime 1s -count "$count" "$pkg") |
		awk -v m="$metric" '/^Benchmark/ { for (i = 3; i < NF; i++) if ($(i + 1) == m) print $i }' |
		sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# check DIR PACKAGE BENCHMARK METRIC TARGET WHAT
check() {
	local bench=$3 target=$5 what=$6
	local median
	median=$(median "$1" "$2" "$3" "$4")
	if awk -v x="$median" -v t="$target" 'BEGIN { exit !(x > t * 1.1) }'; then
		printf 'FAIL %-4s %-60s %.2f > %.2f (+10%%)\n' "$bench" "$what" "$median" "$target"
		fail=1
	elif awk -v x="$median" -v t="$target" 'BEGIN { exit !(x > t) }'; then
		printf 'over %-4s %-60s %.2f > %.2f (within +10%%)\n' "$bench" "$what" "$median" "$target"
	else
		printf 'ok   %-4s %-60s %.2f (target %.2f)\n' "$bench" "$what" "$median" "$target"
	fi
}

# info DIR PACKAGE BENCHMARK METRIC WHAT: a figure with no target of its own
info() { printf 'info %-4s %-60s %.2f (no target)\n' "$3" "$5" "$(median "$1" "$2" "$3" "$4")"; }

check . ./core BenchmarkRatioP1 x-direct 1.5 "P1 Migrate, no hooks / the functions on maps.Clone"
check metricshook . BenchmarkRatioP3 x-none 1.2 "P3 Migrate with metricshook / no hooks, small record"
info metricshook . BenchmarkRatioP3Engine x-none "P3's engine share: a no-op hook / no hooks"
info metricshook . BenchmarkRatioP3ByHand x-none "P3's floor: timed and counted by hand / no hooks"
info metricshook . BenchmarkRatioP3OverByHand x-byhand "P3 against that floor: metricshook / by hand"
check otelhook . BenchmarkRatioP4 x-base 1.3 "P4 otelhook unsampled, SDK meter / bare + 5 measurements"
check . ./core BenchmarkRatioT1 x-direct 2.0 "T1 Convert[V1, V3] typed, no hooks / the two functions by hand"
check . ./core BenchmarkRatioT2 x-byhand 1.2 "T2 MigrateJSON typed / Unmarshal, the functions, Marshal by hand"
info metricshook . BenchmarkRatioT3 x-maps "T3 MigrateJSON with metricshook: typed / map steps"
# H1, H2: per request, a real client and server on loopback; in process
# (ServeHTTP on a recorder, nothing else in the way) reported beside.
check httpversion . BenchmarkRatioH1HTTP x-bare 1.15 "H1 httpversion, a client at the newest / no versioning"
check httpversion . BenchmarkRatioH2HTTP x-inline 1.3 "H2 httpversion, a client two versions back / inline migrations"
info httpversion . BenchmarkRatioH1 x-bare "H1 in process"
info httpversion . BenchmarkRatioH2 x-inline "H2 in process"
# PG1: a round (a backfill of 50,000 rows, the loop by hand and the SQL
# UPDATE, each on a fresh table) is several seconds: one round per run.
export PGMIGRATE_BENCH_ROWS=${PGMIGRATE_BENCH_ROWS:-50000}
check pgmigrate . BenchmarkRatioPG1 x-hand 1.25 "PG1 Backfill / a hand-written pgx loop (time; throughput >= 0.8)"
exit $fail
