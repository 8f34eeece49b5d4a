#!/usr/bin/env bash
# Where does the time of `tsrun run --rm IMG true` go?  Each step is measured
# on its own with hyperfine (medians), then differences are printed:
#
#   node -e 0                          Node start (without NODE_EXTRA_CA_CERTS,
#                                      which bin/tsrun defers: see bin/tsrun)
#   tsrun --version                    + CLI start (bundle, code cache, oclif, manifest)
#   tsrun-shim run (tsrun's bundle)    the native part alone: clone, mounts, exec, reap, teardown
#                                      (back to back; spaced out, each start also waits out one
#                                      RCU grace period, ~10 ms, moving into v1 cgroups)
#   tsrun run --rm IMG true            everything
#   tsrun ps -a                        for reference: another command, no container
#
# "Node-side work for run" = run - --version - shim: loading the run command,
# engine, DI and plugins, then bundle/rootfs preparation, state writes, and
# removing the container. (The shim runs nested inside run, so this is a fair
# split as long as the shim's own cost is the same in both.)
#
#   sudo bench/breakdown.sh     (RUNS=20 WARMUP=3 by default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
results=${RESULTS_DIR:-$here/results}

die() { echo "breakdown: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
command -v hyperfine >/dev/null || die "hyperfine is not installed"
[ -x "$repo/bin/tsrun" ] || die "bin/tsrun missing; run npm ci first"

tar=$("$repo/test/support/build-rootfs.sh")
work=$(mktemp -d /tmp/tsrun-breakdown.XXXXXX)
export TSRUN_ROOT="$work/root"
tsrun="$repo/bin/tsrun"
cleanup() {
  "$tsrun" rm -f $("$tsrun" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  if grep -q " $work" /proc/self/mountinfo; then
    echo "breakdown: leaving $work (still mounted)" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

"$tsrun" import "$tar" bench:1 >/dev/null

# The native shim, run directly on the bundle tsrun itself generates for a container.
shim=$(cd "$repo" && node -e "process.stdout.write(require('@tsrun/native').shimPath())" 2>/dev/null || true)
shim_cmd=""
if [ -n "$shim" ] && [ -x "$shim" ]; then
  id=$("$tsrun" create --network none bench:1 true)
  config=$(find "$TSRUN_ROOT" -name config.json -path "*$id*" 2>/dev/null | head -1)
  if [ -n "$config" ]; then
    mkdir -p "$work/shim-state"
    shim_cmd="$shim run --bundle $(dirname "$config") --state-dir $work/shim-state --id $id"
    $shim_cmd </dev/null >/dev/null 2>&1 || { echo "breakdown: the shim fails on $config; skipping it" >&2; shim_cmd=""; }
  fi
fi

mkdir -p "$results"
out="$results/breakdown-$(date -u +%Y%m%dT%H%M%SZ).json"
args=(-n node "env -u NODE_EXTRA_CA_CERTS node -e 0"
      -n oclif "$tsrun --version")
[ -n "$shim_cmd" ] && args+=(-n shim "$shim_cmd")
args+=(-n run "$tsrun run --rm --network none bench:1 true"
       -n ps "$tsrun ps -a")

hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$out" "${args[@]}"

python3 - "$out" <<'PY'
import json, sys
m = {r["command"]: r["median"] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
print()
print("median ms")
W = 48
print("  %-*s %7.1f" % (W, "Node start (node -e 0)", m["node"]))
print("  %-*s %7.1f" % (W, "CLI start (tsrun --version minus node)", m["oclif"] - m["node"]))
if "shim" in m:
    print("  %-*s %7.1f" % (W, "Node-side work for run (run - --version - shim)", m["run"] - m["oclif"] - m["shim"]))
    print("  %-*s %7.1f" % (W, "native shim alone (tsrun-shim run)", m["shim"]))
else:
    print("  %-*s %7.1f" % (W, "run minus --version (Node-side work + shim)", m["run"] - m["oclif"]))
print("  %-*s %7.1f" % (W, "total: tsrun run --rm IMG true", m["run"]))
print()
print("  %-*s %7.1f" % (W, "for reference: tsrun ps -a", m["ps"]))
PY
echo "(raw: $out)"
