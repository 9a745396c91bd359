#!/usr/bin/env bash
# Regenerates the Swift code for the project's .proto files (Protos/) into
# Sources/MesosProtobuf/Generated. The generated files are committed, so a build never needs
# this script or a code generator; run it after changing a .proto file.
#
#   scripts/gen-protos.sh
#
# Needs a `protoc`: Debian's protobuf-compiler, or else the one inside Python's grpcio-tools
# (the end-to-end venv has it: scripts/setup-venv.sh). Needs `protoc-gen-swift`: taken from
# PATH, or else built once from swift-protobuf (the version in SWIFT_PROTOBUF_VERSION) into
# .build-protoc/ (several minutes on two cores).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
version=${SWIFT_PROTOBUF_VERSION:-1.39.0}
out=$repo/Sources/MesosProtobuf/Generated

plugin=$(command -v protoc-gen-swift || true)
if [[ -z $plugin ]]; then
  tools=$repo/.build-protoc
  plugin=$tools/swift-protobuf/.build/release/protoc-gen-swift
  if [[ ! -x $plugin ]]; then
    rm -rf "$tools/swift-protobuf"
    mkdir -p "$tools"
    git clone -q --depth 1 --branch "$version" https://github.com/apple/swift-protobuf "$tools/swift-protobuf"
    swift build -c release --package-path "$tools/swift-protobuf" --product protoc-gen-swift >&2
  fi
fi

if command -v protoc >/dev/null; then
  protoc=(protoc)
else
  python=${PYTHON:-$repo/.venv-e2e/bin/python}
  "$python" -c 'import grpc_tools' 2>/dev/null || {
    echo "gen-protos: no protoc (apt-get install protobuf-compiler, or run scripts/setup-venv.sh)" >&2
    exit 1
  }
  protoc=("$python" -m grpc_tools.protoc)
fi

rm -rf "$out"
mkdir -p "$out"
cd "$repo/Protos"
"${protoc[@]}" --plugin=protoc-gen-swift="$plugin" --swift_out="$out" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores -I . \
  $(find . -name '*.proto' | sed 's|^\./||' | sort)
echo "gen-protos: wrote $(ls "$out" | wc -l) files to ${out#$repo/}" >&2
