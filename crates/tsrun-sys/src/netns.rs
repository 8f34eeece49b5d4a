//! Persistent network namespaces, as `ip netns add` keeps them: made by a
//! thread of their own (unshare affects only the calling thread for a
//! network namespace), their loopback brought up, and kept alive by a bind
//! mount of that thread's nsfs file onto `PATH`, so the namespace outlives
//! every process in it. A network backend prepares one before a container
//! starts and the runtime joins it by path (`linux.namespaces[].path`); it
//! goes when the container is removed.
//!
//! The directory holding them is made a shared mount of its own (as
//! /run/netns is): a mount namespace cloned from the host meanwhile keeps
//! a copy of every namespace file, and unmounting ours propagates there,
//! so no copy keeps a removed namespace alive. When its last namespace
//! goes, the directory and its own mount go too (a store under /tmp leaves
//! no mount behind); a lock file (`DIR/../locks/NAME.lock`) orders the
//! processes making and removing namespaces there.
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{Result, SysError};
use crate::ns;

/// Make the namespace at `path` (its parent directory is made and prepared
/// when needed). An existing `path` is an error: remove it first.
pub fn create(path: &Path) -> Result<()> {
    let dir = parent(path)?;
    let _lock = DirLock::take(dir)?;
    shared_dir(dir)?;
    // The mount point: an empty file nobody may write.
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| SysError::from_io(&e, "create", path.display().to_string()))
        .and_then(|_| {
            let target = path.to_path_buf();
            std::thread::spawn(move || -> Result<()> {
                ns::unshare(libc::CLONE_NEWNET)?;
                ns::loopback_up()?;
                bind(Path::new("/proc/thread-self/ns/net"), &target, 0)
            })
            .join()
            .unwrap_or_else(|_| {
                Err(SysError::invalid(
                    "netns",
                    path.display().to_string(),
                    "the thread making it panicked",
                ))
            })
        });
    if let Err(e) = made {
        // Not ours to remove when it existed before (create_new refused it).
        if e.errno != libc::EEXIST {
            let _ = std::fs::remove_file(path);
        }
        release_dir_if_empty(dir);
        return Err(e);
    }
    Ok(())
}

/// Unmount and remove the namespace file; one already gone is fine.
pub fn remove(path: &Path) -> Result<()> {
    let dir = parent(path)?;
    if !dir.exists() {
        return Ok(());
    }
    let _lock = DirLock::take(dir)?;
    let c = cstr(path)?;
    // SAFETY: umount2 of a path we own.
    if unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) } != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        // EINVAL: not a mount point (a half-made one); ENOENT: gone.
        if errno != libc::EINVAL && errno != libc::ENOENT {
            return Err(SysError::from_errno(
                errno,
                "umount",
                path.display().to_string(),
            ));
        }
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(SysError::from_io(&e, "remove", path.display().to_string())),
    }
    release_dir_if_empty(dir);
    Ok(())
}

fn parent(path: &Path) -> Result<&Path> {
    path.parent().ok_or_else(|| {
        SysError::invalid(
            "netns",
            path.display().to_string(),
            "has no parent directory",
        )
    })
}

/// flock on `DIR.lock` beside the directory, released on drop.
struct DirLock(std::os::fd::RawFd);

impl DirLock {
    fn take(dir: &Path) -> Result<DirLock> {
        if let Some(p) = dir.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| SysError::from_io(&e, "mkdir", p.display().to_string()))?;
        }
        // DIR/../locks/NAME.lock: with the store's other locks, out of the way.
        let locks = dir.parent().unwrap_or(Path::new("/")).join("locks");
        std::fs::create_dir_all(&locks)
            .map_err(|e| SysError::from_io(&e, "mkdir", locks.display().to_string()))?;
        let mut name = dir.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        crate::lock::lock(&locks.join(name)).map(DirLock)
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = crate::lock::unlock(self.0);
    }
}

/// The directory's own mount goes with its last namespace (under the lock).
fn release_dir_if_empty(dir: &Path) {
    let empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty {
        return;
    }
    if is_mount_point(dir) {
        if let Ok(c) = cstr(dir) {
            // SAFETY: umount2 of our own directory mount, nothing mounted below it.
            unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
        }
    }
    // The empty directory too: the next namespace makes it again.
    let _ = std::fs::remove_dir(dir);
}

/// Whether `path` holds a network namespace (an nsfs mount).
pub fn exists(path: &Path) -> bool {
    let Ok(c) = cstr(path) else { return false };
    // SAFETY: statfs into a zeroed struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    unsafe { libc::statfs(c.as_ptr(), &mut st) == 0 && st.f_type as i64 == NSFS_MAGIC }
}

const NSFS_MAGIC: i64 = 0x6e73_6673;

/// `dir` made, bind-mounted onto itself once, and shared.
fn shared_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SysError::from_io(&e, "mkdir", dir.display().to_string()))?;
    if make_rshared(dir).is_ok() && is_mount_point(dir) {
        return Ok(());
    }
    bind(dir, dir, libc::MS_REC)?;
    make_rshared(dir)
}

/// `mount --make-rshared DIR`.
fn make_rshared(dir: &Path) -> Result<()> {
    let c = cstr(dir)?;
    // SAFETY: mount(2) with a valid string; MS_SHARED needs no source.
    let r = unsafe {
        libc::mount(
            std::ptr::null(),
            c.as_ptr(),
            std::ptr::null(),
            libc::MS_SHARED | libc::MS_REC,
            std::ptr::null(),
        )
    };
    if r != 0 {
        return Err(SysError::last(
            "mount --make-rshared",
            dir.display().to_string(),
        ));
    }
    Ok(())
}

/// Whether `dir` is the root of a mount (its own line in mountinfo).
fn is_mount_point(dir: &Path) -> bool {
    let Ok(canon) = dir.canonicalize() else {
        return false;
    };
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    info.lines()
        .any(|l| l.split(' ').nth(4).is_some_and(|m| Path::new(m) == canon))
}

fn bind(src: &Path, dst: &Path, extra: libc::c_ulong) -> Result<()> {
    let (s, d) = (cstr(src)?, cstr(dst)?);
    // SAFETY: mount(2) with valid strings.
    if unsafe {
        libc::mount(
            s.as_ptr(),
            d.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND | extra,
            std::ptr::null(),
        )
    } != 0
    {
        return Err(SysError::last(
            "mount --bind",
            format!("{} {}", src.display(), dst.display()),
        ));
    }
    Ok(())
}

fn cstr(p: &Path) -> Result<CString> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| SysError::invalid("path", p.display().to_string(), "contains a NUL byte"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IFF_UP of `lo` in the calling thread's network namespace.
    fn lo_is_up() -> bool {
        // SAFETY: an ioctl on a socket we own, into a zeroed ifreq.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
            let mut req: libc::ifreq = std::mem::zeroed();
            for (i, b) in b"lo".iter().enumerate() {
                req.ifr_name[i] = *b as libc::c_char;
            }
            let ok = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0;
            libc::close(fd);
            ok && req.ifr_ifru.ifru_flags & libc::IFF_UP as libc::c_short != 0
        }
    }

    fn root() -> bool {
        // SAFETY: no preconditions.
        unsafe { libc::geteuid() == 0 }
    }

    #[test]
    fn a_namespace_outlives_its_thread_has_loopback_up_and_goes_with_remove() {
        if !root() {
            eprintln!("skipped: making network namespaces needs root");
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("ns/c1");
        create(&p).unwrap();
        assert!(exists(&p), "an nsfs mount at {}", p.display());
        assert!(
            is_mount_point(&t.path().join("ns")),
            "the directory is a mount of its own"
        );
        // Another namespace than ours, with lo up: join it from a thread and look.
        let (theirs, lo_up) = {
            let p = p.clone();
            std::thread::spawn(move || {
                ns::join(libc::CLONE_NEWNET, p.to_str().unwrap()).unwrap();
                (
                    std::fs::read_link("/proc/thread-self/ns/net").unwrap(),
                    lo_is_up(),
                )
            })
            .join()
            .unwrap()
        };
        assert_ne!(theirs, std::fs::read_link("/proc/self/ns/net").unwrap());
        assert!(lo_up, "lo is up in the new namespace");
        assert!(create(&p).is_err(), "an existing path is refused");
        remove(&p).unwrap();
        assert!(!p.exists());
        remove(&p).unwrap();
        assert!(
            !is_mount_point(&t.path().join("ns")),
            "the directory's mount went with its last namespace"
        );
    }
}
