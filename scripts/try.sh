#!/usr/bin/env bash
# From a Debian 12 machine (as root) to a running container: installs
# busybox-static, builds tsrun (npm ci: TypeScript + Rust), makes a busybox
# image from the local binary, imports it and runs it. No image comes from
# the internet; the build downloads npm packages and Rust crates once.
#
# What the machine must have first (checked before anything is installed or
# built, each missing piece named): Node.js >= 20.17 with npm, and, to build,
# a Rust toolchain >= 1.88 (cargo, rustc). Debian 12's own nodejs (18.x) and
# rustc (1.63) are too old: install Node from nodejs.org or NodeSource, Rust
# with rustup. A C compiler and the static C library (gcc, libc6-dev) are
# installed here when missing.
#
#   scripts/try.sh                 # prints "hello from a tsrun container"
#   scripts/try.sh sh -c 'id; hostname; ps'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

NODE_MIN=20.17
RUST_MIN=1.88

# version_at_least HAVE WANT: HAVE >= WANT, comparing dotted numbers.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}

built() {
  [ -f packages/native/bin/tsrun-shim ] && [ -f oclif.manifest.json ] && [ -d node_modules ]
}

missing=()
if ! command -v node >/dev/null 2>&1; then
  missing+=("Node.js >= $NODE_MIN: no node on PATH (Debian 12's nodejs is 18.x; install Node 20 or 22 from nodejs.org or NodeSource)")
else
  have=$(node --version 2>/dev/null | sed 's/^v//')
  version_at_least "${have:-0}" "$NODE_MIN" || missing+=("Node.js >= $NODE_MIN: this node is ${have:-unknown} (install Node 20 or 22 from nodejs.org or NodeSource)")
fi
if ! built; then
  command -v npm >/dev/null 2>&1 || missing+=("npm: no npm on PATH (it comes with Node.js from nodejs.org or NodeSource)")
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
    missing+=("a Rust toolchain >= $RUST_MIN: no cargo/rustc on PATH (install it with rustup: https://rustup.rs; Debian 12's rustc is 1.63)")
  else
    have=$(rustc --version 2>/dev/null | awk '{print $2}')
    version_at_least "${have:-0}" "$RUST_MIN" || missing+=("a Rust toolchain >= $RUST_MIN: this rustc is ${have:-unknown} (rustup update)")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/try.sh: this machine lacks what tsrun needs; nothing was installed or built:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi

pkgs=()
if ! [ -x /bin/busybox ] || ! busybox | head -1 >/dev/null 2>&1; then pkgs+=(busybox-static); fi
if ! built && ! command -v cc >/dev/null 2>&1; then pkgs+=(gcc libc6-dev); fi
if [ ${#pkgs[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
built || npm ci --no-audit --no-fund

rootfs=$(test/support/build-rootfs.sh)
./bin/tsrun images --format '{{.Repository}}:{{.Tag}}' | grep -qx 'demo:1' || ./bin/tsrun import "$rootfs" demo:1
if [ $# -eq 0 ]; then set -- echo "hello from a tsrun container"; fi
exec ./bin/tsrun run --rm demo:1 "$@"
