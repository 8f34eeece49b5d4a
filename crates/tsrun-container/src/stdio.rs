//! The container's stdio, made before clone, one of three plans:
//! - relayed (the monitor): without a TTY a pipe each for stdout and
//!   stderr, and for stdin a pipe with `--stdin` or `/dev/null`; with
//!   `process.terminal` one pty whose master the monitor keeps;
//! - inherited (an OCI runtime's `create`/`run`, as runc): the child keeps
//!   the caller's 0/1/2;
//! - a terminal handed over (an OCI runtime with `--console-socket`): a pty
//!   whose master goes to the caller, the child gets the slave.
//! Every fd is CLOEXEC; the child's dup2 onto 0/1/2 is what survives its exec.
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use tsrun_sys::error::{Result, SysError};
use tsrun_sys::tty;

/// What the child puts on 0/1/2.
pub enum ChildStdio {
    Pipes {
        stdin: OwnedFd,
        stdout: OwnedFd,
        stderr: OwnedFd,
    },
    Pty {
        slave: OwnedFd,
        path: String,
    },
    /// Keep 0/1/2 as the caller gave them.
    Inherit,
}

/// How the container's stdio is made.
#[derive(Debug, Clone, Copy)]
pub enum StdioPlan {
    /// Pipes or a pty the caller relays (a monitor).
    Relay {
        keep_stdin: bool,
        /// (rows, cols) for a new pty.
        winsize: Option<(u16, u16)>,
    },
    /// The caller's own 0/1/2 (`process.terminal` must be false).
    Inherit,
    /// A pty; the master is the caller's to pass on (`process.terminal`).
    Terminal { winsize: Option<(u16, u16)> },
}

/// Both sides for a plan; the parent side is `None` when stdio is inherited.
pub fn for_plan(plan: StdioPlan, terminal: bool) -> Result<(Option<ParentStdio>, ChildStdio)> {
    match plan {
        StdioPlan::Relay {
            keep_stdin,
            winsize,
        } => make(terminal, keep_stdin, winsize).map(|(p, c)| (Some(p), c)),
        StdioPlan::Inherit => Ok((None, ChildStdio::Inherit)),
        StdioPlan::Terminal { winsize } => make(true, true, winsize).map(|(p, c)| (Some(p), c)),
    }
}

/// The monitor's side.
pub struct ParentStdio {
    /// Container stdout (pipe read end) or the pty master.
    pub out: OwnedFd,
    /// Container stderr (pipe read end); `None` with a TTY.
    pub err: Option<OwnedFd>,
    /// Where our stdin goes: stdin pipe write end or the pty master; `None`
    /// when the container's stdin is /dev/null.
    pub input: Option<OwnedFd>,
}

pub fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: valid 2-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(SysError::last("pipe2", ""));
    }
    // SAFETY: fresh fds from pipe2.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn dup(fd: &OwnedFd) -> Result<OwnedFd> {
    fd.try_clone()
        .map_err(|e| SysError::from_io(&e, "dup", format!("fd {}", fd.as_raw_fd())))
}

fn dev_null() -> Result<OwnedFd> {
    let f =
        std::fs::File::open("/dev/null").map_err(|e| SysError::from_io(&e, "open", "/dev/null"))?;
    Ok(OwnedFd::from(f))
}

/// Make both sides. `winsize` (rows, cols) is applied to a new pty.
pub fn make(
    terminal: bool,
    keep_stdin: bool,
    winsize: Option<(u16, u16)>,
) -> Result<(ParentStdio, ChildStdio)> {
    if terminal {
        let p = tty::open_pty()?;
        if let Some((r, c)) = winsize {
            tty::set_winsize(p.master.as_raw_fd(), r, c)?;
        }
        tty::set_nonblocking(p.master.as_raw_fd())?;
        let input = Some(dup(&p.master)?);
        return Ok((
            ParentStdio {
                out: p.master,
                err: None,
                input,
            },
            ChildStdio::Pty {
                slave: p.slave,
                path: p.slave_path,
            },
        ));
    }
    let (out_r, out_w) = pipe()?;
    let (err_r, err_w) = pipe()?;
    let (input, child_in) = if keep_stdin {
        let (r, w) = pipe()?;
        (Some(w), r)
    } else {
        (None, dev_null()?)
    };
    for fd in [&out_r, &err_r] {
        tty::set_nonblocking(fd.as_raw_fd())?;
    }
    Ok((
        ParentStdio {
            out: out_r,
            err: Some(err_r),
            input,
        },
        ChildStdio::Pipes {
            stdin: child_in,
            stdout: out_w,
            stderr: err_w,
        },
    ))
}

/// dup2 that also works when `from == to` (clears CLOEXEC then).
fn dup_onto(from: RawFd, to: RawFd) -> Result<()> {
    // SAFETY: plain fd syscalls.
    let r = unsafe {
        if from == to {
            libc::fcntl(from, libc::F_SETFD, 0)
        } else {
            libc::dup2(from, to)
        }
    };
    if r < 0 {
        return Err(SysError::last("dup2", format!("fd {to}")));
    }
    Ok(())
}

/// In the child: install the stdio on 0/1/2 (the pty as controlling terminal).
pub fn install(c: &ChildStdio) -> Result<()> {
    match c {
        ChildStdio::Pty { slave, .. } => tty::make_controlling(slave.as_raw_fd()),
        ChildStdio::Inherit => {
            // SAFETY: setsid in the fresh child; it may already lead one (PID 1).
            unsafe { libc::setsid() };
            Ok(())
        }
        ChildStdio::Pipes {
            stdin,
            stdout,
            stderr,
        } => {
            // SAFETY: setsid in the fresh child (it is not a group leader).
            unsafe { libc::setsid() };
            dup_onto(stdin.as_raw_fd(), 0)?;
            dup_onto(stdout.as_raw_fd(), 1)?;
            dup_onto(stderr.as_raw_fd(), 2)
        }
    }
}
