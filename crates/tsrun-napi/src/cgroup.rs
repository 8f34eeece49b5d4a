//! `removeCgroup(cgroupsPath)`: kill what is left in a container's cgroup and remove it.
use napi_derive::napi;

use crate::errors::{to_js, Result};
use crate::host::cgroup_remove;

/// Kill every process in the cgroup (v2 cgroup.kill where present, else
/// signal each pid) and remove the cgroup directory in every hierarchy.
/// Missing = success.
#[napi]
pub fn remove_cgroup(cgroups_path: String) -> Result<()> {
    cgroup_remove(&cgroups_path).map_err(to_js)
}
