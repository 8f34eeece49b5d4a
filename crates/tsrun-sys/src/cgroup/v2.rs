//! cgroup v2 (the unified tree): controllers must be enabled in every
//! ancestor's `cgroup.subtree_control`; limits use the v2 file names and
//! units (`memory.max`, `cpu.max`, `cpu.weight`, `pids.max`). On a hybrid host
//! the tree usually offers no resource controllers; it still tracks the
//! processes, gives `cgroup.kill` and (5.2+) `cgroup.freeze`.
use std::path::Path;

use super::fsutil::{read_trim, write_file};
use super::stats::Stats;
use super::{blkio, cpu, freezer, memory, pids};
use crate::error::Result;
use crate::oci::Resources;

const WANTED: &[&str] = &["cpu", "cpuset", "io", "memory", "pids", "hugetlb"];

fn enable_in(dir: &Path) {
    let avail = read_trim(&dir.join("cgroup.controllers")).unwrap_or_default();
    let want: Vec<String> = avail
        .split(' ')
        .filter(|c| WANTED.contains(c))
        .map(|c| format!("+{c}"))
        .collect();
    if !want.is_empty() {
        let _ = write_file(&dir.join("cgroup.subtree_control"), &want.join(" "));
    }
}

/// Enable the available controllers from the mount root down to `leaf`'s
/// parent, and in `leaf` itself for its children. Best effort: a controller
/// the host does not delegate is simply left out.
pub fn enable_controllers(mount: &Path, leaf: &Path) {
    let Ok(rel) = leaf.strip_prefix(mount) else {
        return;
    };
    let mut dir = mount.to_path_buf();
    let comps: Vec<_> = rel.components().collect();
    for (i, c) in comps.iter().enumerate() {
        if i + 1 == comps.len() {
            break;
        }
        enable_in(&dir);
        dir.push(c);
    }
    enable_in(&dir);
}

/// Whether the cgroup has `controller` enabled (listed in its cgroup.controllers).
pub fn has(dir: &Path, controller: &str) -> bool {
    read_trim(&dir.join("cgroup.controllers"))
        .unwrap_or_default()
        .split(' ')
        .any(|c| c == controller)
}

/// Write the v2 files for what this cgroup's enabled controllers cover.
pub fn apply(dir: &Path, r: &Resources) -> Result<Vec<&'static str>> {
    let mut done = Vec::new();
    if let (true, Some(m)) = (has(dir, "memory"), &r.memory) {
        done.extend(memory::apply_v2(dir, m)?);
    }
    if let Some(c) = &r.cpu {
        if has(dir, "cpu") {
            cpu::apply_cpu_v2(dir, c)?;
            done.push("cpu");
        }
        if has(dir, "cpuset") {
            cpu::apply_cpuset(dir, c)?;
            done.push("cpuset");
        }
    }
    if let (true, Some(p)) = (has(dir, "pids"), &r.pids) {
        pids::apply(dir, p)?;
        done.push("pids");
    }
    if let (true, Some(b)) = (has(dir, "io"), &r.block_io) {
        done.extend(blkio::apply_v2(dir, b)?);
    }
    Ok(done)
}

pub fn stats(dir: &Path, s: &mut Stats) {
    if has(dir, "cpu") || dir.join("cpu.stat").exists() {
        s.cpu_usage_ns = s.cpu_usage_ns.or(cpu::usage_ns_v2(dir));
    }
    if has(dir, "memory") {
        s.memory = s.memory.or(memory::stats_v2(dir));
    }
    if has(dir, "pids") {
        s.pids = s.pids.or(pids::current(dir));
    }
    if has(dir, "io") {
        s.blkio = s.blkio.or(blkio::stats_v2(dir));
    }
}

/// `oom_kill N` in memory.events.
pub fn oom_killed(dir: &Path) -> bool {
    memory::oom_killed_v2(dir)
}

/// Freeze/thaw; `Ok(false)` when the tree has no `cgroup.freeze` (before 5.2).
pub fn freeze(dir: &Path, frozen: bool) -> Result<bool> {
    if !dir.join("cgroup.freeze").exists() {
        return Ok(false);
    }
    freezer::set_v2(dir, frozen)?;
    Ok(true)
}

pub fn frozen(dir: &Path) -> Option<bool> {
    freezer::frozen_v2(dir)
}
