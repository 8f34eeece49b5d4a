//! `create [--bundle DIR] [--console-socket PATH] [--pid-file FILE]
//! [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID`: the container's
//! namespaces, cgroup, mounts and init, which then waits (at exec.fifo)
//! for `start`. The init inherits our stdio, or gets a pty whose master
//! goes to `--console-socket`. We exit once the init waits; it is then the
//! child of whoever reaps orphans for us (a monitor that is a subreaper).
use std::os::fd::AsRawFd;

use tsrun_container::create::{self, CreateWait, StartOpts};
use tsrun_container::stdio::StdioPlan;
use tsrun_container::Failure;

use crate::args::{self, flag, FlagSpec, Parsed};
use crate::cmd::{bundle_dir, cgroups_path, load_spec, one_id, write_atomic};
use crate::state::{now_rfc3339, State, OCI_VERSION};
use crate::{console, hooks, Ctx};

pub const FLAGS: &[FlagSpec] = &[
    flag(&["bundle", "b"], true),
    flag(&["console-socket"], true),
    flag(&["pid-file"], true),
    flag(&["no-pivot"], false),
    flag(&["no-new-keyring"], false),
    flag(&["preserve-fds"], true),
];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "create")?;
    create(ctx, &p, &id, false).map(|_| 0)
}

/// A created container; with `foreground` (run without --detach) we stay
/// its parent, and keep the pty master when no console socket took it.
pub struct Made {
    pub state: State,
    pub master: Option<std::os::fd::OwnedFd>,
}

/// create's work, shared with `run`.
pub fn create(ctx: &Ctx, p: &Parsed, id: &str, foreground: bool) -> Result<Made, String> {
    let bundle = bundle_dir(p)?;
    let mut spec = load_spec(ctx, &bundle)?;
    allow_standard_devices(&mut spec);
    let socket = p.get("console-socket");
    let plan = match (spec.process.terminal, socket) {
        (true, Some(_)) => StdioPlan::Terminal {
            winsize: spec.process.console_size.map(|c| (c.height, c.width)),
        },
        (true, None) if foreground => StdioPlan::Terminal {
            winsize: crate::cmd::run::own_winsize(),
        },
        (true, None) => {
            return Err(
                "cannot allocate a tty without --console-socket (process.terminal is true)".into(),
            )
        }
        (false, Some(_)) => return Err("--console-socket needs process.terminal to be true".into()),
        (false, None) => StdioPlan::Inherit,
    };
    if let (Some(adj), Some(now)) = (
        spec.process.oom_score_adj,
        tsrun_container::init::oom_score_adj_now(),
    ) {
        if adj < now && !has_cap_sys_resource() {
            ctx.log.warn(&format!("process.oomScoreAdj {adj} is below ours ({now}) and this host withholds CAP_SYS_RESOURCE: the container keeps {now}"));
        }
    }
    if spec.namespace("mount").is_none() && !spec.mounts.is_empty() {
        ctx.log.warn("the container shares the host's mount namespace: its mounts are not made (they would be the host's)");
    }
    if p.has("no-pivot") {
        ctx.log
            .debug("--no-pivot: tsrun-runtime always uses pivot_root");
    }
    std::fs::create_dir_all(&ctx.store.root)
        .map_err(|e| format!("--root {}: {e}", ctx.store.root.display()))?;
    let dir = ctx.store.dir(id);
    match std::fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(format!("container with id exists: {id}"))
        }
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    }
    let made = (|| {
        let fifo = ctx.store.fifo(id);
        mkfifo(&fifo)?;
        let cgroups_path = cgroups_path(&spec, id);
        let cg = tsrun_sys::cgroup::Cgroup::for_host(&cgroups_path).map_err(|e| e.to_string())?;
        // Another container (of another --root, or one that outlived its
        // state) may already live there: joining it would mix the two.
        let missing = tsrun_sys::cgroup::prepare(
            &cg,
            &cgroups_path,
            spec.linux.resources.as_ref(),
            tsrun_sys::cgroup::Busy::Refuse,
        )
        .map_err(|e| e.to_string())?;
        for m in missing {
            ctx.log
                .warn(&format!("{m} limits are not enforced on this host"));
        }
        let mut st = State {
            oci_version: OCI_VERSION.into(),
            id: id.into(),
            pid: 0,
            pid_start_time: 0,
            rootfs: spec.root_path(&bundle),
            bundle: bundle.clone(),
            created: now_rfc3339(),
            owner: String::new(),
            annotations: spec.annotations.clone(),
            cgroups_path,
        };
        ctx.store.save(&st).map_err(|e| e.to_string())?;
        // The OCI state the container's own hooks read (createContainer,
        // startContainer), written with the init's pid once it is known.
        let state_file = ctx.store.dir(id).join("hook-state.json");
        let has_hooks = spec.hooks.as_ref().is_some_and(|h| {
            !(h.prestart.is_empty() && h.create_runtime.is_empty() && h.create_container.is_empty())
        });
        let on_hooks = |pid: i32| -> Result<(), Failure> {
            let mut with_pid = st.clone();
            with_pid.pid = pid;
            ctx.store.save(&with_pid)?;
            std::fs::write(
                &state_file,
                hooks::state_json(&with_pid, crate::state::Status::Created),
            )
            .map_err(|e| {
                tsrun_sys::error::SysError::from_io(&e, "write", state_file.display().to_string())
            })?;
            hooks::create_runtime(spec.hooks.as_ref().expect("hooks present"), &with_pid).map_err(
                |m| Failure {
                    code: 1,
                    message: m,
                },
            )
        };
        let started = create::start(
            &spec,
            &StartOpts {
                bundle: &bundle,
                stdio: plan,
                cgroup: Some(&cg),
                created: Some(CreateWait {
                    fifo: &fifo,
                    state_file: Some(&state_file),
                    on_hooks: if has_hooks { Some(&on_hooks) } else { None },
                }),
            },
        )
        .map_err(|f| f.message)?;
        st.pid = started.pid;
        st.pid_start_time = tsrun_sys::procfs::pid_start_time(started.pid).unwrap_or(0);
        ctx.store.save(&st).map_err(|e| e.to_string())?;
        if let Some(pf) = p.get("pid-file") {
            write_atomic(pf, &started.pid.to_string())?;
        }
        let mut master = started.stdio.map(|s| s.out);
        if let (Some(path), Some(m)) = (socket, &master) {
            console::send(path, m.as_raw_fd())?;
            master = None;
        }
        Ok(Made { state: st, master })
    })();
    if made.is_err() {
        if let Ok(st) = ctx.store.load(id) {
            if st.pid > 0 {
                // SAFETY: killing the init we made.
                unsafe { libc::kill(st.pid, libc::SIGKILL) };
            }
            if let Ok(cg) = tsrun_sys::cgroup::Cgroup::for_host(&st.cgroups_path) {
                let _ = cg.remove();
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    made
}

fn mkfifo(path: &std::path::Path) -> Result<(), String> {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| "fifo path has a nul byte".to_string())?;
    // SAFETY: valid C string; 0622 as runc: only the init writes, as any uid.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o622) } != 0 {
        return Err(format!(
            "mkfifo {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    // The umask cut the mode: set it.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o622))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// What runc appends to a container's device cgroup rules when it restricts
/// devices at all (libcontainer/specconv `AllowedDevices`), after the
/// nodes of `linux.devices` themselves: mknod of any node, the standard
/// devices (null, zero, full, random, urandom, tty, console), ptys and
/// /dev/ptmx, /dev/net/tun. Without these a deny-all rule leaves no
/// /dev/null for the shell.
fn allow_standard_devices(spec: &mut tsrun_sys::oci::Spec) {
    use tsrun_sys::oci::DeviceRule;
    let Some(r) = spec.linux.resources.as_mut() else {
        return;
    };
    if r.devices.is_empty() {
        return;
    }
    let rule = |kind: &str, major: Option<i64>, minor: Option<i64>, access: &str| DeviceRule {
        allow: true,
        kind: Some(kind.into()),
        major,
        minor,
        access: Some(access.into()),
    };
    for d in spec.linux.devices.iter().flatten() {
        if d.kind == "c" || d.kind == "b" || d.kind == "u" {
            r.devices.push(rule(
                if d.kind == "b" { "b" } else { "c" },
                Some(d.major),
                Some(d.minor),
                "rwm",
            ));
        }
    }
    r.devices.push(rule("c", None, None, "m"));
    r.devices.push(rule("b", None, None, "m"));
    for (major, minor) in [
        (1, 3),
        (1, 8),
        (1, 7),
        (5, 0),
        (1, 5),
        (1, 9),
        (5, 1),
        (5, 2),
        (10, 200),
    ] {
        r.devices.push(rule("c", Some(major), Some(minor), "rwm"));
    }
    r.devices.push(rule("c", Some(136), None, "rwm"));
}

/// Whether we hold CAP_SYS_RESOURCE (bit 24 of CapEff).
fn has_cap_sys_resource() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:").map(|v| v.trim().to_string()))
        })
        .and_then(|hex| u64::from_str_radix(&hex, 16).ok())
        .is_some_and(|caps| caps & (1 << 24) != 0) // CAP_SYS_RESOURCE
}
