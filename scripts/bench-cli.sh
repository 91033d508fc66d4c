#!/usr/bin/env bash
# The migrate command's benchmark: throughput against jq on the same file,
# in the same run, and peak memory at two input sizes.
#
#   scripts/bench-cli.sh [RECORDS]   (default 1000000; the memory check also runs 4x that)
#
# Records: 8 fields at version 1.0.0, migrated to 3.0.0 through two
# functions that each add a field, with validation, --workers 2. The
# baseline is jq adding the same two fields: jq -c '.email=... | .age=0'.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOWORK=off
n=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd examples && go build -o "$work/transmute-bench" ./cmd/transmute-bench)

gen() { # gen N FILE: N records of version 1.0.0, the lines of internal/benchmodels.Line
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"schema_version\":\"1.0.0\",\"name\":\"User %d\",\"city\":\"Paris\",\"country\":\"FR\",\"id\":%d,\"visits\":%d,\"active\":true,\"score\":%d.5,\"note\":\"none\"}\n", i, i, i % 1000, i % 100 }' > "$2"
}
gen "$n" "$work/in.jsonl"

quiet() { "$@" 2>/dev/null; }

# best of 3 wall-clock seconds of a command
best() {
	local b=""
	for _ in 1 2 3; do
		local s e
		s=$(date +%s.%N)
		"$@" > /dev/null
		e=$(date +%s.%N)
		b=$(echo "$s $e $b" | awk '{ t = $2 - $1; if ($3 == "" || t < $3) print t; else print $3 }')
	done
	echo "$b"
}

t_jq=$(best jq -c '.email="unknown@example.com" | .age=0' "$work/in.jsonl")
t_tm=$(best quiet "$work/transmute-bench" migrate -m Record --to latest --workers 2 -o /dev/null "$work/in.jsonl")
t_ty=$(best quiet "$work/transmute-bench" migrate -m TypedRecord --to latest --workers 2 -o /dev/null "$work/in.jsonl")
awk -v n="$n" -v jq="$t_jq" -v tm="$t_tm" -v ty="$t_ty" 'BEGIN {
	printf "records: %d\n", n
	printf "jq 1.6:    %.2f s (%.0f records/s)\n", jq, n / jq
	printf "transmute, map steps:   %.2f s (%.0f records/s), --workers 2: %.2fx jq\n", tm, n / tm, jq / tm
	printf "transmute, typed steps: %.2f s (%.0f records/s), --workers 2: %.2fx jq\n", ty, n / ty, jq / ty
}'

peak() { # peak resident KiB of a migrate run of MODEL over FILE
	/usr/bin/time -o "$work/time" -f %M "$work/transmute-bench" migrate -m "$1" --to latest --workers 2 -o /dev/null "$2" 2>/dev/null
	cat "$work/time"
}
gen $((n * 4)) "$work/in4.jsonl"
for model in Record TypedRecord; do
	m1=$(peak "$model" "$work/in.jsonl")
	m4=$(peak "$model" "$work/in4.jsonl")
	awk -v model="$model" -v n="$n" -v a="$m1" -v b="$m4" 'BEGIN {
		printf "peak memory, %s: %d records %.1f MiB, %d records %.1f MiB (%+.1f%%)\n", model, n, a / 1024, 4 * n, b / 1024, (b - a) * 100 / a
	}'
done
