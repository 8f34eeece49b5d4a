//! The cpu and cpuset controllers: shares/weight, CFS quota and period,
//! pinned CPUs and memory nodes; CPU time used, for stats.
//! v1 splits `cpu` (limits) and `cpuacct` (accounting) into hierarchies that
//! may be mounted apart; v2 has both in `cpu`.
use std::path::Path;

use super::fsutil::{keyed_value, read_trim, write_file};
use super::units::{cpu_max, shares_to_weight};
use crate::error::Result;
use crate::oci::Cpu;

/// True when the spec asks for something of the `cpu` controller.
pub fn wants_cpu(c: &Cpu) -> bool {
    c.shares.is_some() || c.quota.is_some() || c.period.is_some()
}

/// True when the spec pins CPUs or memory nodes.
pub fn wants_cpuset(c: &Cpu) -> bool {
    c.cpus.as_deref().is_some_and(|v| !v.is_empty())
        || c.mems.as_deref().is_some_and(|v| !v.is_empty())
}

pub fn apply_cpu_v1(dir: &Path, c: &Cpu) -> Result<()> {
    if let Some(s) = c.shares {
        write_file(&dir.join("cpu.shares"), &s.to_string())?;
    }
    // The period first: a quota is checked against the current period.
    if let Some(p) = c.period {
        write_file(&dir.join("cpu.cfs_period_us"), &p.to_string())?;
    }
    if let Some(q) = c.quota {
        write_file(&dir.join("cpu.cfs_quota_us"), &q.to_string())?;
    }
    Ok(())
}

pub fn apply_cpu_v2(dir: &Path, c: &Cpu) -> Result<()> {
    if let Some(s) = c.shares {
        write_file(&dir.join("cpu.weight"), &shares_to_weight(s).to_string())?;
    }
    if c.quota.is_some() || c.period.is_some() {
        write_file(&dir.join("cpu.max"), &cpu_max(c.quota, c.period))?;
    }
    Ok(())
}

/// Same file names on v1 and v2.
pub fn apply_cpuset(dir: &Path, c: &Cpu) -> Result<()> {
    if let Some(v) = c.cpus.as_deref().filter(|v| !v.is_empty()) {
        write_file(&dir.join("cpuset.cpus"), v)?;
    }
    if let Some(v) = c.mems.as_deref().filter(|v| !v.is_empty()) {
        write_file(&dir.join("cpuset.mems"), v)?;
    }
    Ok(())
}

/// CPU time used by the cgroup, in nanoseconds: v1 `cpuacct.usage`.
pub fn usage_ns_v1(dir: &Path) -> Option<u64> {
    read_trim(&dir.join("cpuacct.usage")).ok()?.parse().ok()
}

/// v2 `cpu.stat` `usage_usec`, in nanoseconds.
pub fn usage_ns_v2(dir: &Path) -> Option<u64> {
    keyed_value(&dir.join("cpu.stat"), "usage_usec").map(|u| u * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_files() {
        let t = tempfile::tempdir().unwrap();
        let c = Cpu {
            shares: Some(512),
            quota: Some(50_000),
            period: Some(100_000),
            cpus: Some("0".into()),
            mems: None,
        };
        assert!(wants_cpu(&c) && wants_cpuset(&c));
        apply_cpu_v1(t.path(), &c).unwrap();
        apply_cpu_v2(t.path(), &c).unwrap();
        apply_cpuset(t.path(), &c).unwrap();
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("cpu.shares"), "512");
        assert_eq!(rd("cpu.cfs_quota_us"), "50000");
        assert_eq!(rd("cpu.cfs_period_us"), "100000");
        assert_eq!(rd("cpu.weight"), "20");
        assert_eq!(rd("cpu.max"), "50000 100000");
        assert_eq!(rd("cpuset.cpus"), "0");
        assert!(!t.path().join("cpuset.mems").exists());
    }

    #[test]
    fn usage_in_nanoseconds() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("cpuacct.usage"), "123456789\n").unwrap();
        std::fs::write(
            t.path().join("cpu.stat"),
            "usage_usec 1500\nuser_usec 1000\n",
        )
        .unwrap();
        assert_eq!(usage_ns_v1(t.path()), Some(123_456_789));
        assert_eq!(usage_ns_v2(t.path()), Some(1_500_000));
    }
}
