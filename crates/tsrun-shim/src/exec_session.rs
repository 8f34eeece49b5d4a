//! `tsrun-shim exec`: run one more process inside a running container
//! (`tsrun exec`), and stay its parent until it exits.
//!
//! The container's monitor is not the new process's parent, so this shim is:
//! it reaps it, relays its stdio (or its pty with `-t`), forwards signals to
//! it, and exits with its code. Order of events:
//!
//! 1. check PID 1 of `shim.json` is still the process the monitor started
//!    (pid + start time), else `container ID is not running` (125);
//! 2. open `/proc/<pid1>/ns/*` for every namespace the container has (all
//!    of them before joining any: after the mount namespace, `/proc` is the
//!    container's);
//! 3. join the PID namespace here (it only applies to children), fork;
//! 4. the parent puts the child into the container's cgroup, then says go;
//! 5. the child joins user, ipc, uts, net, cgroup and, last, mount (which
//!    also moves its root and cwd into the container), installs its stdio,
//!    becomes the user, drops to the container's capabilities and execs.
//!    Failures come back over a CLOEXEC pipe as one code byte + a line;
//!    126/127 as with `run`.
//!
//! With `--detach` the shim forks first; the launcher returns once the
//! command has been exec'ed, and the detached half reaps it and discards its
//! output, as `docker exec -d` does.
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use tsrun_sys::cgroup::Cgroup;
use tsrun_sys::error::SysError;
use tsrun_sys::ns;
use tsrun_sys::oci::Spec;
use tsrun_sys::tty;

use crate::detach::{self, Reporter};
use crate::exec_args::{self, ExecArgs};
use crate::{logfile, monitor, state};
use tsrun_container::stdio::{self, ChildStdio, ParentStdio};
use tsrun_container::Failure;
use tsrun_container::{exec_child, reexec, signals};

/// Namespace types in the order the child joins them (mount last: it moves
/// root and cwd); `pid` is joined by the parent. (OCI name, /proc name, flag)
const ORDER: &[(&str, &str, libc::c_int)] = &[
    ("user", "user", libc::CLONE_NEWUSER),
    ("ipc", "ipc", libc::CLONE_NEWIPC),
    ("uts", "uts", libc::CLONE_NEWUTS),
    ("network", "net", libc::CLONE_NEWNET),
    ("cgroup", "cgroup", libc::CLONE_NEWCGROUP),
    ("pid", "pid", libc::CLONE_NEWPID),
    ("mount", "mnt", libc::CLONE_NEWNS),
];

/// Entry point: the words after `exec`. Returns the process exit code.
pub fn main(argv: Vec<String>) -> i32 {
    let a = match exec_args::parse(argv) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return 125;
        }
    };
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

fn not_running(a: &ExecArgs) -> Failure {
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
fn container_pid(a: &ExecArgs) -> Result<i32, Failure> {
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

fn open_ns(pid: i32, name: &str) -> Result<Option<OwnedFd>, SysError> {
    let path = format!("/proc/{pid}/ns/{name}");
    let same = |p: &str| {
        std::fs::metadata(p)
            .ok()
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
    };
    if same(&path).is_some() && same(&path) == same(&format!("/proc/self/ns/{name}")) {
        return Ok(None); // shared with us (e.g. --network host): nothing to join
    }
    let f = std::fs::File::open(&path).map_err(|e| SysError::from_io(&e, "open", path.clone()))?;
    Ok(Some(OwnedFd::from(f)))
}

fn run(a: &ExecArgs, rep: &mut Reporter) -> Result<i32, Failure> {
    let sigfd = signals::block_and_open()?;
    let spec = Spec::load(&a.bundle)?;
    let process = exec_child::read_process(&a.process)?;
    let pid1 = container_pid(a)?;
    let mut joins: Vec<(libc::c_int, &str, OwnedFd)> = Vec::new();
    for (oci, proc_name, flag) in ORDER {
        if spec.namespace(oci).is_some() {
            if let Some(fd) = open_ns(pid1, proc_name)? {
                joins.push((*flag, proc_name, fd));
            }
        }
    }
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
        container_pty(pid1, winsize)?
    } else {
        stdio::make(false, a.stdin && foreground, winsize)?
    };
    let (sync_r, sync_w) = stdio::pipe()?;
    let (err_r, err_w) = stdio::pipe()?;
    if let Some((flag, name, fd)) = joins.iter().find(|j| j.0 == libc::CLONE_NEWPID) {
        exec_child::setns(fd.as_raw_fd(), *flag, name)?;
    }
    // The child enters the container from a sealed copy of this binary
    // (reexec.rs), never from the host's file.
    let sealed = reexec::sealed_self()?;
    let child = ns::clone_fork(0)?;
    if child == 0 {
        drop(sync_w);
        drop(err_r);
        let (stdio_word, mut keep) = reexec::encode_stdio(&child_io);
        let join_word = joins
            .iter()
            .filter(|(flag, _, _)| *flag != libc::CLONE_NEWPID)
            .map(|(flag, name, fd)| {
                keep.push(fd.as_raw_fd());
                format!("{name}={}:{}", flag, fd.as_raw_fd())
            })
            .collect::<Vec<_>>()
            .join(",");
        keep.extend([sync_r.as_raw_fd(), err_w.as_raw_fd()]);
        let args = vec![
            reexec::EXEC_CHILD.to_string(),
            "--bundle".into(),
            a.bundle.display().to_string(),
            "--process".into(),
            a.process.display().to_string(),
            "--user".into(),
            a.user.clone(),
            "--sync".into(),
            sync_r.as_raw_fd().to_string(),
            "--err".into(),
            err_w.as_raw_fd().to_string(),
            "--stdio".into(),
            stdio_word,
            "--join".into(),
            join_word,
        ];
        let f = reexec::exec_sealed(sealed.as_raw_fd(), args, &keep);
        tsrun_container::init::report_and_exit(err_w.as_raw_fd(), &f);
    }
    drop(child_io);
    drop(sync_r);
    drop(err_w);
    drop(joins);
    drop(sealed);
    if let Some(cg) = &cgroup {
        if let Err(e) = cg.add_pid(child) {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(child, libc::SIGKILL);
                libc::waitpid(child, std::ptr::null_mut(), 0);
            }
            return Err(e.into());
        }
    }
    // SAFETY: one-byte write to our pipe.
    unsafe { libc::write(sync_w.as_raw_fd(), b"g".as_ptr() as *const libc::c_void, 1) };
    drop(sync_w);
    let msg = read_all(err_r);
    if !msg.is_empty() {
        // SAFETY: reaping our child, which _exits right after writing.
        unsafe { libc::waitpid(child, std::ptr::null_mut(), 0) };
        return Err(Failure {
            code: msg[0] as i32,
            message: String::from_utf8_lossy(&msg[1..]).trim().to_string(),
        });
    }
    rep.started();
    let raw = if foreground && process.terminal && a.stdin && tty::is_tty(0) {
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
    };
    let exit = monitor::run(&sigfd, parent_io, &mut sink, &opts, None, None);
    drop(raw);
    Ok(if foreground { exit.code } else { 0 })
}

/// A pty from the container's own devpts (`/proc/<pid1>/root/dev/ptmx`),
/// so inside, `tty` names it `/dev/pts/N` as with `run -t`; the slave is
/// opened from the master (TIOCGPTPEER), never by a path.
fn container_pty(
    pid1: i32,
    winsize: Option<(u16, u16)>,
) -> Result<(ParentStdio, ChildStdio), SysError> {
    let ptmx = format!("/proc/{pid1}/root/dev/ptmx");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(&ptmx)
        .map_err(|e| SysError::from_io(&e, "open", ptmx.clone()))?;
    let master = OwnedFd::from(f);
    let m = master.as_raw_fd();
    let unlock: libc::c_int = 0;
    // SAFETY: ioctls on the master we just opened.
    let slave = unsafe {
        if libc::ioctl(m, libc::TIOCSPTLCK, &unlock) != 0 {
            return Err(SysError::last("ioctl TIOCSPTLCK", ptmx));
        }
        let s = libc::ioctl(
            m,
            libc::TIOCGPTPEER,
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if s < 0 {
            return Err(SysError::last("ioctl TIOCGPTPEER", ptmx));
        }
        OwnedFd::from_raw_fd(s)
    };
    if let Some((r, c)) = winsize {
        tty::set_winsize(m, r, c)?;
    }
    tty::set_nonblocking(m)?;
    let input = master
        .try_clone()
        .map_err(|e| SysError::from_io(&e, "dup", ptmx.clone()))?;
    Ok((
        ParentStdio {
            out: master,
            err: None,
            input: Some(input),
        },
        ChildStdio::Pty {
            slave,
            path: String::new(),
        },
    ))
}

fn read_all(fd: OwnedFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let crate::relay::Read::Data(n) = crate::relay::read_some(fd.as_raw_fd(), &mut buf) {
        out.extend_from_slice(&buf[..n]);
    }
    out
}
