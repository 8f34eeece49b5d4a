//! Signals in the monitor go through a signalfd polled with everything else:
//! they are blocked before clone (so none is lost or runs a handler mid-way)
//! and the container's child unblocks them again before exec, since the mask
//! and ignored dispositions survive execve.
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use tsrun_sys::error::{Result, SysError};

/// Signals forwarded to the container's PID 1 (contract §1, foreground).
pub const FORWARDED: &[i32] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

fn monitored() -> libc::sigset_t {
    // SAFETY: sigset manipulation on a local value.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in FORWARDED
            .iter()
            .chain([libc::SIGCHLD, libc::SIGWINCH].iter())
        {
            libc::sigaddset(&mut set, *s);
        }
        set
    }
}

/// Ignore SIGPIPE (a closed stdout is an EPIPE we handle) and block the
/// monitored signals; returns a non-blocking signalfd for them.
pub fn block_and_open() -> Result<OwnedFd> {
    let set = monitored();
    // SAFETY: valid sigset pointers; plain syscalls.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        if libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return Err(SysError::last("sigprocmask", ""));
        }
        let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
        if fd < 0 {
            return Err(SysError::last("signalfd", ""));
        }
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// In the container child before exec: empty mask, default dispositions.
pub fn reset_for_exec() {
    // SAFETY: sigset manipulation and signal dispositions on our own process.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        for s in 1..32 {
            if s != libc::SIGKILL && s != libc::SIGSTOP {
                libc::signal(s, libc::SIG_DFL);
            }
        }
    }
}

/// Read every pending signal number from the signalfd.
pub fn read_pending(fd: RawFd) -> Vec<i32> {
    let mut out = Vec::new();
    loop {
        // SAFETY: zeroed siginfo buffer of the exact size the kernel writes.
        let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
        let n = unsafe {
            libc::read(
                fd,
                &mut info as *mut _ as *mut libc::c_void,
                std::mem::size_of::<libc::signalfd_siginfo>(),
            )
        };
        if n != std::mem::size_of::<libc::signalfd_siginfo>() as isize {
            break;
        }
        out.push(info.ssi_signo as i32);
    }
    out
}
