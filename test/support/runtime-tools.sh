#!/usr/bin/env bash
# Build opencontainers/runtime-tools' validation suite (runtimetest and one
# executable per validation/*/X.go) from the Go module proxy, into
# test/.cache/runtime-tools-<version>/, once. Prints that directory.
#
#   test/support/runtime-tools.sh
#   RUNTIME=/path/to/runtime validation/create/create.t   # from that directory
#
# The tests read rootfs-amd64.tar.gz and runtimetest from their working
# directory, which is why everything lands in one directory.
set -euo pipefail

# master of 2025-12-05 (runtime-spec v1.3.0); the proxy serves it by this pseudo-version.
VERSION=v0.9.1-0.20251205004911-5e639034dcdc
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TSRUN_TEST_CACHE:-$(dirname "$here")/.cache}
out=$cache/runtime-tools-$VERSION

if [ -x "$out/runtimetest" ] && [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "runtime-tools.sh: go is not installed (the Go toolchain builds the validation suite)" >&2; exit 1; }
work=$(mktemp -d /tmp/tsrun-rtools.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && go mod init tsrun-rtools-probe >/dev/null 2>&1 && GOFLAGS=-mod=mod go mod download -json "github.com/opencontainers/runtime-tools@$VERSION" > info.json)
src=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Dir"])' "$work/info.json")
rm -rf "$out.tmp"
cp -r "$src" "$out.tmp"
chmod -R u+w "$out.tmp"
cd "$out.tmp"
# The module ships an empty vendor/ (modules.txt only): build from the module cache.
go build -mod=mod -o runtimetest ./cmd/runtimetest
for f in $(find ./validation -name '*.go' -not -path './validation/util/*'); do
  go build -mod=mod -o "${f%.go}.t" "$f"
done
touch .complete
cd /
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
