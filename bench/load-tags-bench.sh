#!/usr/bin/env bash
# Load benchmark for archives with many tags: one small image carrying
# TAGS names (5,000 and 20,000 by default), loaded into an empty store.
# Before the tags were written in one index rewrite, 5,000 took 41-44 s and
# 20,000 did not finish in 90 s. Prints the median per tag count; with
# PODMAN=1, podman load of the same archive beside it (slow: podman 4.3
# here did not finish 5,000 tags in 300 s).
#
# Measured (2 cores, RUNS=3): 5,000 tags 0.24 s, 20,000 tags 0.50 s.
#
#   sudo bench/load-tags-bench.sh              # RUNS=3, TAGS="5000 20000"
#   RUNS=5 TAGS="1000 50000" PODMAN=1 sudo bench/load-tags-bench.sh
#
# Needs: root, a built tsrun, python3 (podman with PODMAN=1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-3}
TAGS=${TAGS:-"5000 20000"}
PODMAN=${PODMAN:-0}

die() { echo "load-tags-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
command -v python3 >/dev/null || die "python3 is not installed"
[ "$PODMAN" = 0 ] || command -v podman >/dev/null || die "podman is not installed"

work=$(mktemp -d /tmp/tsrun-load-tags-bench.XXXXXX)
cleanup() {
  [ "$PODMAN" = 0 ] || pm "$work/p" system reset --force >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
pm() { podman --root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file "${@:2}"; }

time_it() { # name, command...
  local start end
  start=$(date +%s.%N)
  "${@:2}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; die "$1 failed"; }
  end=$(date +%s.%N)
  echo "$1 $(echo "$end - $start" | bc)" >>"$work/times"
}

: >"$work/times"
for n in $TAGS; do
  echo "== an archive with $n tags"
  echo "{\"out\": \"$work/tags-$n.tar\", \"images\": [{\"layers\": [{\"files\": {\"a\": \"x\"}}], \"tag_range\": {\"format\": \"bench/many:t{i}\", \"count\": $n}}]}" >"$work/spec.json"
  python3 "$repo/test/support/make_image_archive.py" "$work/spec.json"
  for r in $(seq "$RUNS"); do
    rm -rf --one-file-system "$work/t" "$work/p"; sync
    time_it "tsrun-$n" env TSRUN_ROOT="$work/t" "$repo/bin/tsrun" load -q -i "$work/tags-$n.tar"
    got=$(env TSRUN_ROOT="$work/t" "$repo/bin/tsrun" images --format "{{.Repository}}:{{.Tag}}" | wc -l)
    [ "$got" = "$n" ] || die "tsrun load: $got names in images, expected $n"
    if [ "$PODMAN" != 0 ]; then
      time_it "podman-$n" pm "$work/p" load -q -i "$work/tags-$n.tar"
      pm "$work/p" system reset --force >/dev/null 2>&1 || true
    fi
  done
done
rm -rf --one-file-system "$work/t" "$work/p"

python3 - "$work/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, t = line.split()
    times.setdefault(name, []).append(float(t))
print("\n%-14s %8s   %s" % ("load", "median", "runs (s)"))
for k, v in times.items():
    print("%-14s %7.2fs   %s" % (k, statistics.median(v), " ".join("%.2f" % x for x in v)))
PY
