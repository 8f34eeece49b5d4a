//! `run [--bundle DIR] [--console-socket PATH] [--detach] [--pid-file FILE]
//! [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID`: create and start
//! in one. Detached, we exit once it runs. Otherwise we stay the init's
//! parent: signals we get go to it, a terminal we made is relayed to ours,
//! and when it exits the container is deleted and we exit with its code
//! (128+N when signal N killed it), as runc.
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::args::{self, flag, FlagSpec};
use crate::cmd::{create, delete, one_id, start};
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[
    flag(&["bundle", "b"], true),
    flag(&["console-socket"], true),
    flag(&["detach", "d"], false),
    flag(&["pid-file"], true),
    flag(&["no-pivot"], false),
    flag(&["no-new-keyring"], false),
    flag(&["preserve-fds"], true),
    flag(&["keep"], false),
];

/// Signals passed on to the container's init.
const FORWARDED: &[i32] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "run")?;
    let detach = p.bool("detach");
    // Block before the container exists, so no signal is lost.
    let sigfd = if detach { None } else { Some(block_signals()?) };
    let made = create::create(ctx, &p, &id, !detach)?;
    if let Err(e) = start::start(ctx, &made.state) {
        let _ = delete::main(ctx, &["--force".into(), id.clone()]);
        return Err(e);
    }
    if detach {
        return Ok(0);
    }
    let code = supervise(
        made.state.pid,
        sigfd.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1),
        made.master,
    );
    if !p.bool("keep") {
        if let Ok(st) = ctx.store.load(&id) {
            let _ = delete::destroy(ctx, &st);
        }
    }
    Ok(code)
}

/// Wait for a process of ours (an exec), forwarding signals and relaying its terminal.
pub fn supervise_child(pid: i32, master: Option<OwnedFd>) -> i32 {
    let fd = block_signals().ok();
    supervise(
        pid,
        fd.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1),
        master,
    )
}

/// Our terminal's size, for a pty we make in the foreground.
pub fn own_winsize() -> Option<(u16, u16)> {
    [0, 1]
        .into_iter()
        .find_map(|fd| tsrun_sys::tty::get_winsize(fd).filter(|w| w.ws_row > 0))
        .map(|w| (w.ws_row, w.ws_col))
}

fn block_signals() -> Result<OwnedFd, String> {
    // SAFETY: sigset manipulation and a signalfd of our own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in FORWARDED.iter().chain([libc::SIGCHLD].iter()) {
            libc::sigaddset(&mut set, *s);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
        if fd < 0 {
            return Err(format!("signalfd: {}", std::io::Error::last_os_error()));
        }
        Ok(std::os::fd::FromRawFd::from_raw_fd(fd))
    }
}

/// Forward signals, relay the terminal, reap; the init's exit code.
fn supervise(pid: i32, sigfd: RawFd, master: Option<OwnedFd>) -> i32 {
    let raw = master
        .as_ref()
        .and_then(|_| tsrun_sys::tty::RawMode::enter(0).ok());
    let mut stdin_open = master.is_some();
    let mut buf = vec![0u8; 32 * 1024];
    let code = loop {
        let mut status = 0;
        // SAFETY: reaping our own child without blocking.
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            break if libc::WIFSIGNALED(status) {
                128 + libc::WTERMSIG(status)
            } else {
                libc::WEXITSTATUS(status)
            };
        }
        let mut fds = vec![libc::pollfd {
            fd: sigfd,
            events: libc::POLLIN,
            revents: 0,
        }];
        if let Some(m) = &master {
            fds.push(libc::pollfd {
                fd: m.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
            if stdin_open {
                fds.push(libc::pollfd {
                    fd: 0,
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
        }
        // SAFETY: a valid pollfd array.
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 100) };
        for sig in drain_signals(sigfd) {
            if sig == libc::SIGWINCH {
                if let (Some(m), Some((r, c))) = (&master, own_winsize()) {
                    let _ = tsrun_sys::tty::set_winsize(m.as_raw_fd(), r, c);
                }
            } else if sig != libc::SIGCHLD {
                // SAFETY: signalling our child.
                unsafe { libc::kill(pid, sig) };
            }
        }
        if let Some(m) = &master {
            if fds
                .get(1)
                .is_some_and(|f| f.revents & (libc::POLLIN | libc::POLLHUP) != 0)
            {
                // SAFETY: read into our buffer, write it out.
                let n = unsafe {
                    libc::read(
                        m.as_raw_fd(),
                        buf.as_mut_ptr() as *mut libc::c_void,
                        buf.len(),
                    )
                };
                if n > 0 {
                    write_all(1, &buf[..n as usize]);
                }
            }
            if fds
                .get(2)
                .is_some_and(|f| f.revents & (libc::POLLIN | libc::POLLHUP) != 0)
            {
                // SAFETY: as above.
                let n = unsafe { libc::read(0, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
                if n > 0 {
                    write_all(m.as_raw_fd(), &buf[..n as usize]);
                } else {
                    stdin_open = false;
                }
            }
        }
    };
    drop(raw);
    code
}

fn drain_signals(fd: RawFd) -> Vec<i32> {
    let mut out = Vec::new();
    if fd < 0 {
        return out;
    }
    loop {
        // SAFETY: a zeroed siginfo of the size the kernel writes.
        let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<libc::signalfd_siginfo>();
        let n = unsafe { libc::read(fd, &mut info as *mut _ as *mut libc::c_void, size) };
        if n != size as isize {
            return out;
        }
        out.push(info.ssi_signo as i32);
    }
}

fn write_all(fd: RawFd, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: writing our buffer.
        let n = unsafe { libc::write(fd, data.as_ptr() as *const libc::c_void, data.len()) };
        if n <= 0 {
            return;
        }
        data = &data[n as usize..];
    }
}
