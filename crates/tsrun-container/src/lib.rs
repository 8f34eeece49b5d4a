//! Creating containers from an OCI runtime spec, shared by the binaries
//! that do it (the tsrun-shim monitor today, and tsrun-runtime): clone into
//! the new namespaces and join the cgroup (`create`), the container init
//! run from a sealed copy of the calling binary (`init`, `reexec`), the
//! last steps before exec (`lockdown`, `identity`, `rlimit`), the child's
//! stdio (`stdio`), signal masks (`signals`), exec into a running
//! container (`exec_child`), and the `--init` reaper (`reaper`).
//!
//! A binary that uses this crate must call `internal_entry` first thing in
//! `main`: the sealed copy of it is exec'ed with internal subcommands.
pub mod create;
pub mod exec_child;
pub mod hooks;
pub mod identity;
pub mod init;
pub mod lockdown;
pub mod reaper;
pub mod reexec;
pub mod rlimit;
pub mod signals;
pub mod stdio;

pub use init::Failure;

/// Run the internal entry points (`container-init`, `exec-child`, the
/// reaper started as `tsrun-init`) when `argv` names one; returns only when
/// it does not.
pub fn internal_entry(argv: &[String]) {
    if reaper::invoked_as_init(&argv[0], argv.get(1).map(String::as_str)) {
        reaper::main(argv[1..].to_vec());
    }
    match argv.get(1).map(String::as_str) {
        Some(reexec::CONTAINER_INIT) => init::reexec_main(argv[2..].to_vec()),
        Some(reexec::EXEC_CHILD) => exec_child::main(argv[2..].to_vec()),
        _ => {}
    }
}
