//! Controlling a running container through its cgroup, from the engine
//! (`tsrun update`, `pause`, `unpause`, `stats`, `top`): one manager,
//! `tsrun_sys::cgroup::Cgroup`, the same the shim uses at start. None of
//! these fork; all are quick file writes and reads under /sys/fs/cgroup.
use napi_derive::napi;
use tsrun_sys::cgroup::{self, Cgroup};

use crate::errors::{to_js, Result};

/// Apply OCI `linux.resources` (JSON) to a container's existing cgroup.
/// Answers what could not be enforced on this host (`memory`, `memory swap`,
/// `cpu`, `cpuset`, `pids`), for the caller to warn about.
#[napi]
pub fn update_cgroup(cgroups_path: String, resources_json: String) -> Result<Vec<String>> {
    let r = cgroup::parse_resources(&resources_json).map_err(to_js)?;
    let cg = Cgroup::for_host(&cgroups_path).map_err(to_js)?;
    let missing = cg.apply(&r).map_err(to_js)?;
    Ok(missing.into_iter().map(String::from).collect())
}

/// What of OCI `linux.resources` (JSON) this host cannot enforce, without
/// touching anything: checked at create so the user is warned before start.
#[napi]
pub fn missing_controllers(resources_json: String) -> Result<Vec<String>> {
    let r = cgroup::parse_resources(&resources_json).map_err(to_js)?;
    let h = cgroup::host_hierarchies().map_err(to_js)?;
    Ok(Cgroup::missing_for_host(&h, &r)
        .into_iter()
        .map(String::from)
        .collect())
}

/// Freeze (true) or thaw (false) every process of the container; returns
/// once the kernel reports the new state. EINVAL `cgroup freezer: controller
/// not available` when the host has no freezer.
#[napi]
pub fn freeze_cgroup(cgroups_path: String, frozen: bool) -> Result<()> {
    Cgroup::for_host(&cgroups_path)
        .and_then(|c| c.freeze(frozen))
        .map_err(to_js)
}

/// Whether the container's cgroup is frozen (false when it does not exist).
#[napi]
pub fn cgroup_frozen(cgroups_path: String) -> Result<bool> {
    Ok(Cgroup::for_host(&cgroups_path).map_err(to_js)?.frozen())
}

/// Host pids of every process in the container's cgroup.
#[napi]
pub fn cgroup_pids(cgroups_path: String) -> Result<Vec<i32>> {
    Ok(Cgroup::for_host(&cgroups_path).map_err(to_js)?.pids())
}

/// Figures for `tsrun stats`; a figure no hierarchy offers is absent.
#[napi(object)]
pub struct NativeCgroupStats {
    /// Total CPU time used, nanoseconds.
    pub cpu_usage_ns: Option<f64>,
    /// Memory in use without the inactive page cache, bytes.
    pub memory_usage: Option<f64>,
    /// The memory limit, bytes; absent when unlimited.
    pub memory_limit: Option<f64>,
    pub pids: Option<f64>,
    pub blk_read: Option<f64>,
    pub blk_write: Option<f64>,
}

#[napi]
pub fn cgroup_stats(cgroups_path: String) -> Result<NativeCgroupStats> {
    let s = Cgroup::for_host(&cgroups_path).map_err(to_js)?.stats();
    Ok(NativeCgroupStats {
        cpu_usage_ns: s.cpu_usage_ns.map(|v| v as f64),
        memory_usage: s.memory.map(|m| m.usage as f64),
        memory_limit: s.memory.and_then(|m| m.limit).map(|v| v as f64),
        pids: s.pids.map(|v| v as f64),
        blk_read: s.blkio.map(|b| b.0 as f64),
        blk_write: s.blkio.map(|b| b.1 as f64),
    })
}
