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
# the machine is writing back). Every timing is taken by the same static
# busybox (the test image's) from /proc/uptime around the work (10 ms
# resolution: busybox's date has no %N), so process start-up is not counted
# and the host runs the very same code as the container. Each place is
# measured ROUNDS times (default 5), the places interleaved in a rotating
# order, and the median kept; nothing is deleted until the end (see the
# round script). Disk needed: about 4 x ROUNDS x SIZE_MB. Reads follow writes without
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
ROUNDS=${ROUNDS:-5}
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

# The work, under busybox sh, in DIR (a directory of its own each time: see
# below). seq_script prints "write_ns read_ns"; files_script "files_ns".
# Nothing is deleted until the end: on ext4 (here mounted with `discard`),
# creating files right after deleting a gigabyte waits on the freed blocks,
# and that, not the mount path, would be what gets timed. Small files are
# timed in a phase of their own, before the sequential one, so that writing
# back a gigabyte does not land on them either.
# Both start alike: DIR and a size (MiB, or files), a clock, DIR made, t0.
# shellcheck disable=SC2016
prelude='
set -e
d=$1; arg=$2
now() { read -r up _ < /proc/uptime; echo $(( ${up%.*}${up#*.} * 10000000 )); }
mkdir "$d"
t0=$(now)
'
# shellcheck disable=SC2016
seq_script=$prelude'
dd if=/dev/zero of="$d/big" bs=1M count=$arg conv=fsync 2>/dev/null
t1=$(now)
dd if="$d/big" of=/dev/null bs=1M 2>/dev/null
t2=$(now)
echo $((t1-t0)) $((t2-t1))
'
# shellcheck disable=SC2016
files_script=$prelude'
i=0
while [ $i -lt $arg ]; do echo x > "$d/$i"; i=$((i+1)); done
t1=$(now)
echo $((t1-t0))
'

# Containers are kept until the end (no --rm): removing one deletes what it
# wrote in its overlay upper directory, in the middle of the next measurement.
in_container() { # extra-run-flags... -- script dir arg
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  tsrun run --security-opt "seccomp=$SECCOMP" "${args[@]}" bench:1 sh -c "$2" sh "$3" "$4"
}

one() { # phase place round -> "place numbers..."
  local script arg sub="$1-r$3"
  if [ "$1" = seq ]; then script=$seq_script arg=$SIZE_MB; else script=$files_script arg=$FILES; fi
  case $2 in
    host) echo "host $("$BUSYBOX" sh -c "$script" sh "$work/host/$sub" "$arg")" ;;
    volume) echo "volume $(in_container -v benchvol:/data -- "$script" "/data/$sub" "$arg")" ;;
    bind) echo "bind $(in_container -v "$work/bind:/data" -- "$script" "/data/$sub" "$arg")" ;;
    overlay) echo "overlay $(in_container -- "$script" "/bench-$sub" "$arg")" ;;
  esac
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Rounds interleave the places, each round in a rotated order, so that a
# drift of the machine over the run does not land on one place.
places=(host volume bind overlay)
for phase in files seq; do
  for round in $(seq "$ROUNDS"); do
    for k in 0 1 2 3; do
      sync
      one "$phase" "${places[$(( (k + round - 1) % 4 ))]}" "$round"
    done
  done > "$work/$phase.txt"
done
col() { awk -v p="$1" -v c="$3" '$1 == p {print $c}' "$work/$2.txt" | median; }
for place in "${places[@]}"; do
  echo "$place $(col "$place" seq 2) $(col "$place" seq 3) $(col "$place" files 2)"
done > "$work/raw.txt"

mkdir -p "$results"
out="$results/volume-bench-$(date +%Y%m%dT%H%M%S).txt"
awk -v mb="$SIZE_MB" -v n="$FILES" '
  BEGIN { printf "%-8s %12s %12s %14s %8s %8s %8s\n", "where", "write MB/s", "read MB/s", "files/s", "write x", "read x", "files x" }
  NR == 1 { hw = $2; hr = $3; hf = $4 }
  { printf "%-8s %12.0f %12.0f %14.0f %8.3f %8.3f %8.3f\n", $1, mb / ($2 / 1e9), mb / ($3 / 1e9), n / ($4 / 1e9), $2 / hw, $3 / hr, $4 / hf }
  END { printf "\n%d MiB sequential, %d small files; ratio = time / host time (target: volume and bind <= 1.05)\n", mb, n }
' "$work/raw.txt" | tee "$out"
{ echo; echo "rounds (place write_ns read_ns, then place files_ns):"; cat "$work/seq.txt" "$work/files.txt"; } >> "$out"
