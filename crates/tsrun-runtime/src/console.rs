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
    let name = b"/dev/ptmx";
    let mut iov = libc::iovec {
        iov_base: name.as_ptr() as *mut libc::c_void,
        iov_len: name.len(),
    };
    // SAFETY: CMSG_SPACE of one int.
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) } as usize;
    let mut control = vec![0u8; space];
    // SAFETY: zeroed msghdr, filled below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = space;
    // SAFETY: the control buffer holds exactly one cmsg with one fd.
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut RawFd, master);
        if libc::sendmsg(sock.as_raw_fd(), &msg, 0) < 0 {
            return Err(format!(
                "console socket {path}: sendmsg: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}
