#!/usr/bin/env bash
# Load-tests rw-server (docs/performance.md, "Server load"): starts one release rw-server with its benchmark-only
# Echo service on an ephemeral port over a fresh database, runs load-generator against it (Scalarize vs Echo,
# ReportGradients vs raw GRDB writes of the same rows), stops the server with SIGTERM.
#
#     Benchmarks/load-test.sh [load-generator options]     e.g. --duration 10 --warmup 2 --callers 64
#
# Then, unless RW_LOAD_BASELINES=0, the Scalarize baselines of issue 18 at 1 and 64 concurrent calls:
#   - load-generator's Echo and Scalarize (a new step per call) against rw-server and against
#     Benchmarks/python_baseline_server.py, a plain grpcio + numpy server with the same durable SQLite insert;
#   - nghttp2's h2load (Debian nghttp2-client), a neutral generator, sending Echo to both (h2load repeats one
#     body, so it cannot send a new Scalarize step per call; Echo is what it can measure for both).
#
# Both executables are built in release from this package (rw-server is the root package's product, built here
# so that the two share one release build of the gRPC and SQLite dependencies). Environment:
#   RW_LOAD_DIR        scratch directory for the server's database, its log and the results (default /tmp/rw-load-test)
#   RW_LOAD_BASELINES  0 skips the baselines; RW_LOAD_BASELINE_SECONDS: measured seconds of each (default 10)
#   PYTHON             a Python with grpcio, numpy and clients/python installed (default python3); without them,
#                      the Python baseline is skipped with a message
# Prints progress and Markdown tables on stdout; exits non-zero if any call failed.
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

[[ "${RW_LOAD_BASELINES:-1}" == 0 ]] && exit 0

python="${PYTHON:-python3}"
baseline_port=""
if "$python" -c 'import grpc, numpy, rewardweighting' 2>/dev/null; then
    "$python" "$here/python_baseline_server.py" --port-file "$run_dir/baseline-port" \
        --database "$run_dir/baseline.sqlite" 2>"$run_dir/baseline.log" &
    baseline=$!
    trap 'kill "$baseline" 2>/dev/null || true; stop_server' EXIT
    for _ in $(seq 1 200); do
        [[ -s "$run_dir/baseline-port" ]] && break
        kill -0 "$baseline" 2>/dev/null || { cat "$run_dir/baseline.log" >&2; exit 1; }
        sleep 0.05
    done
    baseline_port="$(tr -d '[:space:]' <"$run_dir/baseline-port")"
else
    echo "skipping the Python baseline: $python lacks grpcio, numpy or the rewardweighting client" >&2
fi

echo
echo "### Scalarize against the Python baseline (load-generator, a new step per call)"
for callers in 1 64; do
    for target in "rw-server:$port" ${baseline_port:+"python-baseline:$baseline_port"}; do
        echo "#### ${target%%:*}, $callers caller(s)"
        "$bin/load-generator" --port "${target##*:}" --phases echo,scalarize --callers "$callers" \
            --warmup 2 --duration "${RW_LOAD_BASELINE_SECONDS:-10}" --json-out "$run_dir/baseline-${target%%:*}-$callers.json" | grep '^|'
    done
done

if command -v h2load >/dev/null; then
    # One Echo request, gRPC-framed: the N×K batch load-generator sends (N = 512, K = 3).
    "$python" - "$run_dir/echo-body.bin" <<'PY' || { echo "cannot write the h2load body" >&2; exit 1; }
import random, struct, sys
def varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)
values = b"".join(struct.pack("<d", random.random()) for _ in range(512 * 3))
rewards = b"\x08\x03" + b"\x12" + varint(len(values)) + values          # RewardMatrix {num_objectives, values}
request = b"\x0a\x06h2load" + b"\x10\x01" + b"\x1a" + varint(len(rewards)) + rewards  # ScalarizeRequest
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(request)) + request)
PY
    echo
    echo "### Echo with h2load (a neutral generator), 20 000 calls on one connection"
    echo "| server | streams | calls/s | mean (µs) | sd (µs) | max |"
    echo "|---|---|---|---|---|---|"
    for target in "rw-server:$port" ${baseline_port:+"python-baseline:$baseline_port"}; do
        for streams in 1 64; do
            out="$(h2load -n 20000 -c 1 -m "$streams" -d "$run_dir/echo-body.bin" -H 'content-type: application/grpc' \
                -H 'te: trailers' "http://127.0.0.1:${target##*:}/rewardweighting.v1.BenchmarkService/Echo")"
            grep -q ' 0 failed, 0 errored' <<<"$out" || { echo "$out" >&2; exit 1; }
            rate="$(awk '/^finished in/ {print $4}' <<<"$out")"
            read -r _ _ _ _ max mean sd _ <<<"$(grep '^time for request' <<<"$out")"
            echo "| ${target%%:*} | $streams | $rate | $mean | $sd | $max |"
        done
    done
else
    echo "skipping h2load: not installed (Debian: apt-get install nghttp2-client)" >&2
fi
