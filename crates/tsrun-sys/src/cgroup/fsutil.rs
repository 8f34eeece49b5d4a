//! Small file helpers for cgroupfs, with errors naming the file.
use std::path::Path;

use crate::error::{Result, SysError};

pub fn read_trim(p: &Path) -> Result<String> {
    std::fs::read_to_string(p)
        .map(|s| s.trim().to_string())
        .map_err(|e| SysError::from_io(&e, "read", p.display().to_string()))
}

/// One write(2) of the whole value, as cgroupfs expects.
pub fn write_file(p: &Path, v: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(!p.starts_with("/sys/fs/cgroup"))
        .truncate(true)
        .open(p)
        .map_err(|e| SysError::from_io(&e, "open", p.display().to_string()))?;
    f.write_all(v.as_bytes())
        .map_err(|e| SysError::from_io(&e, "write", p.display().to_string()))
}

/// The number after `key ` in a `key value` per line file.
pub fn keyed_value(p: &Path, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(p).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    })
}
