//! `shimPath()`: where the tsrun-shim binary built alongside this addon is.
//!
//! The package build copies the shim to `bin/tsrun-shim` next to the `.node`
//! file, so the path is found from the addon's own location (`dladdr` on a
//! symbol of ours), whatever directory npm installed the package into. The
//! generated JS loader stays untouched.
use std::ffi::CStr;
use std::path::{Path, PathBuf};

use napi_derive::napi;

use crate::errors::Result;

/// Absolute path of the tsrun-shim binary built alongside (not checked for
/// existence: spawning it reports ENOENT with the path).
#[napi]
pub fn shim_path() -> Result<String> {
    let addon = addon_path().ok_or_else(|| {
        napi::Error::new(
            "ENOENT".to_string(),
            "dladdr: cannot locate the native addon".to_string(),
        )
    })?;
    let dir = addon.parent().unwrap_or(Path::new("/"));
    Ok(dir
        .join("bin")
        .join("tsrun-shim")
        .to_string_lossy()
        .into_owned())
}

/// The file this code was loaded from, made absolute.
fn addon_path() -> Option<PathBuf> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the address; info is a valid out buffer.
    let found = unsafe { libc::dladdr(addon_path as *const libc::c_void, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dladdr gave a NUL-terminated string owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) }
        .to_string_lossy()
        .into_owned();
    let path = PathBuf::from(name);
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}
