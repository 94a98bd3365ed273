#!/usr/bin/env bash
# Scale-out figures (docs/performance.md, "Replicas on PostgreSQL"), measured in one run on this machine:
# Scalarize (N=512, K=3) and ReportGradients (K=3), each with CALLERS runs and one caller per run (a trainer per
# run), against
#   1. one rw-server on SQLite (the embedded default), called directly;
#   2. 1, 2 and 3 rw-server replicas on one PostgreSQL behind nginx (deploy/local-cluster.sh), called through nginx,
#      with a run's calls to one replica (nginx hashes on the rw-run-id the callers send: the default) and, for 2 and 3
#      replicas, round robin per call (RW_CLUSTER_ROUTING=call), which makes every replica follow every run.
# For every configuration: calls/s, p50 and p99 (load-generator), and the CPU time per call of the rw-server
# processes (all replicas together), of PostgreSQL and of nginx, read from /proc before and after each phase.
#
#     Benchmarks/replicas.sh            environment: RW_REPLICAS_CALLERS (default 32), RW_REPLICAS_DURATION (10 s)
#
# Kernels run in-process everywhere, so that a replica's CPU time is all in one process. The phases have no
# warm-up (CPU time is counted over every call); PostgreSQL runs with fsync on, SQLite with synchronous=FULL.
# Prints a Markdown table; the raw results stay in the printed directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
callers=${RW_REPLICAS_CALLERS:-32}
duration=${RW_REPLICAS_DURATION:-10}
out=$(mktemp -d /tmp/rw-replicas.XXXXXX)
ticks=$(getconf CLK_TCK)

echo "building rw-server and load-generator (release)" >&2
swift build -c release --package-path "$here" --product rw-server >&2
swift build -c release --package-path "$here" --product load-generator >&2
bin="$(swift build -c release --package-path "$here" --show-bin-path)"

# CPU seconds (user + system) of the processes whose pids are given, children that exited included.
cpu_of() {
    local total=0 pid fields
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        # Fields after the command name: utime is 14, stime 15, cutime 16, cstime 17 (1-based, whole line).
        fields=$(sed 's/^.*) //' "/proc/$pid/stat")
        total=$((total + $(echo "$fields" | awk '{print $12 + $13 + $14 + $15}')))
    done
    echo "$total"
}

pids_of() { pgrep -x "$1" | tr '\n' ' ' || true; }

# phase NAME LABEL HOST PORT "SERVER PIDS": runs one load-generator phase and records its figures and CPU.
phase() {
    local name=$1 label=$2 host=$3 port=$4 servers=$5
    local postgres nginx before_s before_p before_n after_s after_p after_n
    postgres=$(pids_of postgres)
    nginx=$(pids_of nginx)
    # shellcheck disable=SC2086
    before_s=$(cpu_of $servers)
    # shellcheck disable=SC2086
    before_p=$(cpu_of $postgres)
    # shellcheck disable=SC2086
    before_n=$(cpu_of $nginx)
    # A phase with failed calls exits 1; its errors are in the table.
    "$bin/load-generator" --host "$host" --port "$port" --callers "$callers" --warmup 0 --duration "$duration" \
        --phases "$name" --scalarize-runs per-caller --json-out "$out/$label-$name.json" >"$out/$label-$name.log" \
        || true
    # shellcheck disable=SC2086
    after_s=$(cpu_of $servers)
    # shellcheck disable=SC2086
    after_p=$(cpu_of $postgres)
    # shellcheck disable=SC2086
    after_n=$(cpu_of $nginx)
    python3 - "$out/$label-$name.json" "$label" "$ticks" "$((after_s - before_s))" "$((after_p - before_p))" \
        "$((after_n - before_n))" >>"$out/rows.md" <<'EOF'
import json, sys
path, label, ticks, server, postgres, nginx = sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(int, sys.argv[4:])
result = json.load(open(path))[0]
calls = result["calls"] or 1
per_call = lambda t: f"{1e6 * t / ticks / calls:.0f}"
print(f"| {result['name'].split(' ')[0]} | {label} | {result['calls']} | {result['errors']} | "
      f"{result['callsPerSecond']:.0f} | {1e3 * result['p50']:.2f} | {1e3 * result['p99']:.2f} | "
      f"{per_call(server)} | {per_call(postgres) if postgres else '–'} | {per_call(nginx) if nginx else '–'} |")
EOF
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); results in $out" >&2

# 1. SQLite, one server, called directly.
mkdir -p "$out/sqlite"
"$bin/rw-server" --port 0 --port-file "$out/sqlite/port" --http-port 0 --database "$out/sqlite/runs.sqlite" \
    --kernels in-process --log-level warning 2>"$out/sqlite/server.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do [[ -s "$out/sqlite/port" ]] && break; sleep 0.05; done
port=$(tr -d '[:space:]' <"$out/sqlite/port")
for name in scalarize gradients; do phase "$name" "SQLite, 1 server" 127.0.0.1 "$port" "$server"; done
kill -TERM "$server"
wait "$server" || true
trap - EXIT

# 2. PostgreSQL, 1–3 replicas behind nginx: a run per replica, then round robin per call.
for setup in 1:run 2:run 3:run 2:call 3:call; do
    replicas=${setup%%:*}
    routing=${setup##*:}
    cluster="$out/cluster-$replicas-$routing"
    export RW_CLUSTER_DIR="$cluster" RW_SERVER_BINARY="$bin/rw-server" RW_CLUSTER_KERNELS=in-process \
        RW_CLUSTER_ROUTING="$routing"
    trap '"$root/deploy/local-cluster.sh" down --remove >/dev/null' EXIT
    "$root/deploy/local-cluster.sh" up "$replicas" >"$out/cluster-$replicas-$routing.log"
    # shellcheck disable=SC1091
    source "$cluster/cluster.env"
    servers=""
    for ((i = 1; i <= replicas; i++)); do servers+="$(cat "$cluster/replica-$i.pid") "; done
    for name in scalarize gradients; do
        [[ "$routing" == run ]] && how="a run per replica" || how="round robin per call"
        phase "$name" "PostgreSQL, $replicas replica(s) + nginx, $how" 127.0.0.1 "${RW_CLUSTER_GRPC##*:}" "$servers"
    done
    "$root/deploy/local-cluster.sh" down --remove >/dev/null
    trap - EXIT
done

echo ""
echo "| RPC | store, servers | calls | errors | calls/s | p50 (ms) | p99 (ms) | rw-server CPU µs/call | PostgreSQL CPU µs/call | nginx CPU µs/call |"
echo "|---|---|---|---|---|---|---|---|---|---|"
sort -s -t'|' -k2,2 "$out/rows.md"
echo ""
echo "($callers runs, one caller each, $duration s per phase; $(nproc) CPUs; raw results in $out)"
