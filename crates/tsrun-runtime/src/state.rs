//! A container's state on disk, under `--root` (default /run/tsrun-runtime):
//!
//! ```text
//! <root>/<id>/state.json   what create decided (pid, its start time, bundle, cgroup, created)
//! <root>/<id>/exec.fifo    exists from create until start: the init blocks on it
//! ```
//!
//! The status is never stored; it is read off the world each time, so no
//! crash leaves a stale one: the init alive (same pid and start time, not a
//! zombie) and the fifo there is `created`; alive without it `running` (or
//! `paused` when frozen); otherwise `stopped`.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tsrun_sys::cgroup::Cgroup;
use tsrun_sys::error::SysError;

/// The OCI runtime-spec version we implement (state.json's `ociVersion`).
pub const OCI_VERSION: &str = "1.2.0";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    pub oci_version: String,
    pub id: String,
    /// The init's pid in our PID namespace; 0 until create knows it.
    pub pid: i32,
    #[serde(default)]
    pub pid_start_time: u64,
    pub bundle: PathBuf,
    pub rootfs: PathBuf,
    /// RFC 3339, when create finished.
    pub created: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub annotations: HashMap<String, String>,
    pub cgroups_path: String,
}

/// What `state` and `list` say of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Creating => "creating",
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }
}

/// The state root and one container's files in it.
pub struct Store {
    pub root: PathBuf,
}

impl Store {
    pub fn new(root: &Path) -> Store {
        Store {
            root: root.to_path_buf(),
        }
    }

    pub fn dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    pub fn fifo(&self, id: &str) -> PathBuf {
        self.dir(id).join("exec.fifo")
    }

    pub fn state_file(&self, id: &str) -> PathBuf {
        self.dir(id).join("state.json")
    }

    /// Every container id in the root, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.root)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().join("state.json").exists())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// The recorded state, or runc's "does not exist" error.
    pub fn load(&self, id: &str) -> Result<State, String> {
        check_id(id)?;
        let text = std::fs::read(self.state_file(id))
            .map_err(|_| format!("container \"{id}\" does not exist"))?;
        serde_json::from_slice(&text)
            .map_err(|e| format!("container \"{id}\": state.json is corrupt: {e}"))
    }

    /// Write the state atomically (temp file, fsync, rename).
    pub fn save(&self, st: &State) -> Result<(), SysError> {
        let path = self.state_file(&st.id);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(st)
            .map_err(|e| SysError::invalid("encode", "state", e.to_string()))?;
        let io =
            |e: std::io::Error, op: &str| SysError::from_io(&e, op, path.display().to_string());
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(|e| io(e, "create"))?;
            f.write_all(&text).map_err(|e| io(e, "write"))?;
            f.sync_all().map_err(|e| io(e, "fsync"))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| io(e, "rename"))
    }

    /// The live status of a recorded container.
    pub fn status(&self, st: &State) -> Status {
        if st.pid <= 0 {
            return if self.fifo(&st.id).exists() {
                Status::Creating
            } else {
                Status::Stopped
            };
        }
        if tsrun_sys::procfs::pid_start_time(st.pid).ok() != Some(st.pid_start_time) {
            return Status::Stopped;
        }
        if self.fifo(&st.id).exists() {
            return Status::Created;
        }
        match Cgroup::for_host(&st.cgroups_path) {
            Ok(cg) if cg.frozen() => Status::Paused,
            _ => Status::Running,
        }
    }
}

/// runc's id rule: letters, digits and `_+-.`, not `.` or `..`.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+-.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("invalid container id format: {id:?}"))
    }
}

/// The OCI state JSON (runtime.md "State") of a container, as `state` prints it.
pub fn oci_state(st: &State, status: Status) -> serde_json::Value {
    let mut v = serde_json::json!({
        "ociVersion": OCI_VERSION,
        "id": st.id,
        "status": status.as_str(),
        "bundle": st.bundle,
        "rootfs": st.rootfs,
        "created": st.created,
        "owner": st.owner,
    });
    if !matches!(status, Status::Stopped) {
        v["pid"] = st.pid.into();
    } else {
        v["pid"] = 0.into();
    }
    if !st.annotations.is_empty() {
        v["annotations"] = serde_json::to_value(&st.annotations).unwrap_or_default();
    }
    v
}

/// Now as RFC 3339 UTC with nanoseconds, as runc writes `created`.
pub fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { y + 1 } else { y };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_nanos()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_runc_allows() {
        assert!(check_id("a1_b+c-d.e").is_ok());
        for bad in ["", ".", "..", "a/b", "a b", "x\n"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 30, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
