#!/usr/bin/env bash
# Regenerates the committed grpcio stubs under src/rewardweighting/v1/ from the repository's Protos/.
#
#   pip install grpcio-tools==1.85.1  # the committed stubs came from this version (see pyproject.toml pins)
#   clients/python/scripts/generate-stubs.sh            # rewrite the stubs
#   clients/python/scripts/generate-stubs.sh --check    # exit 1 if the committed stubs are stale
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
protos="$(cd "$here/../../Protos" && pwd)"
out="$here/src"
check=0
[[ "${1:-}" == "--check" ]] && check=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python="${PYTHON:-python3}"
include="$("$python" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"
(cd "$protos" && "$python" -m grpc_tools.protoc -I. -I"$include" \
    --python_out="$tmp" --pyi_out="$tmp" --grpc_python_out="$tmp" \
    rewardweighting/v1/runs.proto rewardweighting/v1/trainer.proto)
# benchmark.proto (load tests) and worker.proto (rw-server's own kernel worker) are not part of the trainer's
# contract: not shipped.
touch "$tmp/rewardweighting/v1/__init__.py"
printf '"""Generated grpcio stubs for rewardweighting.v1 (scripts/generate-stubs.sh). Do not edit."""\n' \
    > "$tmp/rewardweighting/v1/__init__.py"

if (( check )); then
    if diff -r "$tmp/rewardweighting/v1" "$out/rewardweighting/v1" >/dev/null; then
        echo "stubs are current"
    else
        diff -r "$tmp/rewardweighting/v1" "$out/rewardweighting/v1" | head -20
        echo "stubs are stale: run clients/python/scripts/generate-stubs.sh" >&2
        exit 1
    fi
else
    rm -rf "$out/rewardweighting/v1"
    cp -r "$tmp/rewardweighting/v1" "$out/rewardweighting/v1"
    echo "wrote $out/rewardweighting/v1"
fi
