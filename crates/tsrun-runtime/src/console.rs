//! `--console-socket`: the pty master goes to whoever listens on that unix
//! socket, as one SCM_RIGHTS message (runc's protocol: the payload is the
//! pty's name), so a monitor such as conmon holds the terminal, not us.
use std::os::fd::RawFd;
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;

/// Connect to `path` and send `master` over it.
pub fn send(path: &str, master: RawFd) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("console socket {path}: {e}"))?;
    if !std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) {
        return Err(format!("console socket {path}: not a unix socket"));
    }
    let sock = UnixStream::connect(path).map_err(|e| format!("console socket {path}: {e}"))?;
    // runc hands over a blocking master; ours was made non-blocking for our
    // own relay, and the flag lives in the open file the receiver shares.
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let fl = libc::fcntl(master, libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(master, libc::F_SETFL, fl & !libc::O_NONBLOCK);
        }
    }
    tsrun_sys::scm::send_fd(sock.as_raw_fd(), b"/dev/ptmx", master)
        .map_err(|e| format!("console socket {path}: sendmsg: {e}"))?;
    Ok(())
}
