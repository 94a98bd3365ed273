#!/usr/bin/env bash
# Load-tests rw-server (docs/performance.md, "Server load"): starts one release rw-server with its benchmark-only
# Echo service on an ephemeral port over a fresh database, runs load-generator against it (Scalarize vs Echo,
# ReportGradients vs raw GRDB writes of the same rows), stops the server with SIGTERM.
#
#     Benchmarks/load-test.sh [load-generator options]     e.g. --duration 10 --warmup 2 --callers 64
#
# Both executables are built in release from this package (rw-server is the root package's product, built here
# so that the two share one release build of the gRPC and SQLite dependencies). Environment:
#   RW_LOAD_DIR   scratch directory for the server's database, its log and the results (default /tmp/rw-load-test)
# Prints progress and a Markdown table on stdout; exits non-zero if any call failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="${RW_LOAD_DIR:-/tmp/rw-load-test}"
mkdir -p "$scratch"

echo "building rw-server and load-generator (release)" >&2
swift build -c release --package-path "$here" --product rw-server >&2
swift build -c release --package-path "$here" --product load-generator >&2
bin="$(swift build -c release --package-path "$here" --show-bin-path)"

run_dir="$(mktemp -d "$scratch/run.XXXXXX")"
database="$run_dir/server.sqlite"
port_file="$run_dir/port"
"$bin/rw-server" --enable-benchmark-service --port 0 --port-file "$port_file" --http-port 0 --database "$database" \
    --log-level warning 2>"$run_dir/server.log" &
server=$!
stop_server() {
    if kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || echo "rw-server exited with status $?" >&2
    fi
}
trap stop_server EXIT

for _ in $(seq 1 200); do
    [[ -s "$port_file" ]] && break
    kill -0 "$server" 2>/dev/null || { cat "$run_dir/server.log" >&2; exit 1; }
    sleep 0.05
done
port="$(tr -d '[:space:]' <"$port_file")"
echo "rw-server pid $server on 127.0.0.1:$port, database $database" >&2
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$bin/load-generator" --port "$port" --server-database "$database" --scratch-directory "$run_dir" \
    --json-out "$run_dir/results.json" "$@"
echo "results: $run_dir/results.json" >&2
