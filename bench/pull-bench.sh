#!/usr/bin/env bash
# Pull benchmark: a multi-layer image (5 layers, ~45 MB each, gzip, ~225 MB)
# from a local Debian docker-registry into an empty store, measured for
#   tsrun pull            (download + verify + diff_id + unpack into overlay layers)
#   podman pull           (the same work into containers/storage)
#   skopeo copy -> oci:   (download + verify only; no unpack: a floor for the network part)
# Each run starts from an empty store. Prints medians and ratios.
#
#   sudo bench/pull-bench.sh            # RUNS=5 by default
#   RUNS=9 LAYER_MB=60 sudo bench/pull-bench.sh
#
# Needs: root, a built tsrun, docker-registry, podman, runc, skopeo, python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-5}
LAYERS=${LAYERS:-5}
LAYER_MB=${LAYER_MB:-45}

die() { echo "pull-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in docker-registry podman skopeo python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

work=$(mktemp -d /tmp/tsrun-pull-bench.XXXXXX)
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
pm() { podman --root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file "${@:2}"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
image=127.0.0.1:$port/bench/multi:1

echo "== building a ${LAYERS}-layer image of ~$((LAYERS * LAYER_MB)) MB (half random, half compressible per layer)"
ctx=$work/ctx
mkdir -p "$ctx"
{ echo 'FROM scratch'; for i in $(seq "$LAYERS"); do echo "COPY l$i /l$i"; done; } >"$ctx/Containerfile"
for i in $(seq "$LAYERS"); do
  mkdir -p "$ctx/l$i"
  head -c $((LAYER_MB / 2))M /dev/urandom >"$ctx/l$i/random.bin"
  # Compressible text: gunzip has real work to do, as in real images.
  python3 -c "import sys; sys.stdout.write(''.join('line %d of layer $i: some text to compress\n' % n for n in range(${LAYER_MB}*1024*1024//2//40)))" >"$ctx/l$i/text.txt"
done
pm "$work/pm-build" build -q -t "$image" "$ctx" >/dev/null
pm "$work/pm-build" push -q --tls-verify=false "$image"
rm -rf --one-file-system "$work/pm-build" "$ctx"

time_it() { # name, command...
  local start end
  start=$(date +%s.%N)
  "${@:2}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; die "$1 failed"; }
  end=$(date +%s.%N)
  echo "$1 $(echo "$end - $start" | bc)" >>"$work/times"
}

: >"$work/times"
for r in $(seq "$RUNS"); do
  echo "== run $r/$RUNS"
  rm -rf --one-file-system "$work/t" "$work/p" "$work/oci"; sync
  time_it tsrun env TSRUN_ROOT="$work/t" "$repo/bin/tsrun" pull -q "$image"
  sync
  time_it podman pm "$work/p" pull -q --tls-verify=false "$image"
  sync
  time_it skopeo skopeo copy -q --src-tls-verify=false "docker://$image" "oci:$work/oci:x"
  sync
  pm "$work/p" system reset --force >/dev/null 2>&1 || true
done
rm -rf --one-file-system "$work/t" "$work/p" "$work/oci"

python3 - "$work/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, t = line.split()
    times.setdefault(name, []).append(float(t))
med = {k: statistics.median(v) for k, v in times.items()}
print("\n%-8s %8s   %s" % ("tool", "median", "runs (s)"))
for k in ("tsrun", "podman", "skopeo"):
    print("%-8s %7.2fs   %s" % (k, med[k], " ".join("%.2f" % x for x in times[k])))
print("\ntsrun / podman = %.2fx   (target <= 0.8x)" % (med["tsrun"] / med["podman"]))
print("tsrun / skopeo (no unpack) = %.2fx" % (med["tsrun"] / med["skopeo"]))
PY
