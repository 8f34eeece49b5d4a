//! The pids controller: `pids.max` (the same file on v1 and v2) and the
//! current count, for stats. A limit of 0 or less means no limit (`max`), as
//! in the OCI spec.
use std::path::Path;

use super::fsutil::{read_trim, write_file};
use super::units::limit_value;
use crate::error::Result;
use crate::oci::Pids;

pub fn apply(dir: &Path, p: &Pids) -> Result<()> {
    write_file(&dir.join("pids.max"), &limit_value(p.limit))
}

/// `pids.current`.
pub fn current(dir: &Path) -> Option<u64> {
    read_trim(&dir.join("pids.current")).ok()?.parse().ok()
}
