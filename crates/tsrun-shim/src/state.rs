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

/// Field 22 (starttime, clock ticks since boot) of `/proc/<pid>/stat`, which
/// with the pid identifies a process even if the pid is reused. A zombie has
/// exited (its parent has not reaped it, which for an orphan under an init
/// that never reaps is forever): ESRCH, as for a pid that is gone, so no
/// caller takes a dead PID 1 for a running container.
pub fn pid_start_time(pid: i32) -> Result<u64> {
    let p = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&p).map_err(|e| SysError::from_io(&e, "read", p.clone()))?;
    if parse_state(&text).is_some_and(|s| s == 'Z' || s == 'X') {
        return Err(SysError::from_errno(libc::ESRCH, "read", p));
    }
    parse_start_time(&text).ok_or_else(|| SysError::invalid("parse", p, "no start time"))
}

/// The comm field (2) may contain spaces and parentheses: count from the last `)`.
pub fn parse_start_time(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After ')' come fields 3.. ; field 22 is the 20th of them.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Field 3, the process state letter (`R`, `S`, `Z`, ...).
fn parse_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_with_odd_comm() {
        let stat = "1234 (a b) c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10 18446744073709551615";
        assert_eq!(parse_start_time(stat), Some(987654));
        let own = pid_start_time(std::process::id() as i32).unwrap();
        assert!(own > 0);
    }

    #[test]
    fn a_zombie_has_no_start_time() {
        assert_eq!(parse_state("9 (sh (x)) Z 1 9 9"), Some('Z'));
        // SAFETY: a child that exits at once; we reap it only after looking.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe { libc::_exit(0) };
        }
        let zombie = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|t| parse_state(&t))
                == Some('Z')
        });
        assert!(zombie, "the child became a zombie");
        let err = pid_start_time(pid).unwrap_err();
        assert_eq!(err.code(), "ESRCH");
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }

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
