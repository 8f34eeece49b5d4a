//! Creating the container, parent side: stdio, pipes, clone into the new
//! namespaces, then id maps and the cgroup join (while the child sets up its
//! mounts, or waits first when it needs them: see init::setup), then "go" on
//! the sync pipe. With device rules, the child then says "ready" once its
//! /dev is made and waits again: the rules go in then, as runc does, so they
//! can never stop the container's own set-up, and are in place before its
//! exec. Last, wait on the error pipe: EOF means the user's command was
//! exec'ed, a message means set-up or exec failed.
use std::os::fd::{AsRawFd, OwnedFd};

use tsrun_sys::cgroup::{devices, Cgroup, Hierarchy};
use tsrun_sys::error::SysError;
use tsrun_sys::mount::MountContext;
use tsrun_sys::ns::{self, NsPlan};
use tsrun_sys::oci::Spec;

use crate::init::{self, Failure};
use crate::reexec;
use crate::stdio::{self, ParentStdio, StdioPlan};

/// A container whose PID 1 has exec'ed (or, with `created`, waits for `start`).
pub struct Started {
    pub pid: i32,
    /// Our side of its stdio; `None` when it inherited ours.
    pub stdio: Option<ParentStdio>,
}

/// What `start` needs besides the spec.
pub struct StartOpts<'a> {
    pub bundle: &'a std::path::Path,
    pub stdio: StdioPlan,
    pub cgroup: Option<&'a Cgroup>,
    /// An OCI runtime's `create`: return once the init waits at the FIFO.
    pub created: Option<CreateWait<'a>>,
}

/// runc's create (init.rs `Created`), as the parent sees it.
pub struct CreateWait<'a> {
    /// `exec.fifo`, made by the caller; `start` opens it for reading. The
    /// init opens it by name in its directory.
    pub fifo: &'a std::path::Path,
    /// The state JSON the container's hooks read.
    pub state_file: Option<&'a std::path::Path>,
    /// With hooks: runs prestart and createRuntime with the init's pid,
    /// while the init waits before pivot_root.
    pub on_hooks: Option<&'a dyn Fn(i32) -> Result<(), Failure>>,
}

/// Bind sources for a `cgroup` mount: the container's own cgroup directories.
pub fn mount_context(cg: Option<&Cgroup>) -> MountContext {
    let mut ctx = MountContext::default();
    let Some(cg) = cg else { return ctx };
    let pure_v2 = cg.dirs.len() == 1 && matches!(cg.dirs[0].hierarchy, Hierarchy::V2 { .. });
    for d in &cg.dirs {
        let name = if pure_v2 {
            String::new()
        } else {
            d.hierarchy
                .mount()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        if !pure_v2 && name.is_empty() {
            continue;
        }
        ctx.cgroup_binds.push((name, d.dir.clone()));
    }
    ctx
}

/// Everything a pipe gives until EOF (retrying EINTR).
pub(crate) fn read_all(fd: &OwnedFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: read into a local buffer.
        let n = unsafe {
            libc::read(
                fd.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
            )
        };
        if n > 0 {
            out.extend_from_slice(&buf[..n as usize]);
        } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        } else {
            return out;
        }
    }
}

/// What the child reported on the error pipe (a code byte, then the message); None when it exec'ed.
fn child_failure(msg: &[u8]) -> Option<Failure> {
    let (&code, text) = msg.split_first()?;
    Some(Failure {
        code: code as i32,
        message: String::from_utf8_lossy(text).trim().to_string(),
    })
}

/// In the cloned child of a new user namespace: wait for the parent's "go"
/// (the maps are written), then setresgid/setresuid 0 inside it.
fn become_userns_root(sync_r: std::os::fd::RawFd) -> Result<(), ()> {
    let mut b = [0u8; 1];
    // SAFETY: one-byte read, then credential calls on ourselves.
    unsafe {
        if libc::read(sync_r, b.as_mut_ptr() as *mut libc::c_void, 1) != 1 {
            return Err(());
        }
        if libc::setresgid(0, 0, 0) != 0 || libc::setresuid(0, 0, 0) != 0 {
            return Err(());
        }
    }
    Ok(())
}

/// One byte from a pipe; `None` at EOF.
fn read_byte(fd: &OwnedFd) -> Option<u8> {
    let mut b = [0u8; 1];
    loop {
        // SAFETY: one-byte read into a local buffer.
        let n = unsafe { libc::read(fd.as_raw_fd(), b.as_mut_ptr() as *mut libc::c_void, 1) };
        if n == 1 {
            return Some(b[0]);
        }
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return None;
    }
}

/// An O_PATH|O_CLOEXEC fd of `p` (the fifo: opening it for real would block).
fn open_path(p: &std::path::Path) -> Result<OwnedFd, SysError> {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes())
        .map_err(|_| SysError::invalid("open", p.display().to_string(), "nul byte"))?;
    // SAFETY: valid C string.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(SysError::last("open", p.display().to_string()));
    }
    // SAFETY: a fresh fd we own.
    Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) })
}

fn kill_and_reap(pid: i32) {
    // SAFETY: signalling and reaping our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
}

/// Create the container and exec its command. On failure everything made
/// here (child, fds) is gone; the cgroup is the caller's to remove.
pub fn start(spec: &Spec, o: &StartOpts) -> Result<Started, Failure> {
    let plan = NsPlan::new(&spec.linux.namespaces)?;
    // The child enters the container from this sealed copy, never from the
    // host's binary (reexec.rs); we hold it until the child has exec'ed.
    let sealed = reexec::sealed_self()?;
    let (parent_io, child_io) = stdio::for_plan(o.stdio, spec.process.terminal)?;
    let (sync_r, sync_w) = stdio::pipe()?;
    let (err_r, err_w) = stdio::pipe()?;
    // runc's create: the init's "created" notice comes on its own pipe, and
    // it holds an O_PATH fd of the fifo it will block on.
    let created = match &o.created {
        Some(cw) => {
            let (notify_r, notify_w) = stdio::pipe()?;
            let fifo = open_path(cw.fifo.parent().unwrap_or(std::path::Path::new("/")))?;
            Some((cw, notify_r, notify_w, fifo))
        }
        None => None,
    };
    let device_rules = match &spec.linux.resources {
        Some(r) => devices::parse(&r.devices)?,
        None => Vec::new(),
    };
    // The child's "ready" (its /dev is made) comes on its own pipe, only
    // when there are device rules to put in before the exec.
    let ready = match (o.cgroup, device_rules.is_empty()) {
        (Some(cg), false) => Some((cg, stdio::pipe()?)),
        _ => None,
    };
    // Joining a PID namespace only affects children: do it here, and go
    // back to our own right after the clone, so what this monitor forks
    // later (the exit command, a restart) is not born in the other
    // container's namespace, where a fork fails once its init has died.
    let own_pid_ns = if plan.join.iter().any(|(f, _)| *f == libc::CLONE_NEWPID) {
        Some(ns::open_own(libc::CLONE_NEWPID)?)
    } else {
        None
    };
    for (flag, path) in &plan.join {
        if *flag == libc::CLONE_NEWPID {
            ns::join(*flag, path)?;
        }
    }
    let cloned = ns::clone_fork(plan.clone_flags);
    if let Some(fd) = own_pid_ns.as_ref().filter(|_| !matches!(cloned, Ok(0))) {
        ns::join_fd(fd, libc::CLONE_NEWPID)?;
    }
    let pid = cloned?;
    if pid == 0 {
        drop(sync_w);
        drop(err_r);
        // In a new user namespace we hold every capability only until we
        // exec as a uid that is not root there: wait for the id maps, become
        // root of the namespace, and only then exec the sealed copy.
        let synced = plan.new_user() && become_userns_root(sync_r.as_raw_fd()).is_ok();
        let (stdio_word, mut keep) = reexec::encode_stdio(&child_io);
        let mut args = vec![
            reexec::CONTAINER_INIT.to_string(),
            "--bundle".into(),
            o.bundle.display().to_string(),
            "--sync".into(),
            sync_r.as_raw_fd().to_string(),
            "--err".into(),
            err_w.as_raw_fd().to_string(),
            "--sealed".into(),
            sealed.as_raw_fd().to_string(),
            "--stdio".into(),
            stdio_word,
        ];
        keep.extend([sync_r.as_raw_fd(), err_w.as_raw_fd(), sealed.as_raw_fd()]);
        if synced {
            args.extend(["--synced".into(), "1".into()]);
        }
        if let Some((_, (_, w))) = &ready {
            args.extend(["--ready".into(), w.as_raw_fd().to_string()]);
            keep.push(w.as_raw_fd());
        }
        if let Some((cw, _, notify_w, fifo)) = &created {
            args.extend([
                "--created".into(),
                notify_w.as_raw_fd().to_string(),
                "--fifo".into(),
                fifo.as_raw_fd().to_string(),
                "--hooks".into(),
                if cw.on_hooks.is_some() { "1" } else { "0" }.into(),
            ]);
            if let Some(sf) = cw.state_file {
                args.extend(["--state-file".into(), sf.display().to_string()]);
            }
            keep.extend([notify_w.as_raw_fd(), fifo.as_raw_fd()]);
        }
        let f = reexec::exec_sealed(sealed.as_raw_fd(), args, &keep);
        init::report_and_exit(err_w.as_raw_fd(), &f);
    }
    drop(child_io);
    drop(sync_r);
    drop(err_w);
    let ready = ready.map(|(cg, (r, w))| {
        drop(w);
        (cg, r)
    });
    let prepared = (|| -> Result<(), SysError> {
        if plan.new_user() {
            ns::write_id_maps(pid, &spec.linux.uid_mappings, &spec.linux.gid_mappings)?;
        }
        if let Some(cg) = o.cgroup {
            cg.add_pid(pid)?;
        }
        // `--oom-score-adj` is the init's own to set (init.rs), leniently
        // where the host withholds CAP_SYS_RESOURCE, as runc.
        Ok(())
    })();
    if let Err(e) = prepared {
        kill_and_reap(pid);
        // A child that failed its own set-up meanwhile is gone, which is why
        // the join failed: its message is the one that explains.
        return Err(child_failure(&read_all(&err_r)).unwrap_or_else(|| e.into()));
    }
    // SAFETY: one-byte write to our pipe.
    unsafe { libc::write(sync_w.as_raw_fd(), b"g".as_ptr() as *const libc::c_void, 1) };
    let created = created.map(|(cw, notify_r, notify_w, fifo)| {
        drop(notify_w);
        drop(fifo);
        (cw, notify_r)
    });
    if let Some((
        CreateWait {
            on_hooks: Some(hooks),
            ..
        },
        notify_r,
    )) = &created
    {
        // The init waits before pivot_root ("h"); EOF: it failed.
        let ran = if read_byte(notify_r) == Some(b'h') {
            hooks(pid)
        } else {
            Err(child_failure(&read_all(&err_r)).unwrap_or_else(|| {
                SysError::invalid("create", "container init", "exited before its hooks").into()
            }))
        };
        if let Err(f) = ran {
            kill_and_reap(pid);
            return Err(f);
        }
        // SAFETY: one-byte write to our pipe.
        unsafe { libc::write(sync_w.as_raw_fd(), b"g".as_ptr() as *const libc::c_void, 1) };
    }
    if let Some((cg, ready_r)) = &ready {
        // EOF instead of "ready": the child failed; its message follows.
        if !read_all(ready_r).is_empty() {
            if let Err(e) = cg.apply_devices(&device_rules) {
                kill_and_reap(pid);
                return Err(e.into());
            }
            // SAFETY: one-byte write to our pipe.
            unsafe { libc::write(sync_w.as_raw_fd(), b"d".as_ptr() as *const libc::c_void, 1) };
        }
    }
    drop(sync_w);
    if let Some((_, notify_r)) = &created {
        // "c": set up and waiting for `start`. EOF: it failed; why follows.
        if read_byte(notify_r) == Some(b'c') {
            drop(sealed);
            return Ok(Started {
                pid,
                stdio: parent_io,
            });
        }
    }
    if let Some(failure) = child_failure(&read_all(&err_r)) {
        // SAFETY: reaping our child, which _exits right after writing.
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        return Err(failure);
    }
    if created.is_some() {
        kill_and_reap(pid);
        return Err(SysError::invalid("create", "container init", "exited without a word").into());
    }
    drop(sealed);
    Ok(Started {
        pid,
        stdio: parent_io,
    })
}
