//! `probeHost()`: what this host offers.
use napi_derive::napi;

pub use tsrun_sys::cgroup::{probe as cgroup_probe, remove as cgroup_remove};

#[napi(object)]
pub struct NativeHostProbe {
    /// `v1`, `v2` or `hybrid`; `none` when no cgroup filesystem is mounted.
    #[napi(ts_type = "'v1' | 'v2' | 'hybrid' | 'none'")]
    pub cgroup: String,
    /// overlayfs is listed in /proc/filesystems.
    pub overlay: bool,
    /// Controllers mounted as v1 hierarchies (empty on a pure v2 host).
    pub v1_controllers: Vec<String>,
}

/// What this host offers: cgroup layout and overlay support.
#[napi]
pub fn probe_host() -> NativeHostProbe {
    let probe = cgroup_probe();
    NativeHostProbe {
        cgroup: probe.cgroup,
        overlay: probe.overlay,
        v1_controllers: probe.v1_controllers,
    }
}
