//! cgroup v1: one directory per hierarchy. cpuset needs `cpuset.cpus` and
//! `cpuset.mems` filled in (copied from the parent) before a task may join.
use std::path::Path;

use super::fsutil::{read_trim, write_file};
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

/// Write the v1 files for the resources this hierarchy controls. Returns the
/// names of the controllers it handled (so the caller knows what is covered).
pub fn apply(controllers: &[String], dir: &Path, r: &Resources) -> Result<Vec<&'static str>> {
    let has = |c: &str| controllers.iter().any(|x| x == c);
    let mut done = Vec::new();
    if let (true, Some(m)) = (has("memory"), &r.memory) {
        if let Some(l) = m.limit {
            write_file(&dir.join("memory.limit_in_bytes"), &l.to_string())?;
        }
        if let Some(s) = m.swap {
            write_file(&dir.join("memory.memsw.limit_in_bytes"), &s.to_string())?;
        }
        if let Some(res) = m.reservation {
            write_file(&dir.join("memory.soft_limit_in_bytes"), &res.to_string())?;
        }
        done.push("memory");
    }
    if let (true, Some(c)) = (has("cpu"), &r.cpu) {
        if let Some(s) = c.shares {
            write_file(&dir.join("cpu.shares"), &s.to_string())?;
        }
        if let Some(p) = c.period {
            write_file(&dir.join("cpu.cfs_period_us"), &p.to_string())?;
        }
        if let Some(q) = c.quota {
            write_file(&dir.join("cpu.cfs_quota_us"), &q.to_string())?;
        }
        done.push("cpu");
    }
    if let (true, Some(c)) = (has("cpuset"), &r.cpu) {
        if let Some(v) = c.cpus.as_deref().filter(|v| !v.is_empty()) {
            write_file(&dir.join("cpuset.cpus"), v)?;
        }
        if let Some(v) = c.mems.as_deref().filter(|v| !v.is_empty()) {
            write_file(&dir.join("cpuset.mems"), v)?;
        }
        done.push("cpuset");
    }
    if let (true, Some(p)) = (has("pids"), &r.pids) {
        let v = if p.limit > 0 {
            p.limit.to_string()
        } else {
            "max".to_string()
        };
        write_file(&dir.join("pids.max"), &v)?;
        done.push("pids");
    }
    Ok(done)
}

/// `oom_kill N` in memory.oom_control (kernels 4.13+).
pub fn oom_killed(dir: &Path) -> bool {
    super::fsutil::keyed_value(&dir.join("memory.oom_control"), "oom_kill").unwrap_or(0) > 0
}
