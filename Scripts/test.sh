#!/usr/bin/env bash
# The whole test suite: the Swift packages' tests, then the Python client's tests against the real rw-server
# (started by the pytest session on an ephemeral port). README's test command.
#
# The Python side runs in a virtual environment under .build/ (created on first use; pip installs the client
# with its test extra from PyPI), so nothing is installed into the system's Python. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL: the store conformance suite and the service suite also run against it (RW_TEST_DATABASE_URL). Without
# a URL, a throwaway server is started on loopback when PostgreSQL is installed (Scripts/postgres-scratch.sh) and
# stopped at exit; without either, those cases are left out, unless RW_REQUIRE_POSTGRES=1 (CI) makes them fail.
scratch=""
if [[ -z "${RW_TEST_DATABASE_URL:-}" ]] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/rw-postgres.XXXXXX")
    trap 'Scripts/postgres-scratch.sh remove "$scratch" || true; rm -rf "$scratch"' EXIT
    echo "== starting a scratch PostgreSQL in $scratch"
    RW_TEST_DATABASE_URL=$(Scripts/postgres-scratch.sh start "$scratch" --no-fsync)
    export RW_TEST_DATABASE_URL
fi

# `swift build --build-tests` builds every product, rw-server included, with testing enabled, as `swift test`
# would; the tests then run under a watchdog (Scripts/swift-test-watched.sh), so a hung test fails the run with
# its name. A plain `swift build` would rebuild the whole dependency graph without testing, so the tests' binary
# is used as it is.
echo "== swift build --build-tests"
swift build --build-tests

echo "== swift test"
Scripts/swift-test-watched.sh --skip-build

if [[ -n "${RW_TEST_DATABASE_URL:-}" || "${RW_REQUIRE_POSTGRES:-}" == "1" ]]; then
    echo "== swift test: the service suite against PostgreSQL (RW_TEST_STORE=postgres)"
    RW_TEST_STORE=postgres Scripts/swift-test-watched.sh --skip-build --filter RewardWeightingServiceTests
fi

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

echo "== deploy/validate.sh (nginx -t, systemd-analyze verify, yamllint, kubernetes-validate)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check yamllint kubernetes-validate
PATH="$PWD/$venv/bin:$PATH" deploy/validate.sh

echo "== mypy clients/python (the client is typed: py.typed)"
(cd clients/python && "../../$venv/bin/python" -m mypy src/rewardweighting --ignore-missing-imports --exclude 'v1/')

echo "== pytest clients/python/tests"
RW_SERVER_BINARY="$bin/rw-server" "$venv/bin/python" -m pytest -q clients/python/tests "$@"
