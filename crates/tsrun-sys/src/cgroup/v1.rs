//! cgroup v1: one directory per hierarchy; each hierarchy handles the
//! controllers it mounts (`cpu` and `cpuacct` may be apart or together).
//! cpuset needs `cpuset.cpus` and `cpuset.mems` filled in (copied from the
//! parent) before a task may join.
use std::path::Path;

use super::fsutil::{read_trim, write_file};
use super::stats::Stats;
use super::{blkio, cpu, freezer, memory, pids};
use crate::error::Result;
use crate::oci::Resources;

/// After mkdir of each new level: make cpuset usable.
pub fn prepare_level(controllers: &[String], dir: &Path) -> Result<()> {
    if !controllers.iter().any(|c| c == "cpuset") {
        return Ok(());
    }
    let Some(parent) = dir.parent() else {
        return Ok(());
    };
    for f in ["cpuset.cpus", "cpuset.mems"] {
        if read_trim(&dir.join(f)).unwrap_or_default().is_empty() {
            let v = read_trim(&parent.join(f))?;
            write_file(&dir.join(f), &v)?;
        }
    }
    Ok(())
}

fn has(controllers: &[String], c: &str) -> bool {
    controllers.iter().any(|x| x == c)
}

/// Write the v1 files for the resources this hierarchy controls. Returns what
/// it covered (`memory`, `memory swap`, `oom kill disable`, `cpu`, `cpuset`,
/// `pids`, `blkio weight`, `blkio throttle`).
pub fn apply(controllers: &[String], dir: &Path, r: &Resources) -> Result<Vec<&'static str>> {
    let mut done = Vec::new();
    if let (true, Some(m)) = (has(controllers, "memory"), &r.memory) {
        done.extend(memory::apply_v1(dir, m)?);
    }
    if let Some(c) = &r.cpu {
        if has(controllers, "cpu") {
            cpu::apply_cpu_v1(dir, c)?;
            done.push("cpu");
        }
        if has(controllers, "cpuset") {
            cpu::apply_cpuset(dir, c)?;
            done.push("cpuset");
        }
    }
    if let (true, Some(p)) = (has(controllers, "pids"), &r.pids) {
        pids::apply(dir, p)?;
        done.push("pids");
    }
    if let (true, Some(b)) = (has(controllers, "blkio"), &r.block_io) {
        done.extend(blkio::apply_v1(dir, b)?);
    }
    Ok(done)
}

/// Fill in what this hierarchy knows.
pub fn stats(controllers: &[String], dir: &Path, s: &mut Stats) {
    if has(controllers, "cpuacct") {
        s.cpu_usage_ns = s.cpu_usage_ns.or(cpu::usage_ns_v1(dir));
    }
    if has(controllers, "memory") {
        s.memory = s.memory.or(memory::stats_v1(dir));
    }
    if has(controllers, "pids") {
        s.pids = s.pids.or(pids::current(dir));
    }
    if has(controllers, "blkio") {
        s.blkio = s.blkio.or(blkio::stats_v1(dir));
    }
}

pub fn oom_killed(controllers: &[String], dir: &Path) -> bool {
    has(controllers, "memory") && memory::oom_killed_v1(dir)
}

/// Freeze/thaw; `Ok(false)` when this hierarchy is not the freezer.
pub fn freeze(controllers: &[String], dir: &Path, frozen: bool) -> Result<bool> {
    if !has(controllers, "freezer") {
        return Ok(false);
    }
    freezer::set_v1(dir, frozen)?;
    Ok(true)
}

pub fn frozen(controllers: &[String], dir: &Path) -> Option<bool> {
    if has(controllers, "freezer") {
        freezer::frozen_v1(dir)
    } else {
        None
    }
}
