//! Linux primitives for tsrun. Plain Rust, no Node: the shim and the napi
//! binding both build on it, and `cargo test` covers it directly.
//!
//! Module map (one purpose each):
//! - `error`: the error type every module returns (errno + syscall + path).
//! - `unpack`: safe, hostile-input-proof OCI layer extraction.
//! - `cgroup`: one manager over cgroup v1 / v2 / hybrid hosts, picked by probing.
//! - `lock`: advisory file locks (flock) for per-resource locking.
//! - `oci`: the subset of the OCI runtime spec the shim reads.
//! - `mount`, `ns`, `tty`, `user`, `caps`, `exec`: container-init building blocks.
//! - `sealed`: a sealed memfd copy of our own binary, and exec from an fd
//!   (what runs inside a container never is the host's file).
//! - `seccomp`: `linux.seccomp` compiled to a BPF filter (no libseccomp).
//! - `volume`: volume data dirs, copy-up, disk usage, `tsrun cp`.
pub mod caps;
pub mod cgroup;
pub mod error;
pub mod exec;
pub mod lock;
pub mod mount;
pub mod netns;
pub mod ns;
pub mod oci;
pub mod procfs;
pub mod scm;
pub mod sealed;
pub mod seccomp;
pub mod tty;
pub mod unpack;
pub mod user;
pub mod volume;
