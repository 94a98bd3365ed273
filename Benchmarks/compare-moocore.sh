#!/usr/bin/env bash
# Times RewardWeighting's hypervolume kernels against moocore (kernel-only) and checks both agree.
#
#     Benchmarks/compare-moocore.sh [--only REGEX] [--scale S] [--budget SECONDS] [--json-out FILE]
#
# Arguments are passed to compare_moocore.py. Environment:
#   RW_BENCH_DIR   scratch directory for the venv and the point-set files (default /tmp/rw-compare-moocore)
#   PYTHON         Python used to create the venv (default python3)
# Prints a Markdown table on stdout; progress goes to stderr. Exits non-zero if the results disagree.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="${RW_BENCH_DIR:-/tmp/rw-compare-moocore}"
venv="$scratch/venv"
mkdir -p "$scratch"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating venv in $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import moocore, numpy' 2>/dev/null; then
    echo "installing moocore and numpy" >&2
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet moocore numpy >&2
fi

echo "building kernel-timer (release)" >&2
swift build -c release --package-path "$here" --product kernel-timer >&2
timer="$(swift build -c release --package-path "$here" --show-bin-path)/kernel-timer"

exec "$venv/bin/python" "$here/compare_moocore.py" --kernel-timer "$timer" --workdir "$scratch/points" "$@"
