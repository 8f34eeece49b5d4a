//! `@tsrun/native`: the calls the TypeScript engine makes without forking
//! (contract: docs/runtime-contract.md, section 2). Each export is a thin
//! typed wrapper over `tsrun-sys`; slow work (layer unpacking) runs on the
//! libuv thread pool as an async task, never on the JS thread.
//!
//! Every failure is thrown (or rejected) as a JS `Error` whose `code` is the
//! errno name (`ENOENT`, `EPERM`, `EINVAL` for bad input) and whose message
//! names the syscall and the path: see [`errors`].
// `#[napi]` registers nothing under cfg(test), so everything looks unused there.
#![cfg_attr(test, allow(dead_code))]

mod cgroup;
mod control;
mod errors;
mod host;
mod lock;
mod netns;
mod shim;
mod unpack;
mod volume;
