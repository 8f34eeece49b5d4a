#!/usr/bin/env bash
# Start-up benchmark: `tsrun run --rm IMG true` against `podman run --rm` and
# `runc run` on the same busybox rootfs, measured in one hyperfine run.
#
#   sudo bench/run-bench.sh                 # 3 warm-up runs, 20 measured runs each
#   RUNS=50 WARMUP=5 sudo bench/run-bench.sh
#
# Needs: root, a built tsrun (npm ci), busybox-static, podman, runc, hyperfine, python3.
# Results: bench/results/bench-<time>.json (hyperfine's export) and a summary on stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
results=${RESULTS_DIR:-$here/results}

die() { echo "run-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in podman runc hyperfine python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install -y $tool)"
done
[ -x "$repo/bin/tsrun" ] || die "bin/tsrun missing; run npm ci first"

tar=$("$repo/test/support/build-rootfs.sh")
work=$(mktemp -d /tmp/tsrun-bench.XXXXXX)
podman_=(podman --root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/podman/tmp"
         --cgroup-manager cgroupfs --events-backend file --runtime runc)
cleanup() {
  TSRUN_ROOT="$work/tsrun" "$repo/bin/tsrun" rm -f $(TSRUN_ROOT="$work/tsrun" "$repo/bin/tsrun" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  "${podman_[@]}" rm -af >/dev/null 2>&1 || true
  "${podman_[@]}" rmi -af >/dev/null 2>&1 || true
  runc --root "$work/runc-state" delete -f bench-runc >/dev/null 2>&1 || true
  if grep -q " $work" /proc/self/mountinfo; then
    echo "run-bench: leaving $work (still mounted)" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

echo "== preparing images from $(basename "$tar")"
export TSRUN_ROOT="$work/tsrun"
"$repo/bin/tsrun" import "$tar" bench:1 >/dev/null
"${podman_[@]}" import "$tar" bench:1 >/dev/null 2>&1
bundle="$work/runc-bundle"
mkdir -p "$bundle/rootfs"
tar -xf "$tar" -C "$bundle/rootfs"
(cd "$bundle" && runc spec)
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(p, "w"), indent=1)
PY

tsrun_cmd="$repo/bin/tsrun run --rm --network none bench:1 true"
podman_cmd="${podman_[*]} run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bench:1 true"
runc_cmd="runc --root $work/runc-state run --bundle $bundle bench-runc"

# Sanity: every command works before it is timed.
for c in "$tsrun_cmd" "$podman_cmd" "$runc_cmd"; do
  $c </dev/null >/dev/null || die "this command fails: $c"
done

mkdir -p "$results"
out="$results/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "== hyperfine: $WARMUP warm-up, $RUNS runs each"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$out" \
  -n tsrun "$tsrun_cmd" \
  -n podman "$podman_cmd" \
  -n runc "$runc_cmd"

python3 - "$out" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
print()
print("%-8s %10s %10s %10s" % ("", "median ms", "min ms", "max ms"))
for k in ("tsrun", "podman", "runc"):
    r = res[k]
    print("%-8s %10.1f %10.1f %10.1f" % (k, med[k], r["min"] * 1000, r["max"] * 1000))
print()
print("tsrun/podman = %.2fx   (target <= 0.80x)" % (med["tsrun"] / med["podman"]))
print("tsrun/runc   = %.2fx" % (med["tsrun"] / med["runc"]))
PY
echo "(raw: $out)"
