//! cgroup v2 (the unified tree): controllers must be enabled in every
//! ancestor's `cgroup.subtree_control`; limits use the v2 file names and
//! units (`memory.max`, `cpu.max`, `cpu.weight`, `pids.max`). On a hybrid host
//! the tree usually offers no resource controllers; it still tracks the
//! processes and gives `cgroup.kill`.
use std::path::Path;

use super::fsutil::{read_trim, write_file};
use crate::error::Result;
use crate::oci::Resources;

const WANTED: &[&str] = &["cpu", "cpuset", "io", "memory", "pids", "hugetlb"];

/// Enable the available controllers from the mount root down to `leaf`'s parent.
/// Best effort: a controller the host does not delegate is simply left out.
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
        let avail = read_trim(&dir.join("cgroup.controllers")).unwrap_or_default();
        let want: Vec<String> = avail
            .split(' ')
            .filter(|c| WANTED.contains(c))
            .map(|c| format!("+{c}"))
            .collect();
        if !want.is_empty() {
            let _ = write_file(&dir.join("cgroup.subtree_control"), &want.join(" "));
        }
        dir.push(c);
    }
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

/// OCI cpu.shares (2..262144) to cgroup v2 cpu.weight (1..10000), as runc does.
pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 0;
    }
    1 + ((shares.clamp(2, 262_144) - 2) * 9999) / 262_142
}

/// The `cpu.max` line for a quota/period.
pub fn cpu_max(quota: Option<i64>, period: Option<u64>) -> String {
    let period = period.unwrap_or(100_000);
    match quota {
        Some(q) if q > 0 => format!("{q} {period}"),
        _ => format!("max {period}"),
    }
}

fn has(dir: &Path, controller: &str) -> bool {
    read_trim(&dir.join("cgroup.controllers"))
        .unwrap_or_default()
        .split(' ')
        .any(|c| c == controller)
}

/// Write the v2 files for what this cgroup's enabled controllers cover.
pub fn apply(dir: &Path, r: &Resources) -> Result<Vec<&'static str>> {
    let mut done = Vec::new();
    if let (true, Some(m)) = (has(dir, "memory"), &r.memory) {
        if let Some(l) = m.limit {
            write_file(
                &dir.join("memory.max"),
                &if l > 0 { l.to_string() } else { "max".into() },
            )?;
            if let Some(s) = m.swap {
                let v = if s > 0 && l > 0 {
                    (s - l).max(0).to_string()
                } else {
                    "max".into()
                };
                write_file(&dir.join("memory.swap.max"), &v)?;
            }
        }
        if let Some(res) = m.reservation {
            write_file(&dir.join("memory.low"), &res.to_string())?;
        }
        done.push("memory");
    }
    if let (true, Some(c)) = (has(dir, "cpu"), &r.cpu) {
        if let Some(s) = c.shares {
            write_file(&dir.join("cpu.weight"), &shares_to_weight(s).to_string())?;
        }
        if c.quota.is_some() || c.period.is_some() {
            write_file(&dir.join("cpu.max"), &cpu_max(c.quota, c.period))?;
        }
        done.push("cpu");
    }
    if let (true, Some(c)) = (has(dir, "cpuset"), &r.cpu) {
        if let Some(v) = c.cpus.as_deref().filter(|v| !v.is_empty()) {
            write_file(&dir.join("cpuset.cpus"), v)?;
        }
        if let Some(v) = c.mems.as_deref().filter(|v| !v.is_empty()) {
            write_file(&dir.join("cpuset.mems"), v)?;
        }
        done.push("cpuset");
    }
    if let (true, Some(p)) = (has(dir, "pids"), &r.pids) {
        write_file(
            &dir.join("pids.max"),
            &if p.limit > 0 {
                p.limit.to_string()
            } else {
                "max".into()
            },
        )?;
        done.push("pids");
    }
    Ok(done)
}

/// `oom_kill N` in memory.events.
pub fn oom_killed(dir: &Path) -> bool {
    super::fsutil::keyed_value(&dir.join("memory.events"), "oom_kill").unwrap_or(0) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(262_144), 10_000);
        assert_eq!(cpu_max(Some(50_000), None), "50000 100000");
        assert_eq!(cpu_max(Some(-1), Some(20_000)), "max 20000");
    }
}
