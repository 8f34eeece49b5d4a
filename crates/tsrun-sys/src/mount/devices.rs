//! Device nodes in the container's `/dev`: `linux.devices` when given, else
//! the default set (null, zero, full, random, urandom, tty). mknod first; when
//! that is refused (e.g. in a user namespace) bind-mount the host node instead.
//! Plus the standard `/dev` symlinks (fd, stdin/out/err, ptmx).
use std::ffi::CString;
use std::os::fd::AsRawFd;

use super::secure::{components, ensure_in_root, fd_path, mkdir_all_in_root};
use crate::error::{Result, SysError};
use crate::oci::Device;

/// The devices every container gets when `linux.devices` is absent.
pub fn default_devices() -> Vec<Device> {
    let dev = |name: &str, major: i64, minor: i64| Device {
        kind: "c".into(),
        path: format!("/dev/{name}"),
        major,
        minor,
        file_mode: Some(0o666),
        uid: Some(0),
        gid: Some(0),
    };
    vec![
        dev("null", 1, 3),
        dev("zero", 1, 5),
        dev("full", 1, 7),
        dev("random", 1, 8),
        dev("urandom", 1, 9),
        dev("tty", 5, 0),
    ]
}

fn kind_bits(kind: &str) -> Result<libc::mode_t> {
    match kind {
        "c" | "u" => Ok(libc::S_IFCHR),
        "b" => Ok(libc::S_IFBLK),
        "p" => Ok(libc::S_IFIFO),
        other => Err(SysError::invalid("device", other, "unknown device type")),
    }
}

/// Create one device node inside the rootfs (root is an fd of the rootfs).
pub fn create_device(root: i32, d: &Device) -> Result<()> {
    let comps = components(&d.path);
    let Some((name, dirs)) = comps.split_last() else {
        return Err(SysError::invalid("device", d.path.clone(), "not a path"));
    };
    let dir = mkdir_all_in_root(root, &dirs.join("/"), 0o755)?;
    let cname =
        CString::new(*name).map_err(|_| SysError::invalid("device", d.path.clone(), "nul byte"))?;
    let mode = kind_bits(&d.kind)? | (d.file_mode.unwrap_or(0o666) & 0o7777);
    let devnum = libc::makedev(d.major as u32, d.minor as u32);
    // Replace whatever the image had there (a plain file would shadow the node).
    // SAFETY: dir is an open directory fd, cname a single component.
    unsafe { libc::unlinkat(dir.as_raw_fd(), cname.as_ptr(), 0) };
    // SAFETY: as above.
    let r = unsafe { libc::mknodat(dir.as_raw_fd(), cname.as_ptr(), mode, devnum) };
    if r == 0 {
        // SAFETY: fchownat on a name in dir without following symlinks.
        let r = unsafe {
            libc::fchownat(
                dir.as_raw_fd(),
                cname.as_ptr(),
                d.uid.unwrap_or(0),
                d.gid.unwrap_or(0),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if r != 0 {
            return Err(SysError::last("chown", d.path.clone()));
        }
        // mknod is subject to the umask; set the exact mode.
        // SAFETY: as above.
        unsafe { libc::fchmodat(dir.as_raw_fd(), cname.as_ptr(), mode & 0o7777, 0) };
        return Ok(());
    }
    let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    if err != libc::EPERM {
        return Err(SysError::from_errno(err, "mknod", d.path.clone()));
    }
    // Fall back to a bind mount of the host's node.
    let target = ensure_in_root(root, &d.path, true)?;
    let src = CString::new(d.path.as_str())
        .map_err(|_| SysError::invalid("device", d.path.clone(), "nul byte"))?;
    let tgt = CString::new(fd_path(&target)).unwrap_or_default();
    // SAFETY: valid C strings.
    let r = unsafe {
        libc::mount(
            src.as_ptr(),
            tgt.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        )
    };
    if r != 0 {
        return Err(SysError::last("mount bind", d.path.clone()));
    }
    Ok(())
}

/// `/dev/fd`, `/dev/stdin|stdout|stderr`, `/dev/ptmx` symlinks (existing entries are kept).
pub fn create_dev_symlinks(root: i32) -> Result<()> {
    let dev = mkdir_all_in_root(root, "/dev", 0o755)?;
    let links = [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ];
    for (name, target) in links {
        let n = CString::new(name).unwrap_or_default();
        let t = CString::new(target).unwrap_or_default();
        // SAFETY: dev is an open directory fd, names are constants.
        let r = unsafe { libc::symlinkat(t.as_ptr(), dev.as_raw_fd(), n.as_ptr()) };
        if r != 0 {
            let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            if err != libc::EEXIST {
                return Err(SysError::from_errno(err, "symlink", format!("/dev/{name}")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_contract_set() {
        let names: Vec<String> = default_devices().into_iter().map(|d| d.path).collect();
        assert_eq!(
            names,
            [
                "/dev/null",
                "/dev/zero",
                "/dev/full",
                "/dev/random",
                "/dev/urandom",
                "/dev/tty"
            ]
        );
        assert!(kind_bits("x").is_err());
    }
}
