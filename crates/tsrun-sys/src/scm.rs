//! One file descriptor over a unix socket (SCM_RIGHTS), as runc's
//! `--console-socket` protocol passes a pty master: one message whose
//! payload is a name (the pty's) and whose control part is the fd. Shared
//! by tsrun-runtime (sends) and the monitor (receives).
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Send `fd` with `payload` in one message.
pub fn send_fd(sock: RawFd, payload: &[u8], fd: RawFd) -> std::io::Result<()> {
    let mut iov = libc::iovec {
        iov_base: payload.as_ptr() as *mut libc::c_void,
        iov_len: payload.len(),
    };
    let mut control = vec![0u8; cmsg_space()];
    let mut msg = header(&mut iov, &mut control);
    // SAFETY: the control buffer holds exactly one cmsg with one fd.
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut RawFd, fd);
        if libc::sendmsg(sock, &mut msg, 0) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Receive one message and the fd it carries (close-on-exec); `None` when
/// it carries none. The payload is dropped.
pub fn recv_fd(sock: RawFd) -> std::io::Result<Option<OwnedFd>> {
    let mut payload = [0u8; 4096];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr() as *mut libc::c_void,
        iov_len: payload.len(),
    };
    let mut control = vec![0u8; cmsg_space()];
    let mut msg = header(&mut iov, &mut control);
    // SAFETY: recvmsg into our buffers; the cmsg is read only when it is SCM_RIGHTS.
    unsafe {
        if libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let c = libc::CMSG_FIRSTHDR(&msg);
        if c.is_null() || (*c).cmsg_level != libc::SOL_SOCKET || (*c).cmsg_type != libc::SCM_RIGHTS
        {
            return Ok(None);
        }
        let fd = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const RawFd);
        Ok(Some(OwnedFd::from_raw_fd(fd)))
    }
}

fn cmsg_space() -> usize {
    // SAFETY: CMSG_SPACE of one int is a pure computation.
    unsafe { libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize }
}

fn header(iov: &mut libc::iovec, control: &mut [u8]) -> libc::msghdr {
    // SAFETY: a zeroed msghdr is valid; its pointers are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = control.len();
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn an_fd_crosses_a_socket_pair_and_still_names_the_same_file() {
        let (a, b) = UnixStream::pair().unwrap();
        let t = tempfile::tempfile().unwrap();
        send_fd(a.as_raw_fd(), b"/dev/ptmx", t.as_raw_fd()).unwrap();
        let got = recv_fd(b.as_raw_fd()).unwrap().expect("an fd");
        let ino = |fd: RawFd| {
            std::fs::metadata(format!("/proc/self/fd/{fd}"))
                .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
                .unwrap()
        };
        assert_ne!(got.as_raw_fd(), t.as_raw_fd());
        assert_eq!(ino(got.as_raw_fd()), ino(t.as_raw_fd()));
    }

    #[test]
    fn a_message_without_an_fd_is_none() {
        let (a, b) = UnixStream::pair().unwrap();
        std::io::Write::write_all(&mut &a, b"plain").unwrap();
        assert!(recv_fd(b.as_raw_fd()).unwrap().is_none());
    }
}
