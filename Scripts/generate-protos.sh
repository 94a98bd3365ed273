#!/usr/bin/env bash
# Regenerates the committed Swift code of the API contract:
#
#   Protos/rewardweighting/v1/*.proto  →  Sources/RewardWeightingAPI/Generated/*.pb.swift, *.grpc.swift
#
# Usage:
#   Scripts/generate-protos.sh           regenerate in place (then commit the result)
#   Scripts/generate-protos.sh --check   regenerate into a temporary folder and fail if it differs from the
#                                        committed code (for an optional "generated code is current" check)
#
# What it needs, all from a fresh machine:
#   * protoc from Debian's `protobuf-compiler` (3.21.x). Installed with apt-get when missing and running as
#     root; set PROTOC=/path/to/protoc to use another one.
#   * the two protoc plugins, built here in RELEASE from the Swift packages (the local package mirror):
#       protoc-gen-swift          from swift-protobuf        exactly 1.39.0
#       protoc-gen-grpc-swift-2   from grpc-swift-protobuf   exactly 2.4.1
#     They are built in a throwaway package that this script writes to .build-codegen/tools, so the project's
#     manifest and its build folders are untouched. A cold build takes about 3–4 minutes on 2 cores; later
#     runs reuse .build-codegen. The plugin versions must match the runtime libraries that Package.swift
#     links (grpc-swift-protobuf's rule: the generator must not be newer than the library).
#
# CI never runs this script: the generated code is committed, so CI does not build the plugins or need protoc.
set -euo pipefail

SWIFT_PROTOBUF_VERSION="1.39.0"
GRPC_SWIFT_PROTOBUF_VERSION="2.4.1"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PROTO_ROOT="$ROOT/Protos"
PROTO_DIR="$PROTO_ROOT/rewardweighting/v1"
OUT_DIR="$ROOT/Sources/RewardWeightingAPI/Generated"
TOOLS_DIR="$ROOT/.build-codegen/tools"

CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    -h | --help)
        sed -n '2,23p' "$0"
        exit 0
        ;;
    *)
        echo "usage: $0 [--check]" >&2
        exit 2
        ;;
esac

# --- protoc -------------------------------------------------------------------------------------------------
PROTOC="${PROTOC:-protoc}"
if ! command -v "$PROTOC" >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing protoc (Debian protobuf-compiler)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler >/dev/null
    else
        echo "error: protoc not found; install Debian's protobuf-compiler (apt-get install -y protobuf-compiler)" >&2
        echo "       or set PROTOC=/path/to/protoc" >&2
        exit 1
    fi
fi
echo "== protoc: $("$PROTOC" --version)"

# --- plugins ------------------------------------------------------------------------------------------------
mkdir -p "$TOOLS_DIR/Sources/Dummy"
# Written to a temporary file and moved only when it changed, so a second run reuses the build untouched.
cat >"$TOOLS_DIR/Package.swift.new" <<EOF
// swift-tools-version:6.1
// Written by Scripts/generate-protos.sh: a throwaway package whose only purpose is to build the protoc plugins.
import PackageDescription

let package = Package(
    name: "codegen-tools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "$SWIFT_PROTOBUF_VERSION"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "$GRPC_SWIFT_PROTOBUF_VERSION"),
    ],
    targets: [.target(name: "Dummy", path: "Sources/Dummy")]
)
EOF
if cmp -s "$TOOLS_DIR/Package.swift.new" "$TOOLS_DIR/Package.swift"; then
    rm "$TOOLS_DIR/Package.swift.new"
else
    mv "$TOOLS_DIR/Package.swift.new" "$TOOLS_DIR/Package.swift"
fi
[ -f "$TOOLS_DIR/Sources/Dummy/Dummy.swift" ] || echo 'public let dummy = 1' >"$TOOLS_DIR/Sources/Dummy/Dummy.swift"

echo "== building protoc-gen-swift $SWIFT_PROTOBUF_VERSION and protoc-gen-grpc-swift-2 $GRPC_SWIFT_PROTOBUF_VERSION (release)"
for product in protoc-gen-swift protoc-gen-grpc-swift-2; do
    swift build -c release --package-path "$TOOLS_DIR" --scratch-path "$TOOLS_DIR/.build" --product "$product"
done
BIN="$(swift build -c release --package-path "$TOOLS_DIR" --scratch-path "$TOOLS_DIR/.build" --show-bin-path)"

# --- generate -----------------------------------------------------------------------------------------------
if [ "$CHECK" = "1" ]; then
    TARGET_DIR="$(mktemp -d)"
    trap 'rm -rf "$TARGET_DIR"' EXIT
else
    TARGET_DIR="$OUT_DIR"
    mkdir -p "$TARGET_DIR"
    rm -f "$TARGET_DIR"/*.pb.swift "$TARGET_DIR"/*.grpc.swift
fi

PROTOS=()
while IFS= read -r proto; do PROTOS+=("${proto#"$PROTO_ROOT"/}"); done < <(find "$PROTO_DIR" -name '*.proto' | LC_ALL=C sort)

# Options (both plugins): public API for the server, kernels and clients; file names without the proto path
# (trainer.proto → trainer.pb.swift, trainer.grpc.swift). The API target does not enable
# InternalImportsByDefault, so UseAccessLevelOnImports stays at its default (false).
echo "== protoc ${PROTOS[*]}"
(
    cd "$PROTO_ROOT"
    "$PROTOC" \
        --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
        --plugin=protoc-gen-grpc-swift-2="$BIN/protoc-gen-grpc-swift-2" \
        -I . \
        --swift_out="$TARGET_DIR" \
        --swift_opt=Visibility=Public,FileNaming=DropPath \
        --grpc-swift-2_out="$TARGET_DIR" \
        --grpc-swift-2_opt=Visibility=Public,FileNaming=DropPath \
        "${PROTOS[@]}"
)

# protoc-gen-grpc-swift-2 writes a .grpc.swift for every proto, even one without a service (a comment only):
# drop those.
for file in "$TARGET_DIR"/*.grpc.swift; do
    if grep -q '^// This file contained no services' "$file"; then rm "$file"; fi
done

if [ "$CHECK" = "1" ]; then
    if diff -ru "$OUT_DIR" "$TARGET_DIR"; then
        echo "== generated code is current"
    else
        echo "error: Sources/RewardWeightingAPI/Generated is stale; run Scripts/generate-protos.sh and commit" >&2
        exit 1
    fi
else
    echo "== wrote:"
    ls -l "$OUT_DIR"
fi
