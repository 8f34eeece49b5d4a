#!/usr/bin/env bash
# Regenerate crates/tsrun-sys/src/seccomp/x86_64.rs (syscall numbers by name)
# from the Linux uapi header, plus the calls newer kernels added after it.
set -euo pipefail
hdr=${HDR:-/usr/include/x86_64-linux-gnu/asm/unistd_64.h}
out=$(dirname "$0")/../crates/tsrun-sys/src/seccomp/x86_64.rs
{
echo '//! GENERATED from /usr/include/x86_64-linux-gnu/asm/unistd_64.h (Linux uapi headers)'
echo '//! by `scripts/gen-syscall-table.sh`, plus the calls newer kernels added'
echo '//! (451..467). Do not edit by hand: regenerate. x86_64 numbers by name.'
echo 'pub const SYSCALLS: &[(&str, u32)] = &['
grep '#define __NR_' "$hdr" | awk '{sub("__NR_","",$2); printf "    (\"%s\", %s),\n", $2, $3}'
for p in cachestat:451 fchmodat2:452 map_shadow_stack:453 futex_wake:454 futex_wait:455 futex_requeue:456 statmount:457 listmount:458 lsm_get_self_attr:459 lsm_set_self_attr:460 lsm_list_modules:461 mseal:462 setxattrat:463 getxattrat:464 listxattrat:465 removexattrat:466 open_tree_attr:467; do
  n=${p%%:*}; v=${p##*:}
  grep -q "__NR_$n " "$hdr" || printf '    ("%s", %s),\n' "$n" "$v"
done
echo '];'
} > "$out"
