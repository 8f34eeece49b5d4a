//! `lockFile(path): number` and `unlockFile(fd)`: per-resource flock locks.
use napi_derive::napi;

use crate::errors::{to_js, Result};

/// flock(LOCK_EX) on path (created if missing); returns an fd to pass to
/// unlockFile. Blocks the calling thread until the lock is free.
#[napi]
pub fn lock_file(path: String) -> Result<i32> {
    tsrun_sys::lock::lock(path.as_ref()).map_err(to_js)
}

/// Releases a lock from lockFile by closing its fd.
#[napi]
pub fn unlock_file(fd: i32) -> Result<()> {
    tsrun_sys::lock::unlock(fd).map_err(to_js)
}
