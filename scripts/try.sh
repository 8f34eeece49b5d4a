#!/usr/bin/env bash
# From a fresh Debian 12 machine (as root) to a running container, offline:
# installs busybox-static, builds tsrun (npm ci: TypeScript + Rust), makes a
# busybox image from the local binary, imports it and runs it.
#
#   scripts/try.sh                 # prints "hello from a tsrun container"
#   scripts/try.sh sh -c 'id; hostname; ps'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

if ! [ -x /bin/busybox ] || ! busybox | head -1 >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q --no-install-recommends busybox-static
fi
[ -f packages/native/bin/tsrun-shim ] && [ -f oclif.manifest.json ] && [ -d node_modules ] || npm ci --no-audit --no-fund

rootfs=$(test/support/build-rootfs.sh)
./bin/tsrun images --format '{{.Repository}}:{{.Tag}}' | grep -qx 'demo:1' || ./bin/tsrun import "$rootfs" demo:1
if [ $# -eq 0 ]; then set -- echo "hello from a tsrun container"; fi
exec ./bin/tsrun run --rm demo:1 "$@"
