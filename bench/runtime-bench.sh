#!/usr/bin/env bash
# OCI runtime benchmark (issue 9): `tsrun-runtime run` (create, start, wait,
# delete) of `true` on one bundle, against `runc run` on the same bundle,
# in one hyperfine run; crun too when it is installed, in a mount namespace
# without the cgroup2 mount it refuses on hybrid hosts.
#
#   sudo bench/runtime-bench.sh             # 3 warm-up runs, 30 measured runs each
#   RUNS=50 sudo bench/runtime-bench.sh
#
# Needs: root, a built tsrun (npm ci), busybox-static, runc, hyperfine, python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
results=${RESULTS_DIR:-$here/results}
rt="$repo/packages/native/bin/tsrun-runtime"

die() { echo "runtime-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in runc hyperfine python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install -y $tool)"
done
[ -x "$rt" ] || die "$rt missing; run npm ci first"

tar=$("$repo/test/support/build-rootfs.sh")
work=$(mktemp -d /tmp/tsrun-rtbench.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
bundle="$work/bundle"
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

tsrun_cmd="$rt --root $work/tsrun-state run --bundle $bundle bench-rt"
runc_cmd="runc --root $work/runc-state run --bundle $bundle bench-runc"
cmds=(-n tsrun-runtime "$tsrun_cmd" -n runc "$runc_cmd")
if command -v crun >/dev/null; then
  crun_cmd="unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root $work/crun-state run --bundle $bundle bench-crun'"
  cmds+=(-n crun "$crun_cmd")
fi
for c in "$tsrun_cmd" "$runc_cmd"; do
  $c </dev/null >/dev/null || die "this command fails: $c"
done

mkdir -p "$results"
out="$results/runtime-bench-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "== hyperfine: $WARMUP warm-up, $RUNS runs each"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$out" "${cmds[@]}" || hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$out" "${cmds[@]}"

python3 - "$out" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print()
print("%-14s %10s %10s %10s" % ("", "median ms", "min ms", "max ms"))
for k, r in res.items():
    print("%-14s %10.1f %10.1f %10.1f" % (k, r["median"] * 1000, r["min"] * 1000, r["max"] * 1000))
print()
print("tsrun-runtime/runc = %.2fx   (target <= 0.80x)" % (res["tsrun-runtime"]["median"] / res["runc"]["median"]))
if "crun" in res:
    print("tsrun-runtime/crun = %.2fx" % (res["tsrun-runtime"]["median"] / res["crun"]["median"]))
PY
echo "(raw: $out)"
