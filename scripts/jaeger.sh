#!/usr/bin/env bash
# scripts/jaeger.sh start|stop|restart|status
#
# Runs the project's real Jaeger (v2, pinned in tools/go.mod and built into
# bin/jaeger by `make jaeger`) for the integration tests, on loopback only,
# with integration/jaeger.yaml: in-memory storage, OTLP gRPC receiver, query
# HTTP API. Needs only bash and the built binary (no curl, python or docker).
#
#   start    stop any Jaeger this script started before (tmp/jaeger.pid), pick
#            two free 127.0.0.1 ports, start bin/jaeger in the background, wait
#            (at most JAEGER_START_TIMEOUT seconds, default 60) until both the
#            query API and the OTLP port answer, then write tmp/jaeger.env:
#              JAEGER_OTLP_GRPC=127.0.0.1:PORT       (OTLP gRPC endpoint, no scheme)
#              JAEGER_QUERY_URL=http://127.0.0.1:PORT (GET $JAEGER_QUERY_URL/api/traces?service=NAME)
#              JAEGER_PID=PID
#            On failure it prints Jaeger's log and exits non-zero.
#   stop     stop it (SIGTERM, then SIGKILL after 15s); fine when not running.
#            tmp/jaeger.env is kept, so `restart` can reuse its ports.
#   restart  stop if running, then start again on the SAME ports as recorded in
#            tmp/jaeger.env (storage is in memory: traces sent before are gone).
#   status   print the endpoints and exit 0 when running; exit 3 otherwise.
#
# Files (tmp/ is git-ignored): tmp/jaeger.pid, tmp/jaeger.env, tmp/jaeger.log
# (Jaeger's own log; `start` truncates it, `restart` appends to it).
# Overridable: JAEGER_BIN, JAEGER_CONFIG, JAEGER_START_TIMEOUT.
#
# Using it from a Go test (fault injection). `make integration` exports
# TRANSMUTE_ROOT=$(CURDIR) and the variables of tmp/jaeger.env:
#
#	func jaegerSh(t *testing.T, cmd string) {
#		t.Helper()
#		root := os.Getenv("TRANSMUTE_ROOT")
#		if root == "" {
#			t.Skip("TRANSMUTE_ROOT not set: run through `make integration`")
#		}
#		out, err := exec.Command(filepath.Join(root, "scripts", "jaeger.sh"), cmd).CombinedOutput()
#		if err != nil {
#			t.Fatalf("scripts/jaeger.sh %s: %v\n%s", cmd, err, out)
#		}
#	}
#
#	func TestExportSurvivesJaegerOutage(t *testing.T) {
#		t.Cleanup(func() { jaegerSh(t, "restart") }) // later tests need Jaeger up again
#		// ... export spans to os.Getenv("JAEGER_OTLP_GRPC") ...
#		jaegerSh(t, "stop")    // Jaeger is down: exports now fail or retry
#		// ... keep working while it is down ...
#		jaegerSh(t, "restart") // same JAEGER_OTLP_GRPC / JAEGER_QUERY_URL, empty storage;
#		// returns only once the query API and the OTLP port answer again.
#		// ... poll $JAEGER_QUERY_URL/api/traces?service=NAME for the spans ...
#	}
#
# CombinedOutput returns as soon as the script exits: Jaeger's own stdout and
# stderr go to tmp/jaeger.log, not to the script's pipes. Jaeger is shared by
# every test package that `go test ./...` runs in parallel, so a test that
# stops it should live in a package of its own or the run should use -p 1
# (make integration INTEGRATION_FLAGS=-p=1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAEGER_BIN="${JAEGER_BIN:-$ROOT/bin/jaeger}"
JAEGER_CONFIG="${JAEGER_CONFIG:-$ROOT/integration/jaeger.yaml}"
JAEGER_START_TIMEOUT="${JAEGER_START_TIMEOUT:-60}"
TMPDIR_J="$ROOT/tmp"
PID_FILE="$TMPDIR_J/jaeger.pid"
ENV_FILE="$TMPDIR_J/jaeger.env"
LOG_FILE="$TMPDIR_J/jaeger.log"
HOST=127.0.0.1

say() { echo "jaeger.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# port_open PORT: something accepts TCP connections on $HOST:PORT.
port_open() {
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# query_ok PORT: the Jaeger query HTTP API answers 200 on /api/services.
query_ok() (
	exec 3<>"/dev/tcp/$HOST/$1" || exit 1
	printf 'GET /api/services HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$HOST" "$1" >&3 || exit 1
	IFS= read -r -t 5 line <&3 || exit 1
	[[ $line == HTTP/1.?\ 200* ]]
) 2>/dev/null

# free_port [EXCLUDE...]: a random loopback port nobody listens on, taken
# below the kernel's ephemeral range so that outgoing connections do not grab
# it between a stop and a restart.
free_port() {
	local lo=20000 hi=32000 p i ex eph=0
	if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
		read -r eph _ </proc/sys/net/ipv4/ip_local_port_range || true
		if [[ ${eph:-0} -gt 11000 ]]; then hi=$((eph - 1)); lo=$((hi - 10000)); fi
	fi
	for ((i = 0; i < 200; i++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		for ex in "$@"; do [[ $p == "$ex" ]] && continue 2; done
		port_open "$p" || { echo "$p"; return 0; }
	done
	die "no free port found in $lo-$hi"
}

# running PID: PID is a live process (not a zombie).
running() {
	local pid=$1 stat
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
	if [[ -r /proc/$pid/stat ]]; then
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
		stat=${stat##*) }
		[[ ${stat:0:1} != Z ]] || return 1
	fi
	return 0
}

# is_jaeger PID: PID runs a Jaeger binary with a --config (so a pid reused by
# an unrelated process after a reboot or crash is never killed).
is_jaeger() {
	local args
	[[ -r /proc/$1/cmdline ]] || return 0 # no /proc: trust the pid file
	args=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	[[ $args == *jaeger*--config* ]]
}

read_pid() { [[ -f $PID_FILE ]] && cat "$PID_FILE" 2>/dev/null || true; }

do_stop() {
	local pid i
	pid=$(read_pid)
	if [[ -n $pid ]] && running "$pid" && is_jaeger "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 150; i++)); do
			running "$pid" || break
			sleep 0.1
		done
		if running "$pid"; then
			say "pid $pid ignored SIGTERM for 15s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do running "$pid" || break; sleep 0.1; done
		fi
		say "stopped (pid $pid)"
	elif [[ ${1:-} != quiet ]]; then
		say "not running"
	fi
	rm -f "$PID_FILE"
}

# launch OTLP_PORT QUERY_PORT: start Jaeger and wait until it is ready.
# Returns 0 when ready, 2 when a port was taken, 1 on any other failure.
launch() {
	local otlp=$1 query=$2 pid deadline
	JAEGER_OTLP_GRPC_ENDPOINT="$HOST:$otlp" JAEGER_QUERY_HTTP_ENDPOINT="$HOST:$query" \
		"$JAEGER_BIN" --config "file:$JAEGER_CONFIG" </dev/null >>"$LOG_FILE" 2>&1 &
	pid=$!
	echo "$pid" >"$PID_FILE"
	deadline=$((SECONDS + JAEGER_START_TIMEOUT))
	while ((SECONDS < deadline)); do
		if ! running "$pid"; then
			rm -f "$PID_FILE"
			grep -q 'address already in use' "$LOG_FILE" 2>/dev/null && return 2
			return 1
		fi
		if query_ok "$query" && port_open "$otlp"; then
			{
				echo "JAEGER_OTLP_GRPC=$HOST:$otlp"
				echo "JAEGER_QUERY_URL=http://$HOST:$query"
				echo "JAEGER_PID=$pid"
			} >"$ENV_FILE.new"
			mv "$ENV_FILE.new" "$ENV_FILE"
			return 0
		fi
		sleep 0.1
	done
	say "not ready after ${JAEGER_START_TIMEOUT}s, killing pid $pid"
	do_stop >/dev/null 2>&1 || true
	return 1
}

fail_with_log() {
	say "$1"
	say "---- $LOG_FILE (last 80 lines) ----"
	tail -n 80 "$LOG_FILE" >&2 || true
	say "---- end of log ----"
	exit 1
}

# start_on FRESH [OTLP_PORT QUERY_PORT]
start_on() {
	local fresh=$1 otlp=${2:-} query=${3:-} try rc t0
	[[ -x $JAEGER_BIN ]] || die "$JAEGER_BIN not found: run 'make jaeger' first"
	[[ -f $JAEGER_CONFIG ]] || die "$JAEGER_CONFIG not found"
	mkdir -p "$TMPDIR_J"
	do_stop quiet
	t0=$SECONDS
	for try in 1 2 3; do
		if [[ $fresh == yes ]]; then
			: >"$LOG_FILE"
			otlp=$(free_port)
			query=$(free_port "$otlp")
		else
			echo "==== jaeger.sh restart $(date -u +%FT%TZ) on otlp=$otlp query=$query" >>"$LOG_FILE"
			if port_open "$otlp" || port_open "$query"; then
				die "cannot restart: port $otlp or $query is already taken by another process"
			fi
		fi
		rc=0
		launch "$otlp" "$query" || rc=$?
		if [[ $rc == 0 ]]; then
			say "ready in $((SECONDS - t0))s (pid $(read_pid)): JAEGER_OTLP_GRPC=$HOST:$otlp JAEGER_QUERY_URL=http://$HOST:$query (log: $LOG_FILE, env: $ENV_FILE)"
			return 0
		fi
		# A freshly picked port was grabbed by someone else in between: pick again.
		[[ $rc == 2 && $fresh == yes ]] || break
		say "port taken while starting (try $try), picking new ports"
	done
	fail_with_log "Jaeger failed to start ($JAEGER_BIN --config file:$JAEGER_CONFIG)"
}

env_port() { # env_port VAR: the port of VAR in tmp/jaeger.env
	local v
	v=$(grep -E "^$1=" "$ENV_FILE" 2>/dev/null | tail -n 1 | cut -d= -f2-) || true
	v=${v##*:}
	[[ $v =~ ^[0-9]+$ ]] && echo "$v"
}

cmd=${1:-}
case $cmd in
start)
	start_on yes
	;;
stop)
	do_stop
	;;
restart)
	[[ -f $ENV_FILE ]] || die "restart: $ENV_FILE not found (nothing was started): use 'start'"
	otlp=$(env_port JAEGER_OTLP_GRPC) || die "restart: no JAEGER_OTLP_GRPC in $ENV_FILE"
	query=$(env_port JAEGER_QUERY_URL) || die "restart: no JAEGER_QUERY_URL in $ENV_FILE"
	start_on no "$otlp" "$query"
	;;
status)
	pid=$(read_pid)
	if [[ -n $pid ]] && running "$pid" && is_jaeger "$pid"; then
		echo "running (pid $pid)"
		grep -v '^JAEGER_PID=' "$ENV_FILE" 2>/dev/null || true
		exit 0
	fi
	echo "not running"
	exit 3
	;;
*)
	echo "usage: $0 start|stop|restart|status" >&2
	exit 2
	;;
esac
