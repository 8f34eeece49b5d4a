#!/usr/bin/env bash
# Storage benchmark: sequential write and read of SIZE_MB (default 1 GiB) and
# creation of FILES (default 10,000) small files, inside a container on a
# named volume, on a bind mount and on the container's overlay rootfs, against
# the same work on a host directory of the same filesystem. Prints the times
# and the ratio to the host (target: volume and bind within 1.05x).
#
#   sudo bench/volume-bench.sh
#   SIZE_MB=256 FILES=2000 ROUNDS=3 sudo bench/volume-bench.sh
#
# Small files are timed without a sync (a global sync measures whatever else
# the machine is writing back). Every timing is taken by the same static busybox (the test image's) from
# /proc/uptime around the work (10 ms resolution: busybox's date has no %N),
# so process start-up is not counted and the host runs the very same code
# as the container. Each place is measured
# ROUNDS times (default 3) and the median kept. Reads follow writes without
# dropping the page cache (that would disturb the whole machine): they
# measure the path through the mount, not the disk.
#
# Needs: root, a built tsrun (npm ci), busybox-static. Output: a table on
# stdout and bench/results/volume-bench-<time>.txt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
SIZE_MB=${SIZE_MB:-1024}
FILES=${FILES:-10000}
ROUNDS=${ROUNDS:-3}
# The containers run without a seccomp filter by default: on this VM kind any
# filter (even allow-all) makes every syscall far slower, for podman as for
# tsrun (small files: ~6x), which would hide what is measured here, the
# storage path. SECCOMP=/path/to/profile.json measures with that filter.
SECCOMP=${SECCOMP:-unconfined}
results=${RESULTS_DIR:-$here/results}
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() { echo "volume-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$repo/bin/tsrun" ] || die "bin/tsrun missing; run npm ci first"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing; apt-get install -y busybox-static"

work=$(mktemp -d /var/tmp/tsrun-volbench.XXXXXX)
export TSRUN_ROOT="$work/root"
tsrun() { "$repo/bin/tsrun" "$@"; }
cleanup() {
  tsrun rm -f $(tsrun ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

tsrun import "$("$repo/test/support/build-rootfs.sh")" bench:1 >/dev/null
tsrun volume create benchvol >/dev/null
mkdir -p "$work/bind" "$work/host"

# One round at DIR: prints "write_ns read_ns files_ns". Runs under busybox sh.
# shellcheck disable=SC2016
script='
set -e
d=$1; mb=$2; n=$3
now() { read -r up _ < /proc/uptime; echo $(( ${up%.*}${up#*.} * 10000000 )); }
rm -rf "$d/t"; mkdir -p "$d/t"
t0=$(now)
dd if=/dev/zero of="$d/t/big" bs=1M count=$mb conv=fsync 2>/dev/null
t1=$(now)
dd if="$d/t/big" of=/dev/null bs=1M 2>/dev/null
t2=$(now)
mkdir "$d/t/small"; i=0
while [ $i -lt $n ]; do echo x > "$d/t/small/$i"; i=$((i+1)); done
t3=$(now)
rm -rf "$d/t"
echo $((t1-t0)) $((t2-t1)) $((t3-t2))
'

in_container() { # extra-run-flags... -- dir
  local args=() dir
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  dir=$2
  tsrun run --rm --security-opt "seccomp=$SECCOMP" "${args[@]}" bench:1 sh -c "$script" sh "$dir" "$SIZE_MB" "$FILES"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # name, command...
  local name=$1; shift
  local w=() r=() f=()
  for _ in $(seq "$ROUNDS"); do
    read -r a b c < <("$@")
    w+=("$a"); r+=("$b"); f+=("$c")
  done
  echo "$name $(printf '%s\n' "${w[@]}" | median) $(printf '%s\n' "${r[@]}" | median) $(printf '%s\n' "${f[@]}" | median)"
}

{
  measure host "$BUSYBOX" sh -c "$script" sh "$work/host" "$SIZE_MB" "$FILES"
  measure volume in_container -v benchvol:/data -- /data
  measure bind in_container -v "$work/bind:/data" -- /data
  measure overlay in_container -- /bench
} > "$work/raw.txt"

mkdir -p "$results"
out="$results/volume-bench-$(date +%Y%m%dT%H%M%S).txt"
awk -v mb="$SIZE_MB" -v n="$FILES" '
  BEGIN { printf "%-8s %12s %12s %14s %8s %8s %8s\n", "where", "write MB/s", "read MB/s", "files/s", "write x", "read x", "files x" }
  NR == 1 { hw = $2; hr = $3; hf = $4 }
  { printf "%-8s %12.0f %12.0f %14.0f %8.3f %8.3f %8.3f\n", $1, mb / ($2 / 1e9), mb / ($3 / 1e9), n / ($4 / 1e9), $2 / hw, $3 / hr, $4 / hf }
  END { printf "\n%d MiB sequential, %d small files; ratio = time / host time (target: volume and bind <= 1.05)\n", mb, n }
' "$work/raw.txt" | tee "$out"
