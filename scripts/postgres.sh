#!/usr/bin/env bash
# scripts/postgres.sh: make sure PostgreSQL's server programs (initdb,
# pg_ctl) are installed, for the tests of pgmigrate and the postgres
# example, which start throwaway servers of their own
# (internal/pgserver). On a machine without them it installs Debian's
# postgresql package (as root, or with sudo). Nothing is started here.
set -euo pipefail

have() {
	command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

if have; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "postgres: initdb and pg_ctl are not installed, and this is not a Debian machine: install PostgreSQL's server programs" >&2
	exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
	sudo=(sudo)
fi
echo "postgres: installing Debian's postgresql package (initdb, pg_ctl)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
have || { echo "postgres: installed postgresql, but initdb is still missing" >&2; exit 1; }
