//! `tsrun-shim exec`: run one more process inside a running container
//! (`tsrun exec`), and stay its parent until it exits.
//!
//! The container's monitor is not the new process's parent, so this shim is:
//! it reaps it, relays its stdio (or its pty with `-t`), forwards signals to
//! it, and exits with its code. Order of events:
//!
//! 1. check PID 1 of `shim.json` is still the process the monitor started
//!    (pid + start time), else `container ID is not running` (125);
//! 2. start the process in the container (tsrun_container::exec_child::spawn:
//!    PID 1's namespaces, its cgroup, the user, capabilities, seccomp);
//!    failures come back as one code byte + a line; 126/127 as with `run`;
//! 3. relay its stdio (pipes, or a pty from the container's devpts) until
//!    it exits.
//!
//! With `--detach` the shim forks first; the launcher returns once the
//! command has been exec'ed, and the detached half reaps it and discards its
//! output, as `docker exec -d` does.
use std::path::Path;

use tsrun_sys::cgroup::Cgroup;
use tsrun_sys::oci::Spec;
use tsrun_sys::tty;

use crate::detach::{self, Reporter};
use crate::exec_args::{self, ExecArgs};
use crate::{logfile, monitor, state};
use tsrun_container::stdio;
use tsrun_container::Failure;
use tsrun_container::{exec_child, signals};

/// Entry point: the words after `exec`. Returns the process exit code.
pub fn main(argv: Vec<String>) -> i32 {
    let a = match exec_args::parse(argv) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return 125;
        }
    };
    detach::cloexec(a.detach_fd);
    let mut rep = if a.detach {
        detach::fork_monitor()
    } else {
        Reporter::Foreground
    };
    match run(&a, &mut rep) {
        Ok(code) => code,
        Err(f) => {
            rep.failed(f.code, &f.message);
            f.code
        }
    }
}

pub(crate) fn not_running(a: &ExecArgs) -> Failure {
    let id = a
        .state_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Failure {
        code: 125,
        message: format!("container {id} is not running"),
    }
}

/// PID 1's host pid, if the monitor's state says it runs and it is the same process.
pub(crate) fn container_pid(a: &ExecArgs) -> Result<i32, Failure> {
    let path = state::state_path(&a.state_dir);
    let text = std::fs::read(&path).map_err(|_| not_running(a))?;
    let v: serde_json::Value = serde_json::from_slice(&text).map_err(|_| not_running(a))?;
    let pid = v["pid"].as_i64().unwrap_or(0) as i32;
    let start = v["pidStartTime"].as_u64();
    if v["status"] != "running" || pid <= 0 || state::pid_start_time(pid).ok() != start {
        return Err(not_running(a));
    }
    Ok(pid)
}

fn run(a: &ExecArgs, rep: &mut Reporter) -> Result<i32, Failure> {
    if a.runtime.is_some() {
        return crate::runtime_exec::run(a, rep);
    }
    let sigfd = signals::block_and_open()?;
    let spec = Spec::load(&a.bundle)?;
    let process = exec_child::read_process(&a.process)?;
    let pid1 = container_pid(a)?;
    let cgroup = spec
        .linux
        .cgroups_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(Cgroup::for_host)
        .transpose()?;
    let foreground = !a.detach;
    let winsize = if foreground {
        [0, 1]
            .into_iter()
            .find_map(|fd| tty::get_winsize(fd).filter(|w| w.ws_row > 0))
            .map(|w| (w.ws_row, w.ws_col))
    } else {
        None
    };
    let (parent_io, child_io) = if process.terminal {
        exec_child::container_pty(pid1, winsize)?
    } else {
        stdio::make(false, a.stdin && foreground, winsize)?
    };
    let child = exec_child::spawn(exec_child::Spawn {
        bundle: &a.bundle,
        spec: &spec,
        process_file: &a.process,
        user: &a.user,
        pid1,
        stdio: child_io,
        cgroup: cgroup.as_ref(),
    })?;
    rep.started();
    let mut raw = if foreground && process.terminal && a.stdin && tty::is_tty(0) {
        tty::RawMode::enter(0).ok()
    } else {
        None
    };
    // Exec output is not the container's log: it goes to the caller only.
    let mut sink = logfile::LogFile::open(Path::new("/dev/null"))?;
    let opts = monitor::MonitorOpts {
        pid: child,
        foreground,
        relay_stdin: foreground && a.stdin,
        tty: process.terminal,
        detach_keys: a.detach_keys.clone().filter(|_| foreground && process.terminal && a.stdin),
    };
    // The detach keys: the process goes on, its output is discarded (as
    // for `exec -d`); nothing can attach to an exec again, as in Docker.
    let mut on_detach = || {
        raw = None;
        detach::leave_terminal(a.detach_fd);
        None
    };
    let exit = monitor::run(&sigfd, parent_io, &mut sink, &opts, None, None, &mut on_detach);
    drop(raw);
    Ok(if foreground { exit.code } else { 0 })
}
