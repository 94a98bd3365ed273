#!/usr/bin/env bash
# The whole test suite: the Swift packages' tests, then the Python client's tests against the real rw-server
# (started by the pytest session on an ephemeral port). README's test command.
#
# The Python side runs in a virtual environment under .build/ (created on first use; pip installs the client
# with its test extra from PyPI), so nothing is installed into the system's Python. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
swift test

# `swift test` builds every product, rw-server included, with testing enabled. A separate `swift build` would
# rebuild the whole dependency graph without it, so the tests' binary is used as it is.
bin="$(swift build --show-bin-path)"
if [[ ! -x "$bin/rw-server" ]]; then
    echo "== building rw-server for the Python tests"
    swift build --product rw-server
fi

venv=".build/python-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    echo "== creating $venv"
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check "./clients/python[test]"

echo "== mypy clients/python (the client is typed: py.typed)"
(cd clients/python && "../../$venv/bin/python" -m mypy src/rewardweighting --ignore-missing-imports --exclude 'v1/')

echo "== pytest clients/python/tests"
RW_SERVER_BINARY="$bin/rw-server" "$venv/bin/python" -m pytest -q clients/python/tests "$@"
