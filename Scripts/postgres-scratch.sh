#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests and deploy/local-cluster.sh: Debian's `postgresql`
# binaries, a data directory of its own under DIR (initdb), trust authentication for the role `rw`, listening on
# 127.0.0.1 only, stopped and left on disk by `stop` (remove DIR to forget it).
#
#   Scripts/postgres-scratch.sh start DIR [PORT] [--no-fsync]   starts it; prints its URL
#                                                                (postgres://rw@127.0.0.1:PORT/rw?sslmode=disable)
#   Scripts/postgres-scratch.sh url DIR                          prints the URL of a started server
#   Scripts/postgres-scratch.sh stop DIR                         stops it (fast shutdown); the data stays
#   Scripts/postgres-scratch.sh remove DIR                       stops it and deletes its data
#
# PORT defaults to a free ephemeral port. --no-fsync turns fsync off: for tests only, never for figures that
# are about durability. As root, the server runs as the `postgres` user (initdb refuses root); when that user
# cannot reach DIR (a private temporary directory, say), the data lives in a directory of its own under /tmp
# instead, named in DIR/location.
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
        # From /, which the postgres user can enter (the caller's directory may be private).
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The directory that holds data/ and the socket: DIR, or where DIR/location points.
location() {
    if [[ -f "$dir/location" ]]; then
        cat "$dir/location"
    else
        echo "$dir"
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
    home=$(location)
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$home"
        if ! runuser -u postgres -- test -w "$home"; then
            home=$(mktemp -d /tmp/rw-postgres.XXXXXX)
            chown postgres "$home"
            echo "$home" >"$dir/location"
        fi
    fi
    if [[ ! -f "$home/data/PG_VERSION" ]]; then
        as_owner "$bindir/initdb" -D "$home/data" -U rw -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log"
    fi
    as_owner "$bindir/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $home -c fsync=$fsync -c max_connections=300" start \
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
stop | remove)
    home=$(location)
    if [[ -f "$home/data/postmaster.pid" ]]; then
        as_owner "$bindir/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null
    fi
    if [[ "$command" == remove ]]; then
        rm -rf "$home/data" "$home/server.log" "$dir/port" "$dir/initdb.log"
        if [[ "$home" != "$dir" ]]; then
            rm -rf "$home" "$dir/location"
        fi
    fi
    ;;
*)
    usage
    ;;
esac
