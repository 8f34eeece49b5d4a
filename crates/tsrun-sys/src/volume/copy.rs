//! The tree copier behind copy-up and `tsrun cp`.
//!
//! A source directory is a stack of directory fds, top first: one fd for a
//! plain directory, or one per overlay layer (upper, then lowers) when the
//! merged view of image layers is wanted. With `layers`, an entry is taken
//! from the topmost layer that has it; a whiteout (char device 0/0) hides it
//! and everything below; a directory marked opaque
//! (`trusted.overlay.opaque=y`) hides the same directory in lower layers.
//! That is exactly what overlayfs shows, without mounting anything.
//!
//! Every source entry is opened relative to its parent fd with `O_NOFOLLOW`;
//! every destination entry is created relative to its parent fd, and an
//! existing entry in the way is replaced, never followed (a directory is
//! merged). Order per inode: content, `chown` (clears setuid and file
//! capabilities), `chmod`, xattrs, then times.
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::error::{Result, SysError};

/// Who owns what the copier creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The source's uid/gid (copy-up, `cp -a`).
    Keep,
    /// These ids for everything (`cp` without `-a`).
    Fixed(u32, u32),
}

#[derive(Debug, Clone, Copy)]
pub struct CopyOpts {
    pub owner: Owner,
    /// Honour overlay whiteouts and opaque directories across the source fds.
    pub layers: bool,
}

/// What a copy did.
#[derive(Debug, Default)]
pub struct CopyStats {
    /// Inodes created (directories, files, symlinks, nodes).
    pub entries: u64,
    /// Bytes of regular-file content written.
    pub bytes: u64,
    /// First copies of multiply-linked files, so later names link to them.
    pub links: super::hard_links::HardLinks,
}

pub(crate) fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

pub(crate) fn cname(name: &[u8], shown: &str) -> Result<CString> {
    CString::new(name).map_err(|_| SysError::invalid("copy", shown, "name contains a nul byte"))
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`; `Err(errno)` on failure.
pub(crate) fn lstat_at(dir: RawFd, name: &CStr) -> std::result::Result<libc::stat, i32> {
    // SAFETY: zeroed stat is a valid out-buffer; dir and name are valid.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
    if r == 0 {
        Ok(st)
    } else {
        Err(errno())
    }
}

pub(crate) fn fstat(fd: RawFd, shown: &str) -> Result<libc::stat> {
    // SAFETY: as above.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(SysError::last("fstat", shown));
    }
    Ok(st)
}

/// `openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC)`.
pub(crate) fn open_at(
    dir: RawFd,
    name: &CStr,
    flags: i32,
    mode: u32,
) -> std::result::Result<OwnedFd, i32> {
    // SAFETY: valid fd and C string.
    let fd = unsafe {
        libc::openat(
            dir,
            name.as_ptr(),
            flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode,
        )
    };
    if fd < 0 {
        Err(errno())
    } else {
        // SAFETY: fresh fd.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

/// Names in a directory (without `.` and `..`), sorted for a stable order.
pub(crate) fn read_names(dir: RawFd, shown: &str) -> Result<Vec<CString>> {
    let dot = CString::new(".").expect("no nul");
    // A fresh open description: fdopendir takes ownership and moves its offset.
    let fd = open_at(dir, &dot, libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(|e| SysError::from_errno(e, "open", shown))?;
    let raw = std::mem::ManuallyDrop::new(fd).as_raw_fd();
    // SAFETY: raw is an open directory fd that closedir will own.
    let d = unsafe { libc::fdopendir(raw) };
    if d.is_null() {
        let e = SysError::last("fdopendir", shown);
        // SAFETY: fdopendir failed, so we still own raw.
        unsafe { libc::close(raw) };
        return Err(e);
    }
    let mut out = Vec::new();
    loop {
        // SAFETY: d is a valid DIR*.
        let ent = unsafe { libc::readdir(d) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is NUL-terminated.
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) };
        let b = name.to_bytes();
        if b != b"." && b != b".." {
            out.push(name.to_owned());
        }
    }
    // SAFETY: d is valid; this closes raw too.
    unsafe { libc::closedir(d) };
    out.sort();
    Ok(out)
}

fn is_whiteout(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0
}

pub(crate) fn is_opaque(fd: RawFd) -> bool {
    let name = CString::new("trusted.overlay.opaque").expect("no nul");
    let mut v = [0u8; 4];
    // SAFETY: valid fd, name and buffer.
    let n = unsafe { libc::fgetxattr(fd, name.as_ptr(), v.as_mut_ptr().cast(), v.len()) };
    n == 1 && v[0] == b'y'
}

/// Where one copy goes: the parent directory fd and the name to create there.
pub struct Target<'a> {
    pub dir: RawFd,
    pub name: &'a CStr,
    /// For messages: the destination path as a person knows it.
    pub shown: String,
}

/// Copy the merged contents of `srcs` (directory fds, top first) into the
/// directory `dst` (which exists). Existing entries in `dst` are merged
/// (directories) or replaced (anything else).
pub fn copy_contents(
    srcs: &[OwnedFd],
    dst: RawFd,
    shown: &str,
    opts: &CopyOpts,
    stats: &mut CopyStats,
) -> Result<()> {
    let mut seen: Vec<CString> = Vec::new();
    let mut visible: Vec<(CString, usize)> = Vec::new();
    for (i, src) in srcs.iter().enumerate() {
        for name in read_names(src.as_raw_fd(), shown)? {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            if opts.layers {
                if let Ok(st) = lstat_at(src.as_raw_fd(), &name) {
                    if is_whiteout(&st) {
                        continue;
                    }
                }
            }
            visible.push((name, i));
        }
        if !opts.layers {
            break;
        }
    }
    visible.sort();
    for (name, i) in visible {
        let child = format!("{}/{}", shown.trim_end_matches('/'), name.to_string_lossy());
        let target = Target {
            dir: dst,
            name: &name,
            shown: child,
        };
        copy_node(srcs, i, &name, &target, opts, stats)?;
    }
    Ok(())
}

/// Copy the entry `name` of `srcs[top]` (merged with lower layers when it is a
/// directory and `opts.layers`) to `to`.
pub fn copy_node(
    srcs: &[OwnedFd],
    top: usize,
    name: &CStr,
    to: &Target,
    opts: &CopyOpts,
    stats: &mut CopyStats,
) -> Result<()> {
    let src = srcs[top].as_raw_fd();
    let st = lstat_at(src, name).map_err(|e| SysError::from_errno(e, "lstat", to.shown.clone()))?;
    match st.st_mode & libc::S_IFMT {
        libc::S_IFDIR => {
            let fd = open_at(src, name, libc::O_RDONLY | libc::O_DIRECTORY, 0)
                .map_err(|e| SysError::from_errno(e, "open", to.shown.clone()))?;
            let mut stack = vec![fd];
            if opts.layers && !is_opaque(stack[0].as_raw_fd()) {
                for lower in &srcs[top + 1..] {
                    match lstat_at(lower.as_raw_fd(), name) {
                        Ok(s) if s.st_mode & libc::S_IFMT == libc::S_IFDIR => {
                            let l = open_at(
                                lower.as_raw_fd(),
                                name,
                                libc::O_RDONLY | libc::O_DIRECTORY,
                                0,
                            )
                            .map_err(|e| SysError::from_errno(e, "open", to.shown.clone()))?;
                            let opaque = is_opaque(l.as_raw_fd());
                            stack.push(l);
                            if opaque {
                                break;
                            }
                        }
                        Err(libc::ENOENT) => continue,
                        // A whiteout or a non-directory hides everything below.
                        _ => break,
                    }
                }
            }
            let d = make_dir(to)?;
            stats.entries += 1;
            copy_contents(&stack, d.as_raw_fd(), &to.shown, opts, stats)?;
            apply_fd(
                stack[0].as_raw_fd(),
                d.as_raw_fd(),
                &st,
                opts.owner,
                &to.shown,
            )
        }
        libc::S_IFREG => {
            clear_slot(to)?;
            if stats.links.link_existing(&st, to) {
                stats.entries += 1;
                return Ok(());
            }
            let from = open_at(src, name, libc::O_RDONLY, 0)
                .map_err(|e| SysError::from_errno(e, "open", to.shown.clone()))?;
            let out = open_at(
                to.dir,
                to.name,
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL,
                0o600,
            )
            .map_err(|e| SysError::from_errno(e, "create", to.shown.clone()))?;
            stats.bytes += copy_data(
                from.as_raw_fd(),
                out.as_raw_fd(),
                st.st_size as u64,
                &to.shown,
            )?;
            stats.entries += 1;
            apply_fd(
                from.as_raw_fd(),
                out.as_raw_fd(),
                &st,
                opts.owner,
                &to.shown,
            )?;
            stats.links.remember(&st, to.dir, to.name);
            Ok(())
        }
        libc::S_IFLNK => {
            let target = read_link(src, name, &to.shown)?;
            clear_slot(to)?;
            // SAFETY: valid C strings and fd.
            if unsafe { libc::symlinkat(target.as_ptr(), to.dir, to.name.as_ptr()) } != 0 {
                return Err(SysError::last("symlink", to.shown.clone()));
            }
            stats.entries += 1;
            apply_at(to, &st, opts.owner, false)
        }
        libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO => {
            clear_slot(to)?;
            // SAFETY: valid fd and C string.
            if unsafe { libc::mknodat(to.dir, to.name.as_ptr(), st.st_mode, st.st_rdev) } != 0 {
                return Err(SysError::last("mknod", to.shown.clone()));
            }
            stats.entries += 1;
            apply_at(to, &st, opts.owner, true)
        }
        // Sockets mean nothing without their process: skipped, as tar does.
        _ => Ok(()),
    }
}

/// The directory `to` (made 0700 until its metadata is applied), or the
/// existing directory there, opened without following a symlink.
fn make_dir(to: &Target) -> Result<OwnedFd> {
    // SAFETY: valid fd and C string.
    if unsafe { libc::mkdirat(to.dir, to.name.as_ptr(), 0o700) } != 0 {
        let e = errno();
        if e != libc::EEXIST {
            return Err(SysError::from_errno(e, "mkdir", to.shown.clone()));
        }
        match lstat_at(to.dir, to.name) {
            Ok(s) if s.st_mode & libc::S_IFMT == libc::S_IFDIR => {}
            _ => {
                return Err(SysError::invalid(
                    "copy",
                    to.shown.clone(),
                    "cannot overwrite a non-directory with a directory",
                ))
            }
        }
    }
    open_at(to.dir, to.name, libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(|e| SysError::from_errno(e, "open", to.shown.clone()))
}

/// Make room for a non-directory at `to`: an existing non-directory is
/// unlinked (never followed); an existing directory is an error.
fn clear_slot(to: &Target) -> Result<()> {
    match lstat_at(to.dir, to.name) {
        Err(libc::ENOENT) => Ok(()),
        Err(e) => Err(SysError::from_errno(e, "lstat", to.shown.clone())),
        Ok(s) if s.st_mode & libc::S_IFMT == libc::S_IFDIR => Err(SysError::invalid(
            "copy",
            to.shown.clone(),
            "cannot overwrite a directory with a non-directory",
        )),
        Ok(_) => {
            // SAFETY: valid fd and C string.
            if unsafe { libc::unlinkat(to.dir, to.name.as_ptr(), 0) } != 0 {
                return Err(SysError::last("unlink", to.shown.clone()));
            }
            Ok(())
        }
    }
}

pub(crate) fn read_link(dir: RawFd, name: &CStr, shown: &str) -> Result<CString> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: valid fd, C string and buffer.
    let n = unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(SysError::last("readlink", shown));
    }
    buf.truncate(n as usize);
    cname(&buf, shown)
}

/// File content: copy_file_range (reflinks where the filesystem can), then
/// read/write when the kernel refuses (cross-device on old kernels, procfs).
fn copy_data(from: RawFd, to: RawFd, size: u64, shown: &str) -> Result<u64> {
    let mut done: u64 = 0;
    let mut fallback = false;
    while !fallback {
        let want = (size.saturating_sub(done)).max(1 << 20) as usize;
        // The raw syscall: in a static glibc build (the shim) the libc
        // wrapper can be an unresolved weak symbol, a call to address 0.
        // SAFETY: valid fds; null offsets use and advance the file offsets.
        let n = unsafe {
            libc::syscall(
                libc::SYS_copy_file_range,
                from,
                std::ptr::null_mut::<libc::loff_t>(),
                to,
                std::ptr::null_mut::<libc::loff_t>(),
                want,
                0u32,
            )
        } as isize;
        if n == 0 {
            return Ok(done);
        }
        if n < 0 {
            match errno() {
                libc::EXDEV | libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EBADF => {
                    fallback = true
                }
                libc::EINTR => continue,
                e => return Err(SysError::from_errno(e, "copy", shown)),
            }
        } else {
            done += n as u64;
        }
    }
    let mut buf = vec![0u8; 1 << 16];
    loop {
        // SAFETY: valid fd and buffer.
        let n = unsafe { libc::read(from, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return Err(SysError::last("read", shown));
        }
        if n == 0 {
            return Ok(done);
        }
        let mut off = 0usize;
        while off < n as usize {
            // SAFETY: valid fd and in-bounds slice.
            let w =
                unsafe { libc::write(to, buf[off..n as usize].as_ptr().cast(), n as usize - off) };
            if w < 0 {
                if errno() == libc::EINTR {
                    continue;
                }
                return Err(SysError::last("write", shown));
            }
            off += w as usize;
        }
        done += n as u64;
    }
}

fn ids(st: &libc::stat, owner: Owner) -> (u32, u32) {
    match owner {
        Owner::Keep => (st.st_uid, st.st_gid),
        Owner::Fixed(u, g) => (u, g),
    }
}

fn times(st: &libc::stat) -> [libc::timespec; 2] {
    [
        libc::timespec {
            tv_sec: st.st_atime,
            tv_nsec: st.st_atime_nsec as _,
        },
        libc::timespec {
            tv_sec: st.st_mtime,
            tv_nsec: st.st_mtime_nsec as _,
        },
    ]
}

/// Owner, mode, xattrs and times from `from` (the source inode, open) onto `to`.
fn apply_fd(from: RawFd, to: RawFd, st: &libc::stat, owner: Owner, shown: &str) -> Result<()> {
    let (uid, gid) = ids(st, owner);
    // SAFETY: valid fds throughout.
    if unsafe { libc::fchown(to, uid, gid) } != 0 {
        return Err(SysError::last("fchown", shown));
    }
    if unsafe { libc::fchmod(to, st.st_mode & 0o7777) } != 0 {
        return Err(SysError::last("fchmod", shown));
    }
    copy_xattrs(from, to, shown)?;
    let t = times(st);
    if unsafe { libc::futimens(to, t.as_ptr()) } != 0 {
        return Err(SysError::last("futimens", shown));
    }
    Ok(())
}

/// Owner (and mode, for nodes) and times of an entry we cannot open: a
/// symlink or a device/fifo, reached through an `O_PATH | O_NOFOLLOW` fd so
/// a racing rename cannot redirect us.
fn apply_at(to: &Target, st: &libc::stat, owner: Owner, chmod: bool) -> Result<()> {
    let (uid, gid) = ids(st, owner);
    let fd = open_at(to.dir, to.name, libc::O_PATH, 0)
        .map_err(|e| SysError::from_errno(e, "open", to.shown.clone()))?;
    let empty = CString::new("").expect("no nul");
    // SAFETY: valid fd; AT_EMPTY_PATH works on O_PATH fds.
    if unsafe {
        libc::fchownat(
            fd.as_raw_fd(),
            empty.as_ptr(),
            uid,
            gid,
            libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW,
        )
    } != 0
    {
        return Err(SysError::last("fchownat", to.shown.clone()));
    }
    if chmod {
        let proc_path = CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("no nul");
        // SAFETY: valid C string; the magic link names the node itself (never a symlink: O_NOFOLLOW above).
        if unsafe { libc::chmod(proc_path.as_ptr(), st.st_mode & 0o7777) } != 0 {
            return Err(SysError::last("chmod", to.shown.clone()));
        }
    }
    let t = times(st);
    // SAFETY: valid fd, C string and times array.
    if unsafe {
        libc::utimensat(
            to.dir,
            to.name.as_ptr(),
            t.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    } != 0
    {
        return Err(SysError::last("utimensat", to.shown.clone()));
    }
    Ok(())
}

/// Copy every xattr but overlay's own (`trusted.overlay.*`: markers of the
/// source's layering, meaningless or harmful in the copy). A destination
/// filesystem without xattrs (or refusing a namespace) loses them quietly.
fn copy_xattrs(from: RawFd, to: RawFd, shown: &str) -> Result<()> {
    for (cn, value) in xattrs(from, shown)? {
        // SAFETY: valid fd, C string and buffer.
        let rc = unsafe { libc::fsetxattr(to, cn.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
        if rc != 0 && !matches!(errno(), libc::EOPNOTSUPP | libc::EPERM) {
            return Err(SysError::last(
                "fsetxattr",
                format!("{shown} {}", cn.to_string_lossy()),
            ));
        }
    }
    Ok(())
}

/// The xattrs of the open inode `from`, but overlay's own
/// (`trusted.overlay.*`); one that vanishes while being read is left out.
pub(crate) fn xattrs(from: RawFd, shown: &str) -> Result<Vec<(CString, Vec<u8>)>> {
    let mut list = vec![0u8; 4096];
    // SAFETY: valid fd and buffer.
    let mut n = unsafe { libc::flistxattr(from, list.as_mut_ptr().cast(), list.len()) };
    if n < 0 && errno() == libc::ERANGE {
        // SAFETY: a null buffer asks for the size.
        let size = unsafe { libc::flistxattr(from, std::ptr::null_mut(), 0) };
        list = vec![0u8; size.max(0) as usize];
        n = unsafe { libc::flistxattr(from, list.as_mut_ptr().cast(), list.len()) };
    }
    let mut out = Vec::new();
    if n <= 0 {
        return Ok(out);
    }
    list.truncate(n as usize);
    for name in list.split(|b| *b == 0).filter(|s| !s.is_empty()) {
        if name.starts_with(b"trusted.overlay.") {
            continue;
        }
        let cn = cname(name, shown)?;
        // SAFETY: a null buffer asks for the size.
        let size = unsafe { libc::fgetxattr(from, cn.as_ptr(), std::ptr::null_mut(), 0) };
        if size < 0 {
            continue;
        }
        let mut value = vec![0u8; size as usize];
        let got =
            unsafe { libc::fgetxattr(from, cn.as_ptr(), value.as_mut_ptr().cast(), value.len()) };
        if got < 0 {
            continue;
        }
        value.truncate(got as usize);
        out.push((cn, value));
    }
    Ok(out)
}

/// Open a trusted host directory (the caller's own path) for `*at()` calls.
pub fn open_dir(path: &std::path::Path) -> Result<OwnedFd> {
    let shown = path.display().to_string();
    let c = cname(path.as_os_str().as_encoded_bytes(), &shown)?;
    // SAFETY: valid C string.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(SysError::last("open", shown));
    }
    // SAFETY: fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Copy the root directory's own metadata (owner, mode, xattrs, times) from
/// `from` onto `to`: a volume takes the ownership and mode of the image
/// directory it was first mounted over.
pub fn copy_dir_meta(from: RawFd, to: RawFd, owner: Owner, shown: &str) -> Result<()> {
    let st = fstat(from, shown)?;
    apply_fd(from, to, &st, owner, shown)
}
