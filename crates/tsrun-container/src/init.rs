//! The container init: runs in the cloned child (already in its new
//! namespaces, PID 1 of a new PID namespace) and ends in execve of the user's
//! command, so nothing of ours stays behind as PID 1. Order (contract §1):
//! wait for the parent (cgroup joined, id maps written), setns / late
//! unshare, stdio, mounts (propagation, rootfs mounts, OCI mounts, devices),
//! pivot_root, sysctl, read-only and masked paths, hostname, `lo`, (with
//! device rules: "ready", then wait while the parent sets them), rlimits,
//! user, capabilities, no_new_privs, cwd, seccomp, exec.
//! Seccomp goes in as late as the kernel allows: right before exec when
//! no_new_privs is set; otherwise loading a filter needs CAP_SYS_ADMIN, so
//! it is loaded before the user switch drops capabilities (as runc does),
//! and the profile must then allow what the switch calls (setuid, capset...).
//! Any failure, including the
//! exec's, is sent to the parent over the CLOEXEC error pipe as one byte of
//! exit code plus the message; a successful exec shows as EOF.
//! After pivot_root nothing here may unwrap: every step returns its error.
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

use tsrun_sys::error::{Result, SysError};
use tsrun_sys::mount::{self, MountContext};
use tsrun_sys::ns::{self, NsPlan};
use tsrun_sys::oci::{RootfsMount, Spec};
use tsrun_sys::{exec, user};

use crate::lockdown::Lockdown;

use crate::reaper;
use crate::reexec;
use crate::signals;
use crate::stdio::{self, ChildStdio};

/// Everything the child needs; it lives in the child's copy of our memory.
pub struct ChildCtx<'a> {
    pub spec: &'a Spec,
    pub root: &'a Path,
    pub rootfs_mounts: &'a [RootfsMount],
    pub ns: &'a NsPlan,
    pub mount_ctx: &'a MountContext,
    pub stdio: &'a ChildStdio,
    pub sync_r: RawFd,
    pub err_w: RawFd,
    /// Set when the parent puts device cgroup rules in before the exec: we
    /// write one byte here once our /dev nodes exist, then wait for it.
    pub ready_w: Option<RawFd>,
    /// The sealed copy of this binary we run from: `--init` execs it as the
    /// container's reaper (nothing of the host's is mounted in).
    pub sealed: RawFd,
    /// An OCI runtime's `create`: stop before exec until `start` (see
    /// `Created`); `None` for a monitor, which execs at once.
    pub created: Option<Created>,
    /// The first "go" was read before the exec into us (a new user
    /// namespace: create.rs `become_userns_root`).
    pub synced: bool,
}

/// runc's create/start split, as the init sees it. We write `h` on
/// `notify_w` before pivot_root and wait for the parent to have run the
/// prestart/createRuntime hooks (only when `hooks`), then run the
/// createContainer hooks ourselves; once set up, with the command found in
/// the container, we write `c` and close `notify_w` (the parent's `create`
/// is done), block opening the FIFO for writing until `start` opens it for
/// reading, write a byte, run the startContainer hooks and exec. From `c`
/// on there is no parent to report to: failures go to our stderr.
pub struct Created {
    pub notify_w: RawFd,
    /// An O_PATH fd of the state directory, where `exec.fifo` is opened by
    /// name (openat): no /proc needed after pivot_root or chroot.
    pub fifo: RawFd,
    pub hooks: bool,
    /// The container's state JSON for the hooks' stdin (written by the parent).
    pub state_file: Option<std::path::PathBuf>,
}

/// A failure with the exit code the shim will use.
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl From<SysError> for Failure {
    fn from(e: SysError) -> Self {
        Failure {
            code: 125,
            message: e.to_string(),
        }
    }
}

/// Entry point in the child; never returns.
pub fn child_main(c: &ChildCtx) -> ! {
    let (env, lockdown, hook_state) = match setup(c) {
        Ok(done) => done,
        Err(f) => report_and_exit(c.err_w, &f),
    };
    let args = if reaper::wanted(c.spec) {
        reaper::wrap_args(&c.spec.process.args)
    } else {
        c.spec.process.args.clone()
    };
    // The command is looked up now, so a missing one fails `create` (as runc).
    let path = if reaper::wanted(c.spec) {
        None
    } else {
        match args.first().map(|a0| exec::lookup(a0, &env)) {
            None => report_and_exit(
                c.err_w,
                &Failure {
                    code: 125,
                    message: "exec: no command given".into(),
                },
            ),
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => report_and_exit(
                c.err_w,
                &Failure {
                    code: e.code,
                    message: e.message,
                },
            ),
        }
    };
    let err_w = match &c.created {
        Some(cp) => {
            wait_for_start(c, cp, hook_state.as_deref());
            2
        }
        None => c.err_w,
    };
    if let Err(e) = lockdown.after_user_switch() {
        report_and_exit(err_w, &e.into());
    }
    let f = match path {
        None => tsrun_sys::sealed::exec_fd(c.sealed, &args, &env).into(),
        Some(p) => {
            let e = exec::exec_path(&p, &args, &env);
            Failure {
                code: e.code,
                message: e.message,
            }
        }
    };
    report_and_exit(err_w, &f)
}

/// `create` is done: say so, wait for `start`, run the startContainer
/// hooks. Failures from here on are the container's own (stderr, exit).
fn wait_for_start(c: &ChildCtx, cp: &Created, hook_state: Option<&str>) {
    // SAFETY: one-byte write to our pipe, then closing both pipes to the
    // parent, which returns from `create` now.
    unsafe {
        libc::write(cp.notify_w, b"c".as_ptr() as *const libc::c_void, 1);
        libc::close(cp.notify_w);
        libc::close(c.err_w);
    }
    let name = c"exec.fifo";
    // SAFETY: openat relative to our O_PATH directory fd.
    let fd = unsafe { libc::openat(cp.fifo, name.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        report_and_exit(2, &SysError::last("open", "exec fifo").into());
    }
    // SAFETY: one byte to the fifo we opened, then closing it.
    let wrote = unsafe { libc::write(fd, b"0".as_ptr() as *const libc::c_void, 1) };
    unsafe { libc::close(fd) };
    if wrote != 1 {
        report_and_exit(2, &SysError::last("write", "exec fifo").into());
    }
    // SAFETY: closing our O_PATH fd of the state directory.
    unsafe { libc::close(cp.fifo) };
    if let Some(h) = c
        .spec
        .hooks
        .as_ref()
        .filter(|h| !h.start_container.is_empty())
    {
        if let Err(e) = crate::hooks::run(
            "startContainer",
            &h.start_container,
            hook_state.unwrap_or("{}"),
        ) {
            report_and_exit(2, &e.into());
        }
    }
}

/// `tsrun-shim container-init ...`: the container init, exec'ed by the
/// cloned child from the sealed copy (reexec.rs). Loads the bundle again,
/// derives what the parent derived, and goes on as `child_main`.
pub fn reexec_main(argv: Vec<String>) -> ! {
    reexec::make_undumpable();
    let words = match reexec::Words::parse(argv) {
        Ok(w) => w,
        Err(msg) => fail_early(&msg),
    };
    let Ok(Some(err_w)) = words.fd("err") else {
        fail_early("container-init: missing --err")
    };
    let f = match reexec_run(&words, err_w) {
        Ok(never) => match never {},
        Err(f) => f,
    };
    report_and_exit(err_w, &f)
}

/// No error pipe to report on: say it on stderr, as any usage error.
fn fail_early(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(125)
}

fn reexec_run(
    w: &reexec::Words,
    err_w: RawFd,
) -> std::result::Result<std::convert::Infallible, Failure> {
    let usage = |m: String| Failure {
        code: 125,
        message: format!("container-init: {m}"),
    };
    let bundle = Path::new(w.need("bundle").map_err(usage)?);
    let sync_r = w
        .fd("sync")
        .map_err(usage)?
        .ok_or_else(|| usage("missing --sync".into()))?;
    let sealed = w
        .fd("sealed")
        .map_err(usage)?
        .ok_or_else(|| usage("missing --sealed".into()))?;
    let ready_w = w.fd("ready").map_err(usage)?;
    let stdio = reexec::decode_stdio(w.need("stdio").map_err(usage)?).map_err(usage)?;
    let created = match (
        w.fd("created").map_err(usage)?,
        w.fd("fifo").map_err(usage)?,
    ) {
        (Some(notify_w), Some(fifo)) => Some(Created {
            notify_w,
            fifo,
            hooks: w.get("hooks") == Some("1"),
            state_file: w.get("state-file").map(std::path::PathBuf::from),
        }),
        _ => None,
    };
    let spec = Spec::load(bundle)?;
    let root = spec.root_path(bundle);
    let rootfs_mounts = spec.rootfs_mounts()?;
    let plan = NsPlan::new(&spec.linux.namespaces)?;
    // Only a `cgroup` mount needs the container's cgroup dirs.
    let cgroup = match spec.linux.cgroups_path.as_deref().filter(|p| !p.is_empty()) {
        Some(p)
            if spec
                .mounts
                .iter()
                .any(|m| m.kind.as_deref() == Some("cgroup")) =>
        {
            Some(tsrun_sys::cgroup::Cgroup::for_host(p)?)
        }
        _ => None,
    };
    let mount_ctx = crate::create::mount_context(cgroup.as_ref());
    let ctx = ChildCtx {
        spec: &spec,
        root: &root,
        rootfs_mounts: &rootfs_mounts,
        ns: &plan,
        mount_ctx: &mount_ctx,
        stdio: &stdio,
        sync_r,
        err_w,
        ready_w,
        sealed,
        created,
        synced: w.get("synced") == Some("1"),
    };
    child_main(&ctx)
}

/// Send a set-up or exec failure to the parent over the CLOEXEC error pipe
/// (one byte of exit code, then the message) and leave at once, without
/// running the parent's atexit handlers or destructors. Used by the
/// container init and by exec alike.
pub fn report_and_exit(err_w: RawFd, f: &Failure) -> ! {
    let mut msg = vec![f.code as u8];
    msg.extend_from_slice(f.message.as_bytes());
    // SAFETY: writing a local buffer to our pipe, then _exit.
    unsafe {
        libc::write(err_w, msg.as_ptr() as *const libc::c_void, msg.len());
        libc::_exit(f.code)
    }
}

fn wait_for_parent(fd: RawFd) -> Result<()> {
    let mut b = [0u8; 1];
    loop {
        // SAFETY: one-byte read into a local buffer.
        let n = unsafe { libc::read(fd, b.as_mut_ptr() as *mut libc::c_void, 1) };
        if n == 1 {
            return Ok(());
        }
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return Err(SysError::invalid(
            "sync",
            "parent",
            "monitor went away before start",
        ));
    }
}

/// All set-up up to exec but the last lockdown step; returns the
/// environment to exec with, the lockdown to finish, and the state JSON the
/// hooks read (when there are hooks).
fn setup(c: &ChildCtx) -> std::result::Result<(Vec<String>, Lockdown, Option<String>), Failure> {
    signals::reset_for_exec();
    // The parent writes id maps and moves us into the cgroup meanwhile. A
    // user namespace needs its maps before anything else; otherwise the
    // mounts below need neither, and run while the kernel completes the
    // cgroup move (on cgroup v1 a move waits out an RCU grace period, some
    // 10 ms): we wait for it only before the cgroup namespace (rooted where
    // we are when it is made), rlimits, capabilities and exec.
    // Hooks pause us before pivot_root: the first "go" must be read first.
    let hooks = c.created.as_ref().is_some_and(|cp| cp.hooks);
    let wait_early = c.ns.new_user() || hooks;
    if wait_early && !c.synced {
        wait_for_parent(c.sync_r)?;
    }
    let lockdown = Lockdown::from_spec(c.spec)?;
    for (flag, path) in &c.ns.join {
        if *flag != libc::CLONE_NEWPID {
            ns::join(*flag, path)?;
        }
    }
    stdio::install(c.stdio)?;
    let spec = c.spec;
    let new_mount_ns = c.ns.clone_flags & libc::CLONE_NEWNS != 0
        || c.ns.join.iter().any(|(f, _)| *f == libc::CLONE_NEWNS);
    let hook_state = if new_mount_ns {
        prepare_rootfs(c)?
    } else {
        share_host_mounts(c)?
    };
    // From here on we are inside the container's root.
    for (k, v) in &spec.linux.sysctl {
        let p = format!("/proc/sys/{}", k.replace('.', "/"));
        std::fs::write(&p, v).map_err(|e| SysError::from_io(&e, "write", p.clone()))?;
    }
    for p in &spec.linux.readonly_paths {
        mount::readonly_path(p)?;
    }
    for p in &spec.linux.masked_paths {
        mount::mask_path(p)?;
    }
    if spec.root.as_ref().is_some_and(|r| r.readonly) {
        mount::remount_root_readonly()?;
    }
    if c.ns.new_uts() {
        if let Some(h) = spec.hostname.as_deref().filter(|h| !h.is_empty()) {
            ns::set_hostname(h)?;
        }
    }
    if c.ns.new_net() {
        ns::loopback_up()?;
    }
    if !wait_early {
        wait_for_parent(c.sync_r)?;
    }
    // The cgroup namespace is rooted at the cgroup we are in when we make
    // it: only now, after the parent moved us into the container's.
    if c.ns.unshare_late != 0 {
        ns::unshare(c.ns.unshare_late)?;
    }
    if let Some(fd) = c.ready_w {
        // Our own set-up (mknod of /dev, the console bind) is done: the
        // device rules may go in now, and must before anything of the
        // user's runs.
        // SAFETY: one-byte write to our pipe, then closing it.
        unsafe {
            libc::write(fd, b"r".as_ptr() as *const libc::c_void, 1);
            libc::close(fd);
        }
        wait_for_parent(c.sync_r)?;
    }
    crate::rlimit::apply(&spec.process.rlimits)?;
    if let Some(adj) = spec.process.oom_score_adj {
        set_oom_score_adj(adj)?;
    }
    let user = plan_user(c)?;
    lockdown.before_user_switch()?;
    let env = switch_user(c, user)?;
    Ok((env, lockdown, hook_state))
}

/// Mounts up to and including pivot_root (with hooks: the createContainer
/// point just before it). Answers the hooks' state JSON when there are hooks.
fn prepare_rootfs(c: &ChildCtx) -> Result<Option<String>> {
    let spec = c.spec;
    mount::set_root_propagation(spec.linux.rootfs_propagation.as_deref())?;
    mount::mount_rootfs(
        c.root,
        c.rootfs_mounts,
        spec.linux.rootfs_propagation.as_deref(),
    )?;
    let rootfd = mount::open_root(c.root)?;
    for m in &spec.mounts {
        mount::mount_oci(rootfd.as_raw_fd(), m, c.mount_ctx)?;
    }
    let devices = spec
        .linux
        .devices
        .clone()
        .unwrap_or_else(mount::default_devices);
    for d in &devices {
        mount::create_device(rootfd.as_raw_fd(), d)?;
    }
    mount::create_dev_symlinks(rootfd.as_raw_fd())?;
    if let ChildStdio::Pty { path, .. } = c.stdio {
        mount::bind_console(rootfd.as_raw_fd(), path)?;
    }
    drop(rootfd);
    let hook_state = match &c.created {
        Some(cp) if cp.hooks => Some(create_container_hooks(c, cp)?),
        _ => None,
    };
    mount::pivot_root(c.root)?;
    mount::final_root_propagation(spec.linux.rootfs_propagation.as_deref())?;
    Ok(hook_state)
}

/// No mount namespace (the spec shares the runtime's, as the OCI spec
/// allows): nothing may be mounted or pivoted (it would be the host's),
/// so the root is entered with chroot, as runc does. Masked and read-only
/// paths cannot be had without a mount namespace of our own: refused. (The
/// runtime warns that `mounts` are not made.)
fn share_host_mounts(c: &ChildCtx) -> Result<Option<String>> {
    let spec = c.spec;
    if !spec.linux.masked_paths.is_empty() || !spec.linux.readonly_paths.is_empty() {
        return Err(SysError::invalid(
            "namespace",
            "mount",
            "maskedPaths and readonlyPaths need a mount namespace of the container's own",
        ));
    }
    let hook_state = match &c.created {
        Some(cp) if cp.hooks => Some(create_container_hooks(c, cp)?),
        _ => None,
    };
    let root = std::ffi::CString::new(c.root.as_os_str().as_encoded_bytes())
        .map_err(|_| SysError::invalid("chroot", c.root.display().to_string(), "nul byte"))?;
    // SAFETY: chroot and chdir with a valid C string.
    if unsafe { libc::chroot(root.as_ptr()) } != 0 {
        return Err(SysError::last("chroot", c.root.display().to_string()));
    }
    std::env::set_current_dir("/").map_err(|e| SysError::from_io(&e, "chdir", "/"))?;
    Ok(hook_state)
}

/// Let the parent run the prestart and createRuntime hooks, then run the
/// createContainer hooks here: in the container's namespaces, before
/// pivot_root, so their paths resolve in the runtime's root.
fn create_container_hooks(c: &ChildCtx, cp: &Created) -> Result<String> {
    // SAFETY: one-byte write to our pipe.
    unsafe { libc::write(cp.notify_w, b"h".as_ptr() as *const libc::c_void, 1) };
    wait_for_parent(c.sync_r)?;
    let state = match &cp.state_file {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| SysError::from_io(&e, "read", p.display().to_string()))?,
        None => "{}".to_string(),
    };
    if let Some(h) = &c.spec.hooks {
        crate::hooks::run("createContainer", &h.create_container, &state)?;
    }
    Ok(state)
}

/// `process.oomScoreAdj`. Lowering it below what we have needs
/// CAP_SYS_RESOURCE, which some hosts withhold even from root: then the
/// container keeps the current value (the runtime warned at create) rather
/// than failing, as a score is advice to the OOM killer, not isolation.
pub(crate) fn set_oom_score_adj(adj: i32) -> Result<()> {
    let path = "/proc/self/oom_score_adj";
    match std::fs::write(path, adj.to_string()) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EACCES) && oom_score_adj_now().is_some_and(|now| adj < now) => Ok(()),
        Err(e) => Err(SysError::from_io(&e, "write", path)),
    }
}

/// Our own current oom_score_adj.
pub fn oom_score_adj_now() -> Option<i32> {
    std::fs::read_to_string("/proc/self/oom_score_adj").ok()?.trim().parse().ok()
}

/// Who the process will be, and where: resolved and prepared while we
/// are still root and before any seccomp filter is in (a profile may
/// refuse the calls this takes, such as openat2).
struct UserPlan {
    uid: u32,
    gid: u32,
    groups: Vec<u32>,
    env: Vec<String>,
    cwd: String,
}

/// Resolve the user (HOME added to the environment) and create the
/// working directory when missing (as Docker does).
fn plan_user(c: &ChildCtx) -> Result<UserPlan> {
    let p = &c.spec.process;
    let resolved = match c.spec.user_annotation() {
        Some(u) => user::resolve_in_container(u)?,
        None => {
            // Numeric ids from the spec; only HOME is looked up.
            let home = user::resolve_in_container(&p.user.uid.to_string())
                .map(|u| u.home)
                .unwrap_or_else(|_| "/".into());
            user::ResolvedUser {
                uid: p.user.uid,
                gid: p.user.gid,
                additional_gids: Vec::new(),
                home,
            }
        }
    };
    let mut groups = resolved.additional_gids.clone();
    // `--group-add`: numbers in the spec, names resolved here (after pivot_root).
    let named = user::resolve_groups_in_container(&c.spec.group_add_annotation())?;
    for g in p.user.additional_gids.iter().chain(&named) {
        if !groups.contains(g) {
            groups.push(*g);
        }
    }
    let mut env = p.env.clone();
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        env.push(format!("HOME={}", resolved.home));
    }
    let cwd = if p.cwd.is_empty() {
        "/".to_string()
    } else {
        p.cwd.clone()
    };
    let root = mount::open_root(Path::new("/"))?;
    mount::mkdir_all_in_root(root.as_raw_fd(), &cwd, 0o755)?;
    Ok(UserPlan {
        uid: resolved.uid,
        gid: resolved.gid,
        groups,
        env,
        cwd,
    })
}

/// Enter cwd while still root, then drop to the user keeping the
/// configured capabilities. Returns the final environment.
fn switch_user(c: &ChildCtx, plan: UserPlan) -> Result<Vec<String>> {
    let p = &c.spec.process;
    std::env::set_current_dir(&plan.cwd)
        .map_err(|e| SysError::from_io(&e, "chdir", plan.cwd.clone()))?;
    crate::identity::drop_privileges(plan.uid, plan.gid, &plan.groups, p.capabilities.as_ref())?;
    if let Some(m) = p.user.umask {
        // SAFETY: umask cannot fail.
        unsafe { libc::umask(m as libc::mode_t) };
    }
    Ok(plan.env)
}
