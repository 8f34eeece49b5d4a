//! `shim.json`: what the engine reads to know a container's state. Always
//! replaced atomically (temp file, fsync, rename, fsync of the directory), so
//! a reader sees either the old or the new state, never half of one.
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tsrun_sys::error::{Result, SysError};

#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShimState {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid_start_time: Option<u64>,
    pub monitor_pid: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_killed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Times a restart policy started the container again.
    #[serde(skip_serializing_if = "is_zero")]
    pub restart_count: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub fn state_path(dir: &Path) -> PathBuf {
    dir.join("shim.json")
}

/// Write `shim.json` in `dir` atomically.
pub fn write(dir: &Path, s: &ShimState) -> Result<()> {
    let path = state_path(dir);
    let tmp = dir.join(format!(".shim.json.{}", std::process::id()));
    let body = serde_json::to_vec(s)
        .map_err(|e| SysError::invalid("encode", "shim.json", e.to_string()))?;
    let io =
        |e: std::io::Error, op: &str, p: &Path| SysError::from_io(&e, op, p.display().to_string());
    let mut f = std::fs::File::create(&tmp).map_err(|e| io(e, "create", &tmp))?;
    f.write_all(&body).map_err(|e| io(e, "write", &tmp))?;
    f.sync_all().map_err(|e| io(e, "fsync", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(|e| io(e, "rename", &path))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub use tsrun_sys::procfs::pid_start_time;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_shape() {
        let d = tempfile::tempdir().unwrap();
        let s = ShimState {
            status: "running",
            pid: Some(5),
            pid_start_time: Some(7),
            monitor_pid: 4,
            started_at: Some("t".into()),
            ..Default::default()
        };
        write(d.path(), &s).unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(state_path(d.path())).unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"status":"running","pid":5,"pidStartTime":7,"monitorPid":4,"startedAt":"t"})
        );
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temp file left behind"
        );
    }
}
