#!/usr/bin/env bash
# exec and monitor-memory benchmark (issue 5):
#  1. `tsrun exec CONTAINER true` against `podman exec CONTAINER true`, in one
#     hyperfine run, medians and the ratio (target: tsrun <= 0.80x podman);
#  2. the resident memory of the per-container monitor with N idle containers
#     (default 50): tsrun-shim against podman's conmon (target: < 2 MiB each).
#     VmRSS counts the monitor's share of its binary's pages too; RssAnon is
#     what each monitor alone costs.
#
#   sudo bench/exec-bench.sh            # RUNS=20 N=50 by default
#
# Needs: root, a built tsrun (npm ci), busybox-static, podman, runc, hyperfine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
RUNS=${RUNS:-20}
N=${N:-50}
die() { echo "exec-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in podman runc hyperfine; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

tar=$("$repo/test/support/build-rootfs.sh")
work=$(mktemp -d /tmp/tsrun-execbench.XXXXXX)
export TSRUN_ROOT="$work/tsrun"
tsrun() { "$repo/bin/tsrun" "$@"; }
podman_=(podman --root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/podman/tmp"
         --cgroup-manager cgroupfs --events-backend file --runtime runc)
prun=(run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
cleanup() {
  tsrun rm -f $(tsrun ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  "${podman_[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  # podman's overlay store stays mounted after its containers are gone.
  grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

tsrun import "$tar" bench:1 >/dev/null
"${podman_[@]}" import "$tar" bench:1 >/dev/null 2>&1

echo "== exec: $RUNS runs each"
tsrun run -d --name ex bench:1 sleep 3600 >/dev/null
"${podman_[@]}" "${prun[@]}" --name ex localhost/bench:1 sleep 3600 >/dev/null
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/exec.json" \
  -n tsrun "$repo/bin/tsrun exec ex true" \
  -n podman "${podman_[*]} exec ex true" >/dev/null
python3 - "$work/exec.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
print("exec median: tsrun %.1f ms, podman %.1f ms, tsrun/podman = %.2fx (target <= 0.80x)" % (r["tsrun"], r["podman"], r["tsrun"] / r["podman"]))
PY

echo "== monitor memory with $N idle containers each"
for i in $(seq "$N"); do
  tsrun run -d bench:1 sleep 3600 >/dev/null
  "${podman_[@]}" "${prun[@]}" localhost/bench:1 sleep 3600 >/dev/null
done
rss() { # pids... -> "median VmRSS kB, median RssAnon kB"
  for p in "$@"; do
    awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' "/proc/$p/status"
  done | sort -n | awk '{r[NR]=$1; a[NR]=$2} END {m=int((NR+1)/2); print r[m], a[m], NR}'
}
mapfile -t shims < <(for f in "$TSRUN_ROOT"/containers/*/shim.json; do python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["monitorPid"])' "$f"; done)
mapfile -t conmons < <(pgrep -f "conmon .*$work/podman" || true)
read -r t_rss t_anon t_n < <(rss "${shims[@]}")
read -r c_rss c_anon c_n < <(rss "${conmons[@]}")
printf 'tsrun-shim: %s monitors, median VmRSS %s kB, RssAnon %s kB (target < 2048 kB)\n' "$t_n" "$t_rss" "$t_anon"
printf 'conmon:     %s monitors, median VmRSS %s kB, RssAnon %s kB\n' "$c_n" "$c_rss" "$c_anon"
