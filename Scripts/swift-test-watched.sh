#!/usr/bin/env bash
# `swift test ARGS…` with a watchdog, for CI: its output is line-buffered (a log shows what ran last), and a run
# still going after RW_SWIFT_TEST_TIMEOUT seconds (default 600; the suite takes under a minute here) is stopped
# and fails, after naming the tests that started and did not finish and printing every thread's backtrace (gdb,
# when installed). A test that awaits something that never comes then fails CI in minutes with its name, instead
# of hanging it until the job's limit. Build first (`swift build --build-tests`) and pass --skip-build, so the
# limit measures the tests alone.
set -uo pipefail
cd "$(dirname "$0")/.."

limit="${RW_SWIFT_TEST_TIMEOUT:-600}"
log=$(mktemp "${TMPDIR:-/tmp}/rw-swift-test.XXXXXX")
trap 'rm -f "$log"' EXIT

stdbuf -oL -eL swift test "$@" > >(tee "$log") 2>&1 &
runner=$!

# The tests that started (Swift Testing's "◇ Test NAME started.") and did not pass, fail or skip.
unfinished() {
    python3 - "$log" <<'EOF'
import re, sys
started, finished = [], set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if m := re.search(r"\bTest (.+?) started\.$", line.rstrip()):
        started.append(m.group(1))
    elif m := re.search(r"\bTest (.+?)(?: with \d+ test cases?)? (?:passed|failed|skipped)\b", line):
        finished.add(m.group(1))
for name in started:
    if name != "run" and name not in finished:  # "Test run started." is the run's own line
        print("   ", name)
EOF
}

# The processes under the runner, so that only this run's test processes are stopped.
descendants() {
    local child
    for child in $(pgrep -P "$1"); do
        echo "$child"
        descendants "$child"
    done
}

waited=0
while kill -0 "$runner" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if ((waited >= limit)); then
        echo "== swift test is still running after ${limit} s: these tests started and did not finish"
        unfinished
        for pid in $(descendants "$runner"); do
            [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *PackageTests.xctest* ]] || continue
            if command -v gdb >/dev/null; then
                echo "== backtraces of $pid"
                gdb -p "$pid" -batch -ex 'set print frame-arguments none' -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^(Thread|#)' | head -400
            fi
            kill -KILL "$pid" 2>/dev/null
        done
        kill "$runner" 2>/dev/null
        wait "$runner" 2>/dev/null
        exit 124
    fi
done
wait "$runner"
