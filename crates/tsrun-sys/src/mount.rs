//! Mounts for the container init, in the order docs/runtime-contract.md gives:
//! root propagation, the `io.tsrun.rootfs-mounts` onto `root.path`, the
//! self-bind of a plain directory rootfs, the OCI `mounts`, pivot_root, then
//! masked and read-only paths. Every target inside the rootfs is resolved with
//! openat2 `RESOLVE_IN_ROOT` (see `secure`) and mounted through its fd.
mod devices;
mod options;
mod secure;

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use libc::c_ulong;

pub use devices::{create_dev_symlinks, create_device, default_devices};
pub use options::{parse_options, propagation_flags, MountOptions};
pub use secure::{components, ensure_in_root, fd_path, mkdir_all_in_root, open_in_root};

use crate::error::{Result, SysError};
use crate::oci::{Mount, RootfsMount};

/// mount(2)'s data argument is one page; longer overlay options go through fsconfig.
const MOUNT_DATA_MAX: usize = 4095;

fn cs(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| SysError::invalid("mount", s, "contains a nul byte"))
}

/// Raw mount(2); `Err(errno)` on failure so callers can name the step.
pub fn sys_mount(
    src: Option<&str>,
    target: &str,
    fstype: Option<&str>,
    flags: c_ulong,
    data: Option<&str>,
) -> std::result::Result<(), i32> {
    let conv = |s: Option<&str>| {
        s.map(|s| CString::new(s).map_err(|_| libc::EINVAL))
            .transpose()
    };
    let (src, tgt, fst, dat) = (
        conv(src)?,
        CString::new(target).map_err(|_| libc::EINVAL)?,
        conv(fstype)?,
        conv(data)?,
    );
    let p = |c: &Option<CString>| c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    // SAFETY: all pointers are valid C strings or null.
    let r = unsafe {
        libc::mount(
            p(&src),
            tgt.as_ptr(),
            p(&fst),
            flags,
            p(&dat) as *const libc::c_void,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    }
}

fn mount_err(errno: i32, what: &str, on: &str) -> SysError {
    SysError::from_errno(errno, "mount", format!("{what} on {on}"))
}

/// Step 1: make every mount in our new namespace private (or the configured
/// `rootfsPropagation`), so nothing we do propagates back to the host. Shared
/// propagation starts as rslave for `/`, as runc does, and is applied to the
/// rootfs later by `mount_rootfs`.
pub fn set_root_propagation(propagation: Option<&str>) -> Result<()> {
    let word = propagation.unwrap_or("rprivate");
    let mut flags = propagation_flags(word)
        .ok_or_else(|| SysError::invalid("rootfsPropagation", word, "unknown propagation"))?;
    // Shared or unbindable are for the container's root once it is pivoted
    // into (`final_root_propagation`): shared would defeat pivot_root and
    // leak our mounts to the host, unbindable would refuse the root's
    // self-bind. Until then the tree is a slave of the host's.
    if flags & (libc::MS_SHARED | libc::MS_UNBINDABLE) != 0 {
        flags = libc::MS_SLAVE | libc::MS_REC;
    }
    sys_mount(None, "/", None, flags, None).map_err(|e| mount_err(e, word, "/"))
}

/// After pivot_root: a shared or unbindable `rootfsPropagation` is set on
/// the container's own root now, as runc leaves it.
pub fn final_root_propagation(propagation: Option<&str>) -> Result<()> {
    let Some(word) = propagation else {
        return Ok(());
    };
    let flags = propagation_flags(word)
        .ok_or_else(|| SysError::invalid("rootfsPropagation", word, "unknown propagation"))?;
    if flags & (libc::MS_SHARED | libc::MS_UNBINDABLE) == 0 {
        return Ok(());
    }
    sys_mount(None, "/", None, flags, None).map_err(|e| mount_err(e, word, "/"))
}

/// Whether `path` is the root of a mount (statx `STATX_ATTR_MOUNT_ROOT`).
pub fn is_mount_point(path: &Path) -> Result<bool> {
    let c = cs(&path.to_string_lossy())?;
    // SAFETY: zeroed statx is a valid out-buffer.
    let mut st: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: valid path and buffer. The raw syscall, not glibc's wrapper:
    // Rust's std refers to `statx` weakly, so a static build (the shim is
    // one) would otherwise call a null pointer.
    let r = unsafe {
        libc::syscall(
            libc::SYS_statx,
            libc::AT_FDCWD,
            c.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
            libc::STATX_BASIC_STATS,
            &mut st as *mut libc::statx,
        )
    };
    if r != 0 {
        return Err(SysError::last("statx", path.display().to_string()));
    }
    let bit = libc::STATX_ATTR_MOUNT_ROOT as u64;
    if st.stx_attributes_mask & bit == 0 {
        return Ok(false); // unknown: a self-bind is always safe
    }
    Ok(st.stx_attributes & bit != 0)
}

/// Step 2: the `io.tsrun.rootfs-mounts` onto `root`, then a self-bind when
/// `root` is still a plain directory (pivot_root needs a mount point).
pub fn mount_rootfs(root: &Path, mounts: &[RootfsMount], propagation: Option<&str>) -> Result<()> {
    let root_s = root.to_string_lossy().to_string();
    for m in mounts {
        let o = parse_options(&m.options);
        let src = if m.source.is_empty() {
            m.kind.as_str()
        } else {
            m.source.as_str()
        };
        let fstype = if m.kind == "bind" {
            None
        } else {
            Some(m.kind.as_str())
        };
        let mut flags = o.flags;
        if m.kind == "bind" {
            flags |= libc::MS_BIND;
        }
        let res = if m.kind == "overlay" && o.data.len() > MOUNT_DATA_MAX {
            mount_overlay_fsapi(&root_s, &o)
        } else {
            sys_mount(
                Some(src),
                &root_s,
                fstype,
                flags,
                Some(&o.data).filter(|d| !d.is_empty()).map(|d| d.as_str()),
            )
        };
        res.map_err(|e| mount_err(e, &m.kind, &root_s))?;
    }
    if !is_mount_point(root)? {
        sys_mount(
            Some(&root_s),
            &root_s,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )
        .map_err(|e| mount_err(e, "bind", &root_s))?;
    }
    // A shared root is made after pivot_root (`final_root_propagation`):
    // pivot_root refuses a shared new root.
    let _ = propagation;
    Ok(())
}

// The new mount API (Linux 5.2+), for overlay option strings longer than a
// page. Each fsconfig string is limited to 256 bytes, so lower layers are
// added one by one with `lowerdir+` (Linux 6.8+).
const FSOPEN_CLOEXEC: libc::c_uint = 1;
const FSCONFIG_SET_FLAG: libc::c_uint = 0;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;

fn check_fd(r: libc::c_long) -> std::result::Result<OwnedFd, i32> {
    if r < 0 {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    } else {
        // SAFETY: the kernel returned a new fd.
        Ok(unsafe { OwnedFd::from_raw_fd(r as RawFd) })
    }
}

fn fsconfig(
    fd: &OwnedFd,
    cmd: libc::c_uint,
    key: Option<&str>,
    value: Option<&str>,
) -> std::result::Result<(), i32> {
    let k = key
        .map(|k| CString::new(k).map_err(|_| libc::EINVAL))
        .transpose()?;
    let v = value
        .map(|v| CString::new(v).map_err(|_| libc::EINVAL))
        .transpose()?;
    let p = |c: &Option<CString>| c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    // SAFETY: valid fd and C strings (or null).
    let r = unsafe { libc::syscall(libc::SYS_fsconfig, fd.as_raw_fd(), cmd, p(&k), p(&v), 0) };
    if r < 0 {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    } else {
        Ok(())
    }
}

fn mount_overlay_fsapi(target: &str, o: &MountOptions) -> std::result::Result<(), i32> {
    let name = CString::new("overlay").map_err(|_| libc::EINVAL)?;
    // SAFETY: valid C string.
    let fs = check_fd(unsafe { libc::syscall(libc::SYS_fsopen, name.as_ptr(), FSOPEN_CLOEXEC) })?;
    for opt in o.data.split(',').filter(|s| !s.is_empty()) {
        match opt.split_once('=') {
            Some(("lowerdir", layers)) => {
                for l in layers.split(':').filter(|s| !s.is_empty()) {
                    fsconfig(&fs, FSCONFIG_SET_STRING, Some("lowerdir+"), Some(l))?;
                }
            }
            Some((k, v)) => fsconfig(&fs, FSCONFIG_SET_STRING, Some(k), Some(v))?,
            None => fsconfig(&fs, FSCONFIG_SET_FLAG, Some(opt), None)?,
        }
    }
    fsconfig(&fs, FSCONFIG_CMD_CREATE, None, None)?;
    let mut attrs: libc::c_uint = 0;
    for (ms, attr) in [
        (libc::MS_RDONLY, 0x1),
        (libc::MS_NOSUID, 0x2),
        (libc::MS_NODEV, 0x4),
        (libc::MS_NOEXEC, 0x8),
    ] {
        if o.flags & ms != 0 {
            attrs |= attr;
        }
    }
    // SAFETY: valid fs context fd.
    let mnt = check_fd(unsafe {
        libc::syscall(libc::SYS_fsmount, fs.as_raw_fd(), FSMOUNT_CLOEXEC, attrs)
    })?;
    let empty = CString::new("").map_err(|_| libc::EINVAL)?;
    let tgt = CString::new(target).map_err(|_| libc::EINVAL)?;
    // SAFETY: valid fds and C strings.
    let r = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            mnt.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            tgt.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO));
    }
    Ok(())
}

/// Host-side facts the OCI mounts need.
#[derive(Debug, Default, Clone)]
pub struct MountContext {
    /// For a `cgroup` mount: (sub-directory name, host directory of the
    /// container's cgroup). An empty name means "bind directly at the
    /// destination" (pure v2); otherwise a tmpfs gets one bind per hierarchy.
    pub cgroup_binds: Vec<(String, PathBuf)>,
}

/// Open the rootfs directory (`O_PATH`) to resolve container paths against.
pub fn open_root(root: &Path) -> Result<OwnedFd> {
    let c = cs(&root.to_string_lossy())?;
    // SAFETY: valid C string.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(SysError::last("open", root.display().to_string()));
    }
    // SAFETY: fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Step 3: one OCI mount, destination created inside the rootfs when missing.
pub fn mount_oci(rootfd: RawFd, m: &Mount, ctx: &MountContext) -> Result<()> {
    let kind = m.kind.as_deref().unwrap_or("");
    let o = parse_options(&m.options);
    let dest = m.destination.as_str();
    if kind == "bind" || o.is_bind() {
        return mount_bind(rootfd, m, &o);
    }
    if kind == "cgroup" || kind == "cgroup2" {
        return mount_cgroup(rootfd, dest, &o, ctx);
    }
    let target = ensure_in_root(rootfd, dest, false)?;
    let src = m.source.as_deref().unwrap_or(kind);
    let data = Some(o.data.as_str()).filter(|d| !d.is_empty());
    sys_mount(Some(src), &fd_path(&target), Some(kind), o.flags, data)
        .map_err(|e| mount_err(e, kind, dest))?;
    apply_propagation(rootfd, dest, &o)
}

fn apply_propagation(rootfd: RawFd, dest: &str, o: &MountOptions) -> Result<()> {
    if o.propagation == 0 {
        return Ok(());
    }
    // Re-open: the fd taken before the mount points under it, not at it.
    let t = open_in_root(rootfd, dest, libc::O_PATH, 0)?;
    sys_mount(None, &fd_path(&t), None, o.propagation, None)
        .map_err(|e| mount_err(e, "propagation", dest))
}

/// Bind-remount with `flags`, keeping the flags the mount already has that
/// a remount would otherwise clear (nosuid/nodev/noexec may be locked).
fn bind_remount(path: &str, flags: c_ulong) -> std::result::Result<(), i32> {
    let c = CString::new(path).map_err(|_| libc::EINVAL)?;
    // SAFETY: zeroed statvfs is a valid out-buffer.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    let mut keep: c_ulong = 0;
    // SAFETY: valid path and buffer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } == 0 {
        for (st_bit, ms) in [
            (libc::ST_NOSUID, libc::MS_NOSUID),
            (libc::ST_NODEV, libc::MS_NODEV),
            (libc::ST_NOEXEC, libc::MS_NOEXEC),
            (libc::ST_RDONLY, libc::MS_RDONLY),
        ] {
            if st.f_flag & st_bit != 0 {
                keep |= ms;
            }
        }
    }
    sys_mount(
        None,
        path,
        None,
        libc::MS_BIND | libc::MS_REMOUNT | flags | keep,
        None,
    )
}

fn mount_bind(rootfd: RawFd, m: &Mount, o: &MountOptions) -> Result<()> {
    let dest = m.destination.as_str();
    let src = m
        .source
        .as_deref()
        .ok_or_else(|| SysError::invalid("mount", dest, "bind mount without a source"))?;
    if let Some(ns) = m.options.iter().find_map(|x| x.strip_prefix(MNTNS_OPTION)) {
        let tree = clone_from_namespace(ns, src, o.flags & libc::MS_REC != 0)?;
        let target = ensure_in_root(rootfd, dest, false)?;
        attach_tree(&tree, &target).map_err(|e| mount_err(e, src, dest))?;
    } else {
        let (_held, src) = bind_source(src, &m.options)?;
        let src = src.as_str();
        let meta = std::fs::metadata(src).map_err(|e| SysError::from_io(&e, "stat", src))?;
        let target = ensure_in_root(rootfd, dest, !meta.is_dir())?;
        sys_mount(
            Some(src),
            &fd_path(&target),
            None,
            libc::MS_BIND | (o.flags & libc::MS_REC),
            None,
        )
        .map_err(|e| mount_err(e, src, dest))?;
    }
    if o.remount_flags() != 0 {
        let t = open_in_root(rootfd, dest, libc::O_PATH, 0)?;
        bind_remount(&fd_path(&t), o.remount_flags()).map_err(|e| mount_err(e, "remount", dest))?;
        if o.flags & libc::MS_RDONLY != 0 && o.flags & libc::MS_REC != 0 {
            readonly_recursive(&t).map_err(|e| mount_err(e, "read-only (recursive)", dest))?;
        }
    }
    apply_propagation(rootfd, dest, o)
}

/// A read-only recursive bind is read-only all the way down, as in Docker 25
/// and later: the remount above only changes the top mount, and the mounts
/// under the source (a tmpfs, another disk) would stay writable.
/// mount_setattr(2) with AT_RECURSIVE does the whole tree at once (Linux
/// 5.12); on an older kernel the submounts stay as they are, as Docker does
/// there.
fn readonly_recursive(target: &OwnedFd) -> std::result::Result<(), i32> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    const MOUNT_ATTR_RDONLY: u64 = 0x1;
    const AT_RECURSIVE: libc::c_int = 0x8000;
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: an fd we own, an empty C string, and a correctly sized struct.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            target.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if rc == 0 {
        return Ok(());
    }
    match std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
    {
        libc::ENOSYS => Ok(()),
        errno => Err(errno),
    }
}

/// Option word of a bind whose source is a path in another mount namespace
/// (`io.tsrun.mntns=/proc/PID/ns/mnt`): another container's `/dev/shm` for
/// `--ipc container:NAME`. mount(2) cannot bind across namespaces, so the
/// tree is cloned there (open_tree) and attached here (move_mount); nothing
/// is ever mounted on the host.
pub const MNTNS_OPTION: &str = "io.tsrun.mntns=";

/// Clone the mount at `path` of the mount namespace `ns` into a detached
/// tree: join that namespace (its root becomes ours: `path` resolves inside
/// the other container, symlinks included), open_tree, and come back.
/// Needs a single-threaded caller with its own fs (the container init).
fn clone_from_namespace(ns: &str, path: &str, recursive: bool) -> Result<OwnedFd> {
    const OPEN_TREE_CLONE: libc::c_uint = 1;
    const AT_RECURSIVE: libc::c_uint = 0x8000;
    let own = crate::ns::open_own(libc::CLONE_NEWNS)?;
    crate::ns::join(libc::CLONE_NEWNS, ns)?;
    let c = cs(path)?;
    let flags = OPEN_TREE_CLONE
        | libc::O_CLOEXEC as libc::c_uint
        | if recursive { AT_RECURSIVE } else { 0 };
    // SAFETY: valid C string; the fd returned is ours.
    let fd = unsafe { libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, c.as_ptr(), flags) };
    let err = std::io::Error::last_os_error();
    // Back home before anything else, whatever open_tree said.
    crate::ns::join_fd(&own, libc::CLONE_NEWNS)?;
    if fd < 0 {
        return Err(SysError::from_errno(
            err.raw_os_error().unwrap_or(libc::EIO),
            "open_tree",
            format!("{path} in {ns}"),
        ));
    }
    // SAFETY: fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Attach a clone of the mount at `path` in the mount namespace `ns` on the
/// directory `target` of our own namespace (open_tree there, move_mount
/// here). For a monitor handing another OCI runtime a mount it can only
/// bind by path: `target` must be in a namespace of the caller's own, so
/// nothing reaches the host. Single-threaded callers only (setns).
pub fn mount_from_namespace(ns: &str, path: &str, target: &Path, recursive: bool) -> Result<()> {
    let tree = clone_from_namespace(ns, path, recursive)?;
    let t = std::fs::File::open(target)
        .map_err(|e| SysError::from_io(&e, "open", target.display().to_string()))?;
    let fd = OwnedFd::from(t);
    attach_tree(&tree, &fd).map_err(|e| mount_err(e, path, &target.display().to_string()))
}

/// move_mount a detached tree onto `target` (an O_PATH fd in the rootfs).
fn attach_tree(tree: &OwnedFd, target: &OwnedFd) -> std::result::Result<(), i32> {
    const MOVE_MOUNT_T_EMPTY_PATH: libc::c_uint = 0x40;
    // SAFETY: two fds we own and empty C strings.
    let r = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            target.as_raw_fd(),
            c"".as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO));
    }
    Ok(())
}

/// Option word of a bind naming a sub-directory of its source (a volume's
/// `volume-subpath`): `io.tsrun.subpath=REL`.
pub const SUBPATH_OPTION: &str = "io.tsrun.subpath=";

/// The path to bind from: `src`, or with `io.tsrun.subpath=REL` that path
/// resolved inside `src` with `RESOLVE_IN_ROOT` (returned as the
/// `/proc/self/fd/N` of an `O_PATH` fd kept alive by the caller), so a
/// symlink a container planted in a shared volume cannot aim the bind at
/// the host.
fn bind_source(src: &str, options: &[String]) -> Result<(Option<OwnedFd>, String)> {
    match options.iter().find_map(|o| o.strip_prefix(SUBPATH_OPTION)) {
        None => Ok((None, src.to_string())),
        Some(rel) => {
            let base = open_root(Path::new(src))?;
            let fd = open_in_root(base.as_raw_fd(), rel, libc::O_PATH, 0).map_err(|e| {
                SysError::from_errno(e.errno, "volume-subpath", format!("{src}/{rel}"))
            })?;
            let shown = fd_path(&fd);
            Ok((Some(fd), shown))
        }
    }
}

/// `type: cgroup`: the container's own cgroup, bound read-only (or as the
/// options say) from the host, one sub-directory per v1 hierarchy on a tmpfs,
/// so hybrid hosts need no cgroup namespace trickery.
fn mount_cgroup(rootfd: RawFd, dest: &str, o: &MountOptions, ctx: &MountContext) -> Result<()> {
    let target = ensure_in_root(rootfd, dest, false)?;
    let direct = ctx.cgroup_binds.len() == 1 && ctx.cgroup_binds[0].0.is_empty();
    if !direct {
        let flags = o.flags & !libc::MS_RDONLY & !libc::MS_BIND & !libc::MS_REC;
        sys_mount(
            Some("tmpfs"),
            &fd_path(&target),
            Some("tmpfs"),
            flags,
            Some("mode=755"),
        )
        .map_err(|e| mount_err(e, "tmpfs", dest))?;
    }
    for (name, host) in &ctx.cgroup_binds {
        let sub = if name.is_empty() {
            dest.to_string()
        } else {
            format!("{dest}/{name}")
        };
        let t = ensure_in_root(rootfd, &sub, false)?;
        let host_s = host.to_string_lossy();
        sys_mount(Some(&host_s), &fd_path(&t), None, libc::MS_BIND, None)
            .map_err(|e| mount_err(e, &host_s, &sub))?;
        let t = open_in_root(rootfd, &sub, libc::O_PATH, 0)?;
        bind_remount(&fd_path(&t), o.remount_flags()).map_err(|e| mount_err(e, "remount", &sub))?;
    }
    if !direct && o.flags & libc::MS_RDONLY != 0 {
        let t = open_in_root(rootfd, dest, libc::O_PATH, 0)?;
        sys_mount(
            None,
            &fd_path(&t),
            None,
            libc::MS_REMOUNT | o.remount_flags(),
            Some("mode=755"),
        )
        .map_err(|e| mount_err(e, "remount", dest))?;
    }
    Ok(())
}

/// Bind the pty slave onto `/dev/console`, as runc and Docker do with a TTY.
pub fn bind_console(rootfd: RawFd, slave_path: &str) -> Result<()> {
    let t = ensure_in_root(rootfd, "/dev/console", true)?;
    sys_mount(Some(slave_path), &fd_path(&t), None, libc::MS_BIND, None)
        .map_err(|e| mount_err(e, slave_path, "/dev/console"))
}

/// Step 4: pivot_root into `root` and detach the old root, leaving nothing of
/// the host's mount tree reachable. The trick `pivot_root(".", ".")` stacks the
/// old root under the new one; umount it lazily from there.
pub fn pivot_root(root: &Path) -> Result<()> {
    let root_s = root.to_string_lossy().to_string();
    let c = cs(&root_s)?;
    let dot = cs(".")?;
    // SAFETY: valid C strings throughout.
    unsafe {
        if libc::chdir(c.as_ptr()) != 0 {
            return Err(SysError::last("chdir", root_s));
        }
        if libc::syscall(libc::SYS_pivot_root, dot.as_ptr(), dot.as_ptr()) != 0 {
            return Err(SysError::last("pivot_root", root_s));
        }
    }
    // Make sure the unmount cannot propagate anywhere.
    sys_mount(None, ".", None, libc::MS_SLAVE | libc::MS_REC, None)
        .map_err(|e| mount_err(e, "rslave", "old root"))?;
    // SAFETY: valid C strings.
    unsafe {
        if libc::umount2(dot.as_ptr(), libc::MNT_DETACH) != 0 {
            return Err(SysError::last("umount", "old root"));
        }
        let slash = cs("/")?;
        if libc::chdir(slash.as_ptr()) != 0 {
            return Err(SysError::last("chdir", "/"));
        }
    }
    Ok(())
}

/// `linux.maskedPaths` entry (after pivot_root): `/dev/null` over a file, an
/// empty read-only tmpfs over a directory. A missing path is fine.
pub fn mask_path(path: &str) -> Result<()> {
    match sys_mount(Some("/dev/null"), path, None, libc::MS_BIND, None) {
        Ok(()) => Ok(()),
        Err(libc::ENOENT) => Ok(()),
        Err(libc::ENOTDIR) => sys_mount(
            Some("tmpfs"),
            path,
            Some("tmpfs"),
            libc::MS_RDONLY,
            Some("size=0"),
        )
        .map_err(|e| mount_err(e, "tmpfs", path)),
        Err(e) => Err(mount_err(e, "/dev/null", path)),
    }
}

/// `linux.readonlyPaths` entry (after pivot_root): bind onto itself, remount ro.
pub fn readonly_path(path: &str) -> Result<()> {
    match sys_mount(Some(path), path, None, libc::MS_BIND | libc::MS_REC, None) {
        Ok(()) => {}
        Err(libc::ENOENT) => return Ok(()),
        Err(e) => return Err(mount_err(e, "bind", path)),
    }
    bind_remount(path, libc::MS_RDONLY | libc::MS_REC).map_err(|e| mount_err(e, "remount ro", path))
}

/// `root.readonly`: remount the new `/` read-only (after the other mounts).
pub fn remount_root_readonly() -> Result<()> {
    bind_remount("/", libc::MS_RDONLY).map_err(|e| mount_err(e, "remount ro", "/"))
}
