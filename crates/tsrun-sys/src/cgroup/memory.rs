//! The memory controller: limit, memory+swap and reservation, the OOM
//! killer switch (v1 only: v2 has none, so it is reported not covered; v1
//! also kernelTCP and swappiness where the files exist); usage for stats;
//! whether the OOM killer struck.
//!
//! v1 refuses a `memory.limit_in_bytes` above `memory.memsw.limit_in_bytes`
//! (and the reverse), so raising both (`tsrun update`) needs memsw first and
//! lowering needs the limit first: on EINVAL the other order is tried.
//! Without swap accounting (no `memsw` file) the swap part is reported as not
//! covered, and the caller warns.
use std::path::Path;

use super::fsutil::{keyed_value, read_trim, write_file};
use super::units::{limit_value, parse_limit, v2_swap_max};
use crate::error::Result;
use crate::oci::Memory;

/// What one hierarchy handled: `memory` and, when it could, `memory swap`.
pub type Covered = Vec<&'static str>;

pub fn apply_v1(dir: &Path, m: &Memory) -> Result<Covered> {
    let mut done = vec!["memory"];
    let limit_f = dir.join("memory.limit_in_bytes");
    let swap_f = dir.join("memory.memsw.limit_in_bytes");
    let swap = m.swap.filter(|_| swap_f.exists());
    match (m.limit, swap) {
        (Some(l), Some(s)) => {
            let (l, s) = (l.to_string(), s.to_string());
            if write_file(&limit_f, &l).is_err() {
                write_file(&swap_f, &s)?;
                write_file(&limit_f, &l)?;
            } else {
                write_file(&swap_f, &s)?;
            }
        }
        (Some(l), None) => write_file(&limit_f, &l.to_string())?,
        (None, Some(s)) => write_file(&swap_f, &s.to_string())?,
        (None, None) => {}
    }
    if swap.is_some() || m.swap.is_none() {
        done.push("memory swap");
    }
    if let Some(r) = m.reservation {
        write_file(&dir.join("memory.soft_limit_in_bytes"), &r.to_string())?;
    }
    // v1-only knobs; a file this kernel lacks is left alone, as runc does.
    let optional = |name: &str, value: String| -> Result<()> {
        let f = dir.join(name);
        if f.exists() {
            write_file(&f, &value)?;
        }
        Ok(())
    };
    if let Some(t) = m.kernel_tcp {
        optional("memory.kmem.tcp.limit_in_bytes", t.to_string())?;
    }
    if let Some(sw) = m.swappiness {
        optional("memory.swappiness", sw.to_string())?;
    }
    // `--oom-kill-disable`: the v1 switch; a task over the limit then waits
    // instead of being killed. An `update` never turns it back on (runc
    // writes it only when true, too).
    if m.disable_oom_killer == Some(true) {
        write_file(&dir.join("memory.oom_control"), "1")?;
        done.push("oom kill disable");
    }
    Ok(done)
}

pub fn apply_v2(dir: &Path, m: &Memory) -> Result<Covered> {
    let mut done = vec!["memory"];
    if let Some(l) = m.limit {
        write_file(&dir.join("memory.max"), &limit_value(l))?;
    }
    let swap_f = dir.join("memory.swap.max");
    match m.swap {
        Some(s) if swap_f.exists() => {
            write_file(&swap_f, &v2_swap_max(m.limit, s))?;
            done.push("memory swap");
        }
        Some(_) => {}
        None => done.push("memory swap"),
    }
    if let Some(r) = m.reservation {
        write_file(&dir.join("memory.low"), &r.to_string())?;
    }
    Ok(done)
}

/// Memory figures for `stats`, Docker's way: usage without the inactive
/// page cache (which the kernel reclaims first).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStats {
    pub usage: u64,
    pub limit: Option<u64>,
}

pub fn stats_v1(dir: &Path) -> Option<MemoryStats> {
    let usage: u64 = read_trim(&dir.join("memory.usage_in_bytes"))
        .ok()?
        .parse()
        .ok()?;
    let inactive = keyed_value(&dir.join("memory.stat"), "total_inactive_file").unwrap_or(0);
    let limit = read_trim(&dir.join("memory.limit_in_bytes"))
        .ok()
        .and_then(|t| parse_limit(&t));
    Some(MemoryStats {
        usage: usage.saturating_sub(inactive),
        limit,
    })
}

pub fn stats_v2(dir: &Path) -> Option<MemoryStats> {
    let usage: u64 = read_trim(&dir.join("memory.current")).ok()?.parse().ok()?;
    let inactive = keyed_value(&dir.join("memory.stat"), "inactive_file").unwrap_or(0);
    let limit = read_trim(&dir.join("memory.max"))
        .ok()
        .and_then(|t| parse_limit(&t));
    Some(MemoryStats {
        usage: usage.saturating_sub(inactive),
        limit,
    })
}

/// `oom_kill N` in memory.oom_control (kernels 4.13+).
pub fn oom_killed_v1(dir: &Path) -> bool {
    keyed_value(&dir.join("memory.oom_control"), "oom_kill").unwrap_or(0) > 0
}

/// `oom_kill N` in memory.events.
pub fn oom_killed_v2(dir: &Path) -> bool {
    keyed_value(&dir.join("memory.events"), "oom_kill").unwrap_or(0) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_swap_needs_accounting() {
        let t = tempfile::tempdir().unwrap();
        let m = Memory {
            limit: Some(64 << 20),
            swap: Some(128 << 20),
            ..Default::default()
        };
        // No memsw file: the limit is set, the swap part is not covered.
        assert_eq!(apply_v1(t.path(), &m).unwrap(), vec!["memory"]);
        std::fs::write(t.path().join("memory.memsw.limit_in_bytes"), "").unwrap();
        assert_eq!(
            apply_v1(t.path(), &m).unwrap(),
            vec!["memory", "memory swap"]
        );
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("memory.limit_in_bytes"), "67108864");
        assert_eq!(rd("memory.memsw.limit_in_bytes"), "134217728");
    }

    #[test]
    fn v2_files_and_units() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("memory.swap.max"), "max").unwrap();
        let m = Memory {
            limit: Some(64 << 20),
            swap: Some(96 << 20),
            reservation: Some(32 << 20),
            disable_oom_killer: Some(true),
            ..Default::default()
        };
        assert_eq!(
            apply_v2(t.path(), &m).unwrap(),
            vec!["memory", "memory swap"]
        );
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("memory.max"), "67108864");
        assert_eq!(rd("memory.swap.max"), (32u64 << 20).to_string());
        assert_eq!(rd("memory.low"), "33554432");
        assert!(
            !t.path().join("memory.oom_control").exists(),
            "v2 has no OOM switch"
        );
    }

    #[test]
    fn v1_disables_the_oom_killer() {
        let t = tempfile::tempdir().unwrap();
        let m = Memory {
            reservation: Some(32 << 20),
            disable_oom_killer: Some(true),
            ..Default::default()
        };
        assert_eq!(
            apply_v1(t.path(), &m).unwrap(),
            vec!["memory", "memory swap", "oom kill disable"]
        );
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("memory.oom_control"), "1");
        assert_eq!(rd("memory.soft_limit_in_bytes"), "33554432");
    }

    #[test]
    fn stats_subtract_inactive_cache() {
        let t = tempfile::tempdir().unwrap();
        let w = |f: &str, v: &str| std::fs::write(t.path().join(f), v).unwrap();
        w("memory.usage_in_bytes", "10000\n");
        w("memory.limit_in_bytes", "9223372036854771712\n");
        w("memory.stat", "cache 5000\ntotal_inactive_file 4000\n");
        assert_eq!(
            stats_v1(t.path()),
            Some(MemoryStats {
                usage: 6000,
                limit: None
            })
        );
        w("memory.current", "8192\n");
        w("memory.max", "65536\n");
        w("memory.stat", "anon 4096\ninactive_file 1024\n");
        assert_eq!(
            stats_v2(t.path()),
            Some(MemoryStats {
                usage: 7168,
                limit: Some(65536)
            })
        );
    }
}
