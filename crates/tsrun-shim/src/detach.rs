//! `--detach`: the launching process forks; the child becomes the monitor
//! (setsid, stdio on /dev/null, so nothing of the caller's stdio stays open)
//! and reports the start result over a pipe. The launcher waits for that one
//! report, prints a failure line if there is one, and exits with the code.
use std::os::fd::{AsRawFd, OwnedFd};

use tsrun_container::stdio;

/// How the monitor tells whoever started it whether the container started.
pub enum Reporter {
    /// Foreground: failures are printed to our stderr.
    Foreground,
    /// Detached: one message to the waiting launcher, then the pipe closes.
    Detached(Option<OwnedFd>),
}

impl Reporter {
    /// The container's command was exec'ed.
    pub fn started(&mut self) {
        if let Reporter::Detached(fd) = self {
            if let Some(fd) = fd.take() {
                let _ = crate::relay::write_all(fd.as_raw_fd(), &[0]);
            }
        }
    }

    /// Start failed with `code` and a one-line message.
    pub fn failed(&mut self, code: i32, message: &str) {
        match self {
            Reporter::Foreground => eprintln!("{message}"),
            Reporter::Detached(fd) => {
                if let Some(fd) = fd.take() {
                    let mut m = vec![code as u8];
                    m.extend_from_slice(message.as_bytes());
                    let _ = crate::relay::write_all(fd.as_raw_fd(), &m);
                }
            }
        }
    }
}

fn to_dev_null() {
    if let Ok(f) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        for t in 0..3 {
            // SAFETY: dup2 onto our own stdio.
            unsafe { libc::dup2(f.as_raw_fd(), t) };
        }
    }
}

/// After the detach keys in the foreground: leave the caller's terminal
/// (a session of our own, stdio on /dev/null, so no SIGHUP or job control
/// of that terminal reaches us and nothing of it stays open), then tell the
/// caller over `notify` (one byte, then closed) that it may return: the
/// container goes on, we stay its monitor. The caller restored the
/// terminal's mode before this.
pub fn leave_terminal(notify: Option<i32>) {
    // SAFETY: we are not a process group leader (the caller spawned us into its group).
    unsafe { libc::setsid() };
    to_dev_null();
    if let Some(fd) = notify {
        let _ = crate::relay::write_all(fd, b"d");
        // SAFETY: closing the fd the caller gave us for this one message.
        unsafe { libc::close(fd) };
    }
}

/// Keep the caller's detach fd out of everything we spawn (the exit
/// command): it must close when we detach or exit, not when they do.
pub fn cloexec(fd: Option<i32>) {
    if let Some(fd) = fd {
        // SAFETY: fcntl on an fd number; a bad one only fails.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}

/// Fork. In the launcher this waits and exits the process; it returns only
/// in the monitor, with the reporter to use.
pub fn fork_monitor() -> Reporter {
    let (r, w) = match stdio::pipe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(125);
        }
    };
    // SAFETY: the shim is single-threaded; fork is safe.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        eprintln!(
            "fork: {}",
            std::io::Error::last_os_error().to_string().to_lowercase()
        );
        std::process::exit(125);
    }
    if pid == 0 {
        drop(r);
        // SAFETY: new session for the monitor.
        unsafe { libc::setsid() };
        to_dev_null();
        return Reporter::Detached(Some(w));
    }
    drop(w);
    let mut msg = Vec::new();
    let mut buf = [0u8; 4096];
    while let crate::relay::Read::Data(n) = crate::relay::read_some(r.as_raw_fd(), &mut buf) {
        msg.extend_from_slice(&buf[..n]);
    }
    match msg.first() {
        Some(0) => std::process::exit(0),
        Some(code) => {
            eprintln!("{}", String::from_utf8_lossy(&msg[1..]).trim());
            std::process::exit(*code as i32)
        }
        None => {
            eprintln!("monitor exited before the container started");
            std::process::exit(125)
        }
    }
}
