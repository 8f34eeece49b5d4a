//! `tsrun-shim run --runtime PATH`: the monitor starts the container
//! through another OCI runtime instead of creating it itself.
//!
//! Once per monitor (`enter_private_root`): the monitor becomes a
//! subreaper (the runtime's init is reparented to it when `create` exits),
//! unshares a mount namespace of its own, makes it a slave of the host's
//! (host mounts still reach it, nothing of ours goes back), and mounts the
//! storage driver's answer (`io.tsrun.rootfs-mounts`) on `root.path` (and
//! on a hybrid host hides the bare cgroup2 tree, `hide_bare_cgroup2`). The
//! runtime, its child, inherits that namespace and builds the container's
//! from it; the host's mount table never sees the rootfs, and when the
//! monitor and the container are gone, so is every mount: a killed monitor
//! leaks none.
//!
//! Per start (`start`): write the runtime's bundle (runtime_spec.rs), delete
//! a leftover of the same id (a monitor killed before its `delete`), run
//! `create` with the container's stdio (pipes we relay, or a console socket
//! that receives the pty master), read the pid file, run `start`. From then
//! on the init is our child like a native one, and the monitor loop is the
//! same.
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::Stdio;

use tsrun_sys::mount;
use tsrun_sys::oci::Spec;
use tsrun_sys::tty;

use tsrun_container::create::Started;
use tsrun_container::stdio::{self, ChildStdio, ParentStdio};
use tsrun_container::Failure;

use crate::console_socket::ConsoleSocket;
use crate::runtime_cli::{self, Runtime};
use crate::runtime_spec;

/// The host's mount namespace (an fd, CLOEXEC) once we left it; -1 before.
static HOST_MOUNT_NS: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// In a child about to exec something for the host (the exit command,
/// `tsrun rm`): go back to the host's mount namespace, where the rootfs is
/// not mounted and may be removed. Async-signal-safe (one setns).
pub fn back_to_host_mounts() {
    let fd = HOST_MOUNT_NS.load(std::sync::atomic::Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: setns on an fd we own, in a single-threaded child.
        unsafe { libc::setns(fd, libc::CLONE_NEWNS) };
    }
}

/// Subreaper, a private slave mount namespace, the rootfs mounted on
/// `root.path`; answers that path.
pub fn enter_private_root(spec: &Spec, bundle: &Path) -> Result<std::path::PathBuf, Failure> {
    // SAFETY: prctl on ourselves.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(tsrun_sys::error::SysError::last("prctl", "PR_SET_CHILD_SUBREAPER").into());
    }
    // Kept for what we start on the host's behalf (the exit command).
    let host = std::fs::File::open("/proc/self/ns/mnt").map_err(|e| tsrun_sys::error::SysError::from_io(&e, "open", "/proc/self/ns/mnt"))?;
    tsrun_sys::ns::unshare(libc::CLONE_NEWNS)?;
    HOST_MOUNT_NS.store(std::os::fd::IntoRawFd::into_raw_fd(host), std::sync::atomic::Ordering::Relaxed);
    mount::set_root_propagation(Some("rslave"))?;
    hide_bare_cgroup2();
    let root = spec.root_path(bundle);
    mount::mount_rootfs(&root, &spec.rootfs_mounts()?, None)?;
    Ok(root)
}

/// On a hybrid host (v1 controllers beside a cgroup2 tree) runtimes
/// disagree: runc tracks processes in the bare v2 tree too, crun refuses to
/// run at all ("cgroups in hybrid mode not supported"). The v2 tree holds no
/// controller here, so our namespace simply does without it: every runtime
/// sees a plain v1 host and limits work the same. (Only our view: the
/// host's mount stays, and nothing of ours was in that tree to clean up.)
pub(crate) fn hide_bare_cgroup2() {
    let Ok(hier) = tsrun_sys::cgroup::host_hierarchies() else { return };
    let has_v1 = hier.iter().any(|h| matches!(h, tsrun_sys::cgroup::Hierarchy::V1 { .. }));
    for h in &hier {
        if let (true, tsrun_sys::cgroup::Hierarchy::V2 { mount }) = (has_v1, h) {
            if let Ok(c) = std::ffi::CString::new(mount.as_os_str().as_encoded_bytes()) {
                // SAFETY: valid C string; only our private namespace is changed.
                unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
            }
        }
    }
}

/// Whatever is readable now on a non-blocking fd (the runtime's stderr after it exited).
pub(crate) fn drain(fd: &OwnedFd) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tty::set_nonblocking(fd.as_raw_fd());
    while let crate::relay::Read::Data(n) = crate::relay::read_some(fd.as_raw_fd(), &mut buf) {
        out.extend_from_slice(&buf[..n]);
        if out.len() > 1 << 20 {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What `start` needs besides the runtime.
pub struct StartOpts<'a> {
    pub engine_bundle: &'a Path,
    pub state_dir: &'a Path,
    pub spec: &'a Spec,
    pub root: &'a Path,
    pub keep_stdin: bool,
    pub winsize: Option<(u16, u16)>,
}

/// Create and start the container through `rt`; on failure nothing of it is left.
pub fn start(rt: &Runtime, o: &StartOpts) -> Result<Started, Failure> {
    let bundle = runtime_spec::bundle_dir(o.state_dir);
    runtime_spec::write(o.engine_bundle, o.spec, o.root, &bundle, &rt.path, rt.rro)?;
    rt.delete();
    let pid_file = bundle.join("pid");
    let terminal = o.spec.process.terminal;
    // Without a TTY the runtime's stdio is the container's (runc passes it
    // on), and its own messages land on the stderr pipe; with one, its
    // stderr is a pipe of its own.
    let (console, parent, stdio_for_runtime, err_r) = if terminal {
        let sock = ConsoleSocket::bind()?;
        let (r, w) = stdio::pipe()?;
        (Some(sock), None, [Stdio::null(), Stdio::null(), Stdio::from(w)], Some(r))
    } else {
        let (parent, child) = stdio::make(false, o.keep_stdin, o.winsize)?;
        let ChildStdio::Pipes { stdin, stdout, stderr } = child else { unreachable!("pipes without a terminal") };
        (None, Some(parent), [Stdio::from(stdin), Stdio::from(stdout), Stdio::from(stderr)], None)
    };
    let mut child = rt.spawn_create(&bundle, &pid_file, console.as_ref().map(|s| s.path.as_path()), stdio_for_runtime)?;
    let mut master: Option<OwnedFd> = None;
    let status = loop {
        if let Some(sock) = console.as_ref().filter(|_| master.is_none()) {
            master = sock.receive(50);
        }
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if console.is_none() || master.is_some() => {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                rt.delete();
                return Err(tsrun_sys::error::SysError::from_io(&e, "wait", "OCI runtime create").into());
            }
        }
    };
    if !status.success() {
        let stderr = match (&err_r, &parent) {
            (Some(r), _) => drain(r),
            (None, Some(p)) => p.err.as_ref().map(drain).unwrap_or_default(),
            _ => String::new(),
        };
        rt.delete();
        return Err(rt.failure("create", &status.to_string(), &stderr));
    }
    if let Some(sock) = console.as_ref().filter(|_| master.is_none()) {
        master = sock.receive(1000);
    }
    let Some(pid) = runtime_cli::read_pid(&pid_file) else {
        rt.delete();
        return Err(Failure { code: 125, message: format!("OCI runtime {} create wrote no pid to {}", rt.path, pid_file.display()) });
    };
    let parent = match (parent, master) {
        (Some(p), _) => p,
        (None, Some(m)) => {
            if let Some((r, c)) = o.winsize {
                let _ = tty::set_winsize(m.as_raw_fd(), r, c);
            }
            tty::set_nonblocking(m.as_raw_fd())?;
            let input = m.try_clone().map_err(|e| tsrun_sys::error::SysError::from_io(&e, "dup", "pty master"))?;
            ParentStdio { out: m, err: None, input: Some(input) }
        }
        (None, None) => {
            rt.delete();
            return Err(Failure { code: 125, message: format!("OCI runtime {} sent no terminal on the console socket", rt.path) });
        }
    };
    if let Err(f) = rt.start() {
        rt.delete();
        return Err(f);
    }
    Ok(Started { pid, stdio: Some(parent) })
}
