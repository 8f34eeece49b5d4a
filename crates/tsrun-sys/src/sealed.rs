//! A sealed in-memory copy of an executable, and exec from a file
//! descriptor. The defence against CVE-2019-5736 and its variants: a process
//! inside a container can reach the executable of any process it can see
//! through `/proc/PID/exe` (and `map_files`), and `#!/proc/self/exe` in a
//! script makes the kernel run the executable of the process that execs it.
//! If that executable were the host's `tsrun-shim`, a container could open
//! it for writing once nothing runs it (no ETXTBSY) and replace the host's
//! runtime. So everything of ours that runs in a container's namespaces runs
//! from a memfd copy sealed against writes, growth, shrinking and further
//! seal changes: the copy is not the host's file, and nobody can change it.
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use crate::error::{Result, SysError};

/// Seals that make the copy immutable for good.
const SEALS: libc::c_int =
    libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// A CLOEXEC memfd holding a sealed copy of the file at `path`.
///
/// The copy is made with `sendfile` (in the kernel, ~1 ms for a few MiB)
/// and its size checked against the source, so a short copy is an error,
/// never a truncated binary.
pub fn sealed_copy(path: &Path) -> Result<OwnedFd> {
    let what = path.display().to_string();
    let src = std::fs::File::open(path).map_err(|e| SysError::from_io(&e, "open", what.clone()))?;
    let size = src
        .metadata()
        .map_err(|e| SysError::from_io(&e, "fstat", what.clone()))?
        .len() as usize;
    let name = CString::new("tsrun-shim").expect("no nul");
    // SAFETY: memfd_create with a valid name; raw syscall, as static glibc's
    // wrappers are not always present.
    let raw = unsafe {
        libc::syscall(
            libc::SYS_memfd_create,
            name.as_ptr(),
            libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
        )
    } as RawFd;
    if raw < 0 {
        return Err(SysError::last("memfd_create", what));
    }
    // SAFETY: a fresh fd we own.
    let memfd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut copied = 0usize;
    while copied < size {
        // SAFETY: sendfile between two fds we hold; offset NULL uses and
        // advances the source's file position.
        let n = unsafe {
            libc::syscall(
                libc::SYS_sendfile,
                memfd.as_raw_fd(),
                src.as_raw_fd(),
                std::ptr::null_mut::<libc::off_t>(),
                size - copied,
            )
        };
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(SysError::last("sendfile", what));
        }
        if n == 0 {
            return Err(SysError::invalid(
                "copy",
                what,
                format!("file shrank while copying ({copied} of {size} bytes)"),
            ));
        }
        copied += n as usize;
    }
    // SAFETY: fcntl on our memfd.
    if unsafe { libc::fcntl(memfd.as_raw_fd(), libc::F_ADD_SEALS, SEALS) } != 0 {
        return Err(SysError::last("fcntl F_ADD_SEALS", what));
    }
    Ok(memfd)
}

/// A sealed copy of the running executable (`/proc/self/exe`).
pub fn sealed_self() -> Result<OwnedFd> {
    sealed_copy(Path::new("/proc/self/exe"))
}

/// True when `fd` carries all the seals `sealed_copy` puts on.
pub fn is_sealed(fd: RawFd) -> bool {
    // SAFETY: fcntl query on a caller's fd.
    let s = unsafe { libc::fcntl(fd, libc::F_GET_SEALS) };
    s >= 0 && s & SEALS == SEALS
}

/// Exec the program in `fd` (`execveat(fd, "", ..., AT_EMPTY_PATH)`) with
/// `args` (args[0] is what `ps` shows) and `env`. Returns only on failure.
/// A CLOEXEC `fd` is fine for an ELF program: the kernel has it open before
/// it closes the CLOEXEC descriptors.
pub fn exec_fd(fd: RawFd, args: &[String], env: &[String]) -> SysError {
    let to_c = |s: &String| CString::new(s.as_str()).ok();
    let (Some(cargs), Some(cenv)) = (
        args.iter().map(to_c).collect::<Option<Vec<_>>>(),
        env.iter().map(to_c).collect::<Option<Vec<_>>>(),
    ) else {
        return SysError::invalid("execveat", "sealed copy", "an argument contains a nul byte");
    };
    let mut argv: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = cenv.iter().map(|c| c.as_ptr()).collect();
    envp.push(std::ptr::null());
    let empty = c"";
    // SAFETY: null-terminated arrays of C strings that outlive the call.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            fd,
            empty.as_ptr(),
            argv.as_ptr(),
            envp.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    SysError::last("execveat", "sealed copy of tsrun-shim")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_copy_is_whole_and_cannot_be_changed() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("prog");
        std::fs::write(&src, vec![7u8; 300_000]).unwrap();
        let fd = sealed_copy(&src).unwrap();
        assert!(is_sealed(fd.as_raw_fd()));
        let mut f = std::fs::File::from(fd);
        assert_eq!(f.metadata().unwrap().len(), 300_000);
        // Writes, growth, shrinking and removing the seals are all refused.
        let err = f.write_all(b"x").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
        assert!(f.set_len(10).is_err());
        assert!(f.set_len(400_000).is_err());
        // SAFETY: fcntl on our file; F_SEAL_SEAL refuses any change of seals.
        assert_eq!(
            unsafe { libc::fcntl(f.as_raw_fd(), libc::F_ADD_SEALS, 0) },
            -1
        );
        // Reopening it through /proc gives the same sealed file, not a writable one.
        let again = std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/self/fd/{}", f.as_raw_fd()));
        if let Ok(mut g) = again {
            assert!(g.write_all(b"x").is_err());
        }
    }

    #[test]
    fn a_missing_source_is_named() {
        let e = sealed_copy(Path::new("/nonexistent/prog")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "open /nonexistent/prog: no such file or directory"
        );
    }
}
