//! The monitor loop: one poll over a signalfd and the container's stdio.
//! SIGCHLD reaps every child (only PID 1's status matters); the forwarded
//! signals go to PID 1; SIGWINCH copies our terminal's size to the pty.
//! Output goes to the log and, in the foreground, to our stdout/stderr;
//! `--stdin` input goes to the container. After PID 1 exits, leftovers in the
//! cgroup are killed and the output is drained before returning.
//!
//! In the foreground with a TTY, the detach keys on our stdin (escape.rs)
//! detach: the caller's `on_detach` leaves the terminal (and may give an
//! attach socket), and the loop goes on as a detached monitor would: output
//! only to the log and attach clients, the container's stdin kept open.
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use tsrun_sys::cgroup::Cgroup;
use tsrun_sys::tty;

use crate::attach::AttachServer;
use crate::escape::DetachKeys;
use crate::logfile::{LogFile, Stream};
use crate::relay::{read_some, write_pending, Read, Sink};
use tsrun_container::signals;
use tsrun_container::stdio::ParentStdio;

/// How PID 1 ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitInfo {
    pub code: i32,
    pub signal: Option<i32>,
}

impl ExitInfo {
    pub fn from_wait_status(st: i32) -> ExitInfo {
        if libc::WIFSIGNALED(st) {
            let s = libc::WTERMSIG(st);
            ExitInfo {
                code: 128 + s,
                signal: Some(s),
            }
        } else {
            ExitInfo {
                code: libc::WEXITSTATUS(st),
                signal: None,
            }
        }
    }
}

pub struct MonitorOpts {
    pub pid: i32,
    /// Copy output to our stdout/stderr (foreground).
    pub foreground: bool,
    /// Relay our stdin to the container (foreground with `--stdin`).
    pub relay_stdin: bool,
    pub tty: bool,
    /// Foreground with a TTY: the bytes that detach (Docker's detach keys).
    pub detach_keys: Option<Vec<u8>>,
}

/// After PID 1 exits, stop waiting for output after this long without any.
const DRAIN_IDLE_MS: i32 = 200;

/// Reap all exited children; returns PID 1's status if it was among them.
fn reap(pid1: i32) -> Option<ExitInfo> {
    let mut found = None;
    loop {
        let mut st = 0;
        // SAFETY: waitpid with a valid status pointer.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if r <= 0 {
            return found;
        }
        if r == pid1 {
            found = Some(ExitInfo::from_wait_status(st));
        }
    }
}

fn set_nonblocking(fd: RawFd) {
    let _ = tty::set_nonblocking(fd);
}

/// Run until PID 1 has exited and its output is drained.
pub fn run(
    sigfd: &OwnedFd,
    io: ParentStdio,
    log: &mut LogFile,
    o: &MonitorOpts,
    cgroup: Option<&Cgroup>,
    mut attach: Option<&mut AttachServer>,
    on_detach: &mut dyn FnMut() -> Option<AttachServer>,
) -> ExitInfo {
    let mut out: Option<OwnedFd> = Some(io.out);
    let mut err: Option<OwnedFd> = io.err;
    // Without relaying, the container's stdin stays open (detached `-i`) or is /dev/null.
    let mut input: Option<OwnedFd> = io.input;
    if let Some(i) = &input {
        set_nonblocking(i.as_raw_fd());
    }
    let mut stdin_open = o.relay_stdin && input.is_some();
    let mut pending: Vec<u8> = Vec::new();
    let mut sinks = [Sink::new(1, o.foreground), Sink::new(2, o.foreground)];
    let mut exit: Option<ExitInfo> = None;
    let mut buf = vec![0u8; 64 * 1024];
    let winsize_src = if tty::is_tty(0) { 0 } else { 1 };
    let mut keys = o.detach_keys.clone().and_then(DetachKeys::new);
    // Made when the terminal detaches, so `tsrun attach` can join later.
    let mut late_attach: Option<AttachServer> = None;
    let mut detached = false;

    loop {
        if exit.is_some() && out.is_none() && err.is_none() {
            break;
        }
        // Poll set: [signalfd, out?, err?, our stdin?, container input (POLLOUT)?]
        let mut fds: Vec<libc::pollfd> = vec![libc::pollfd {
            fd: sigfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        let idx_out = out.as_ref().map(|f| {
            fds.push(libc::pollfd {
                fd: f.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
            fds.len() - 1
        });
        let idx_err = err.as_ref().map(|f| {
            fds.push(libc::pollfd {
                fd: f.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
            fds.len() - 1
        });
        let idx_stdin = (stdin_open && pending.is_empty()).then(|| {
            fds.push(libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            });
            fds.len() - 1
        });
        let idx_input = input.as_ref().filter(|_| !pending.is_empty()).map(|f| {
            fds.push(libc::pollfd {
                fd: f.as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            });
            fds.len() - 1
        });
        // Attached clients: input only while the container has stdin and
        // the pending buffer is not backed up.
        let idx_attach = attach
            .as_deref()
            .or(late_attach.as_ref())
            .map(|a| a.push_pollfds(&mut fds, input.is_some() && pending.len() < (1 << 20)));
        let timeout = if exit.is_some() { DRAIN_IDLE_MS } else { -1 };
        // SAFETY: valid array of pollfds.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            break;
        }
        if n == 0 && exit.is_some() {
            break; // drained: nothing more came within the idle window
        }
        let ready = |i: Option<usize>| i.is_some_and(|i| fds[i].revents != 0);

        if fds[0].revents != 0 {
            for s in signals::read_pending(sigfd.as_raw_fd()) {
                match s {
                    libc::SIGCHLD => {
                        if let Some(e) = reap(o.pid) {
                            exit = Some(e);
                            // Leftovers (no PID namespace) would keep the pipes open.
                            if let Some(cg) = cgroup {
                                let _ = cg.kill();
                            }
                        }
                    }
                    libc::SIGWINCH => {
                        if o.tty {
                            tty::copy_winsize(
                                winsize_src,
                                out.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1),
                            );
                        }
                    }
                    sig => {
                        if exit.is_none() {
                            // SAFETY: signalling our own child.
                            unsafe { libc::kill(o.pid, sig) };
                        }
                    }
                }
            }
        }
        if ready(idx_out) {
            if let Some(f) = &out {
                match read_some(f.as_raw_fd(), &mut buf) {
                    Read::Data(n) => {
                        log.write(Stream::Stdout, &buf[..n]);
                        sinks[0].put(&buf[..n]);
                        if let Some(a) = attach.as_deref_mut().or(late_attach.as_mut()) {
                            a.broadcast(Stream::Stdout, &buf[..n]);
                        }
                    }
                    Read::Eof => out = None,
                    Read::WouldBlock => {}
                }
            }
        }
        if ready(idx_err) {
            if let Some(f) = &err {
                match read_some(f.as_raw_fd(), &mut buf) {
                    Read::Data(n) => {
                        log.write(Stream::Stderr, &buf[..n]);
                        sinks[1].put(&buf[..n]);
                        if let Some(a) = attach.as_deref_mut().or(late_attach.as_mut()) {
                            a.broadcast(Stream::Stderr, &buf[..n]);
                        }
                    }
                    Read::Eof => err = None,
                    Read::WouldBlock => {}
                }
            }
        }
        if let (Some(a), Some(base)) = (attach.as_deref_mut().or(late_attach.as_mut()), idx_attach) {
            let before = pending.len();
            a.handle(&fds[base..], &mut pending);
            if input.is_none() {
                pending.truncate(before);
            }
        }
        let mut detach_now = false;
        if ready(idx_stdin) {
            match read_some(0, &mut buf) {
                Read::Data(n) => match keys.as_mut() {
                    Some(k) => detach_now = k.feed(&buf[..n], &mut pending) && exit.is_none(),
                    None => pending.extend_from_slice(&buf[..n]),
                },
                Read::Eof => {
                    stdin_open = false;
                }
                Read::WouldBlock => {}
            }
        }
        if detach_now {
            // From here on as a detached monitor: nothing more to or from the terminal.
            detached = true;
            stdin_open = false;
            keys = None;
            for s in sinks.iter_mut() {
                s.alive = false;
            }
            late_attach = on_detach();
        }
        if !pending.is_empty() && (ready(idx_input) || idx_input.is_none()) {
            if let Some(f) = &input {
                if write_pending(f.as_raw_fd(), &mut pending).is_err() {
                    pending.clear();
                    stdin_open = false;
                    input = None;
                }
            } else {
                pending.clear();
            }
        }
        // Our stdin hit EOF and everything is passed on: the container sees EOF.
        // (After a detach the container's stdin stays open, as for `run -di`.)
        if o.relay_stdin && !detached && !stdin_open && pending.is_empty() && input.is_some() {
            input = None;
        }
    }
    log.flush();
    drop(input);
    // PID 1 must be known; if the loop ended otherwise (poll error), wait for it.
    exit.unwrap_or_else(|| {
        let mut st = 0;
        // SAFETY: blocking wait for our own child.
        unsafe { libc::waitpid(o.pid, &mut st, 0) };
        ExitInfo::from_wait_status(st)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_status_decoding() {
        assert_eq!(
            ExitInfo::from_wait_status(3 << 8),
            ExitInfo {
                code: 3,
                signal: None
            }
        );
        assert_eq!(
            ExitInfo::from_wait_status(9),
            ExitInfo {
                code: 137,
                signal: Some(9)
            }
        );
    }
}
