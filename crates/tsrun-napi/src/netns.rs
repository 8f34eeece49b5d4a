//! `createNetns(path)`, `removeNetns(path)`: persistent network namespaces
//! for the network backends (tsrun-sys `netns`). The namespace is made by a
//! thread of its own, so Node's threads stay where they are.
use napi_derive::napi;

use crate::errors::{to_js, Result};

/// A new network namespace with its loopback up, kept at `path` (a bind
/// mount); `path` must not exist.
#[napi]
pub fn create_netns(path: String) -> Result<()> {
    tsrun_sys::netns::create(path.as_ref()).map_err(to_js)
}

/// Unmount and remove a namespace made by createNetns; one already gone is fine.
#[napi]
pub fn remove_netns(path: String) -> Result<()> {
    tsrun_sys::netns::remove(path.as_ref()).map_err(to_js)
}
