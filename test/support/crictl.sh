#!/usr/bin/env bash
# Build crictl (kubernetes-sigs/cri-tools) from the Go module proxy into
# test/.cache/crictl-<version>, once; prints its path.
set -euo pipefail
VERSION=v1.37.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TSRUN_TEST_CACHE:-$(dirname "$here")/.cache}
out=$cache/crictl-$VERSION
if [ -x "$out" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "crictl.sh: go is not installed" >&2; exit 1; }
bin=$(mktemp -d /tmp/tsrun-crictl.XXXXXX)
trap 'rm -rf "$bin"' EXIT
(cd "$bin" && GOBIN="$bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/cri-tools/cmd/crictl@$VERSION")
mkdir -p "$cache"
mv "$bin/crictl" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
