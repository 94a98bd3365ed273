#!/usr/bin/env bash
# Coverage-guided fuzzing of the server's request path (issue 16; docs/security.md "Fuzzing").
#
# Builds rw-fuzz with AddressSanitizer and libFuzzer (RW_FUZZ=1: only our own modules are instrumented, see
# Package.swift; after a normal build only they are recompiled), writes the seed corpus (rw-fuzz seeds), and runs
# libFuzzer over it. An input that breaks an invariant of FuzzHarness, traps, or trips ASan is saved under
# .build/fuzz/artifacts/ and the script exits non-zero; minimise it (rw-fuzz -minimize_crash=1 FILE) and add it to
# Tests/RewardWeightingFuzzingTests/Corpus/regressions/, which `swift test` replays.
#
#   Scripts/fuzz.sh                      one minute (CI's smoke run), debug build
#   Scripts/fuzz.sh --release --runs 1000000    a million inputs, optimised (the long run of docs/security.md;
#                                        its first build compiles the dependencies in release, ~10 minutes)
#   Scripts/fuzz.sh --time 600 -- -jobs=2 -workers=2    extra flags go to libFuzzer
#
# The corpus libFuzzer grows is kept in .build/fuzz/corpus between runs. A normal `swift build` afterwards
# recompiles the instrumented modules without instrumentation.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=60)
configuration=debug
while [[ $# -gt 0 ]]; do
    case "$1" in
        --release) configuration=release; shift ;;
        --time) limit=(-max_total_time="$2"); shift 2 ;;
        --runs) limit=(-runs="$2"); shift 2 ;;
        --) shift; break ;;
        *) echo "usage: Scripts/fuzz.sh [--release] [--time SECONDS | --runs N] [-- libFuzzer flags]" >&2; exit 2 ;;
    esac
done

toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
runtime=$(ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a 2>/dev/null | head -1)
if [[ -z "$runtime" ]]; then
    echo "fuzz.sh: this toolchain has no libclang_rt.fuzzer_no_main (looked under $toolchain/lib/clang)" >&2
    exit 1
fi

echo "== building rw-fuzz (AddressSanitizer + libFuzzer)"
export RW_FUZZ=1 RW_FUZZ_RUNTIME="$runtime"
swift build -c "$configuration" --product rw-fuzz
bin="$(swift build -c "$configuration" --show-bin-path)/rw-fuzz"

work=".build/fuzz"
mkdir -p "$work/corpus" "$work/artifacts"
"$bin" seeds "$work/seeds"

echo "== fuzzing (${limit[*]})"
# Leak checks are off: libFuzzer scans the whole heap after every input whose mallocs and frees differ, which Swift's
# runtime caches make most of them (5× fewer inputs per second); `-- -detect_leaks=1` turns them back on.
# Swift's backtracer would stop to symbolicate a crash; libFuzzer and ASan report it themselves.
export SWIFT_BACKTRACE=enable=no
export RW_FUZZ_SUMMARY="$work/summary.json"
"$bin" -detect_leaks=0 -max_len=16384 -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "${limit[@]}" "$@" "$work/corpus" "$work/seeds" Tests/RewardWeightingFuzzingTests/Corpus/regressions
