#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests and deploy/local-cluster.sh: Debian's `postgresql`
# binaries, a data directory of its own under DIR (initdb), trust authentication for the role `rw`, listening on
# 127.0.0.1 only, stopped and left on disk by `stop` (remove DIR to forget it).
#
#   Scripts/postgres-scratch.sh start DIR [PORT] [--no-fsync]   starts it; prints its URL
#                                                                (postgres://rw@127.0.0.1:PORT/rw?sslmode=disable)
#   Scripts/postgres-scratch.sh url DIR                          prints the URL of a started server
#   Scripts/postgres-scratch.sh stop DIR                         stops it (fast shutdown)
#
# PORT defaults to a free ephemeral port. --no-fsync turns fsync off: for tests only, never for figures that
# are about durability. As root, the server runs as the `postgres` user (initdb refuses root).
set -euo pipefail

usage() {
    sed -n '2,12p' "$0" >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
shift 2

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$candidate/initdb" ]]; then
        bindir=$candidate
        break
    fi
done
if [[ -z "$bindir" ]]; then
    if command -v initdb >/dev/null 2>&1; then
        bindir=$(dirname "$(command -v initdb)")
    else
        echo "postgres-scratch: no PostgreSQL server binaries (install Debian's postgresql package)" >&2
        exit 1
    fi
fi

# Runs a server binary as a user that initdb accepts.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    port=""
    fsync=on
    for argument in "$@"; do
        case "$argument" in
        --no-fsync) fsync=off ;;
        *) port=$argument ;;
        esac
    done
    if [[ -z "$port" ]]; then
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$dir"
    fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        as_owner "$bindir/initdb" -D "$dir/data" -U rw -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log"
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$fsync -c max_connections=300" start \
        >/dev/null
    if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U rw -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'rw'" \
        | grep -q 1; then
        "$bindir/createdb" -h 127.0.0.1 -p "$port" -U rw rw
    fi
    echo "$port" >"$dir/port"
    echo "postgres://rw@127.0.0.1:$port/rw?sslmode=disable"
    ;;
url)
    echo "postgres://rw@127.0.0.1:$(cat "$dir/port")/rw?sslmode=disable"
    ;;
stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
*)
    usage
    ;;
esac
