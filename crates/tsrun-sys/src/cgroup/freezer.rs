//! Freezing every process of a container (`tsrun pause`): v1 writes
//! `FROZEN` / `THAWED` to `freezer.state` of the freezer hierarchy; v2 writes
//! `1` / `0` to `cgroup.freeze` and reads `frozen` in `cgroup.events`.
//! Freezing is asynchronous in the kernel (v1 shows `FREEZING` meanwhile), so
//! `set` waits, boundedly, until the state is reached.
use std::path::Path;
use std::time::Duration;

use super::fsutil::{keyed_value, read_trim, write_file};
use crate::error::{Result, SysError};

pub fn set_v1(dir: &Path, frozen: bool) -> Result<()> {
    let f = dir.join("freezer.state");
    let want = if frozen { "FROZEN" } else { "THAWED" };
    for _ in 0..1000 {
        write_file(&f, want)?;
        if read_trim(&f)? == want {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err(SysError::from_errno(
        libc::EBUSY,
        "freeze",
        f.display().to_string(),
    ))
}

pub fn set_v2(dir: &Path, frozen: bool) -> Result<()> {
    write_file(&dir.join("cgroup.freeze"), if frozen { "1" } else { "0" })?;
    let events = dir.join("cgroup.events");
    for _ in 0..1000 {
        match keyed_value(&events, "frozen") {
            Some(v) if (v == 1) == frozen => return Ok(()),
            None => return Ok(()), // a fake or old tree without the key
            _ => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    Err(SysError::from_errno(
        libc::EBUSY,
        "freeze",
        dir.display().to_string(),
    ))
}

/// `Some(true)` when frozen (or freezing), `None` when the file is missing.
pub fn frozen_v1(dir: &Path) -> Option<bool> {
    read_trim(&dir.join("freezer.state"))
        .ok()
        .map(|s| s != "THAWED")
}

pub fn frozen_v2(dir: &Path) -> Option<bool> {
    read_trim(&dir.join("cgroup.freeze")).ok().map(|s| s == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_tree_round_trip() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(frozen_v1(t.path()), None);
        set_v1(t.path(), true).unwrap();
        assert_eq!(frozen_v1(t.path()), Some(true));
        set_v1(t.path(), false).unwrap();
        assert_eq!(frozen_v1(t.path()), Some(false));
        set_v2(t.path(), true).unwrap();
        assert_eq!(frozen_v2(t.path()), Some(true));
    }
}
