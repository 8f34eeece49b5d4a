//! `tsrun-shim exec --runtime PATH`: `tsrun exec` in a container another
//! OCI runtime started, through that runtime's `exec --process FILE`.
//!
//! The process file is the engine's (args, env, cwd, terminal) completed
//! with what `docker exec` keeps of the container (capabilities,
//! no_new_privs, rlimits, the AppArmor profile, oom_score_adj) and the user
//! resolved to numbers in the container's own `/etc/passwd` and
//! `/etc/group` (reached through `/proc/PID1/root`, `RESOLVE_IN_ROOT`),
//! `--group-add` names included, `HOME` added when absent: the runtime
//! knows nothing of names.
//!
//! As conmon does, the session is a subreaper and runs the runtime's
//! `exec --detach --pid-file F` (a console socket works only detached):
//! the process, reparented to us, is then ours to reap, signal and relay,
//! through pipes given to the runtime as its stdio, or with a TTY the pty
//! master the runtime sends to our console socket. `-d` without a TTY is
//! the runtime's `exec --detach` and nothing more; with one, the forked half
//! holds the terminal and discards its output, as the native exec does.
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use tsrun_sys::error::SysError;
use tsrun_sys::oci::Spec;
use tsrun_sys::tty;

use tsrun_container::{signals, stdio, Failure};

use crate::console_socket::ConsoleSocket;
use crate::detach::{self, Reporter};
use crate::exec_args::ExecArgs;
use crate::exec_session::container_pid;
use crate::runtime_cli::{self, Runtime};
use crate::{logfile, monitor, runtime_spec};

/// Keys of the container's `process` an exec inherits, as Docker's exec does.
const INHERITED: &[&str] = &["capabilities", "noNewPrivileges", "rlimits", "apparmorProfile", "oomScoreAdj", "selinuxLabel"];

/// The runtime's process file for this exec.
fn process_json(a: &ExecArgs, spec: &Spec, pid1: i32) -> Result<Value, Failure> {
    let text = std::fs::read(&a.process).map_err(|e| SysError::from_io(&e, "read", a.process.display().to_string()))?;
    let mut p: Value = serde_json::from_slice(&text).map_err(|e| Failure { code: 125, message: format!("{}: {e}", a.process.display()) })?;
    let cfg_path = a.bundle.join("config.json");
    let cfg: Value = std::fs::read(&cfg_path)
        .ok()
        .and_then(|t| serde_json::from_slice(&t).ok())
        .unwrap_or(Value::Null);
    for k in INHERITED {
        if p.get(*k).is_none() {
            if let Some(v) = cfg["process"].get(*k) {
                p[*k] = v.clone();
            }
        }
    }
    let extra: Vec<Value> = cfg["process"]["user"]["additionalGids"].as_array().cloned().unwrap_or_default();
    p["user"] = serde_json::json!({"uid": 0, "gid": 0, "additionalGids": extra});
    let user = if a.user.is_empty() { "0" } else { a.user.as_str() };
    let root = std::path::PathBuf::from(format!("/proc/{pid1}/root"));
    runtime_spec::resolve_user(&mut p, Some(user), &spec.group_add_annotation(), &root)?;
    if p["user"]["additionalGids"].as_array().is_some_and(|a| a.is_empty()) {
        p["user"].as_object_mut().map(|o| o.remove("additionalGids"));
    }
    Ok(p)
}

/// Entry from exec_session when `--runtime` is given.
pub fn run(a: &ExecArgs, rep: &mut Reporter) -> Result<i32, Failure> {
    let sigfd = signals::block_and_open()?;
    let spec = Spec::load(&a.bundle)?;
    let pid1 = container_pid(a)?;
    let id = a.id.clone().unwrap_or_else(|| a.state_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let me = std::process::id();
    let rt = Runtime {
        path: a.runtime.clone().unwrap_or_default(),
        root: a.runtime_root.clone(),
        id,
        log: a.state_dir.join(format!("exec-{me}.log")),
        rro: false,
    };
    // The runtime must see the world its `create` saw: a namespace of our
    // own with the same view of the cgroup trees (runtime_start.rs).
    tsrun_sys::ns::unshare(libc::CLONE_NEWNS)?;
    tsrun_sys::mount::set_root_propagation(Some("rslave"))?;
    crate::runtime_start::hide_bare_cgroup2();
    let pfile = a.state_dir.join(format!("exec-{me}.process.json"));
    let p = process_json(a, &spec, pid1)?;
    let terminal = p["terminal"].as_bool().unwrap_or(false);
    std::fs::write(&pfile, serde_json::to_vec(&p).unwrap_or_default()).map_err(|e| SysError::from_io(&e, "write", pfile.display().to_string()))?;
    let result = run_with(a, rep, &rt, &pfile, terminal, &sigfd);
    let _ = std::fs::remove_file(&pfile);
    let _ = std::fs::remove_file(&rt.log);
    result
}

fn run_with(a: &ExecArgs, rep: &mut Reporter, rt: &Runtime, pfile: &Path, terminal: bool, sigfd: &OwnedFd) -> Result<i32, Failure> {
    let foreground = !a.detach;
    if a.detach && !terminal {
        // All of its stdio /dev/null, as `docker exec -d`: a pipe the
        // process inherited from the runtime would outlive us (its errors
        // are in the runtime's log).
        let mut child = rt.spawn_exec(pfile, None, None, [Stdio::null(), Stdio::null(), Stdio::null()])?;
        let status = child.wait().map_err(|e| SysError::from_io(&e, "wait", "OCI runtime exec"))?;
        if !status.success() {
            return Err(rt.failure("exec", &status.to_string(), ""));
        }
        rep.started();
        return Ok(0);
    }
    // As conmon: the runtime's exec detaches (a console socket needs that),
    // and the process, reparented to us, is ours to reap and relay.
    // SAFETY: prctl on ourselves.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(SysError::last("prctl", "PR_SET_CHILD_SUBREAPER").into());
    }
    let pid_file = a.state_dir.join(format!("exec-{}.pid", std::process::id()));
    let result = start_detached(a, rt, pfile, terminal, &pid_file);
    let _ = std::fs::remove_file(&pid_file);
    let (io, pid) = result?;
    rep.started();
    let mut raw = if foreground && terminal && a.stdin && tty::is_tty(0) { tty::RawMode::enter(0).ok() } else { None };
    let mut sink = logfile::LogFile::open(Path::new("/dev/null"))?;
    let opts = monitor::MonitorOpts {
        pid,
        foreground,
        relay_stdin: foreground && a.stdin,
        tty: terminal,
        detach_keys: a.detach_keys.clone().filter(|_| foreground && terminal && a.stdin),
    };
    let mut on_detach = || {
        raw = None;
        detach::leave_terminal(a.detach_fd);
        None
    };
    let exit = monitor::run(sigfd, io, &mut sink, &opts, None, None, &mut on_detach);
    drop(raw);
    Ok(if foreground { exit.code } else { 0 })
}

/// `exec --detach --pid-file F [--tty --console-socket S]`: our side of
/// the process's stdio and its pid, once the runtime has started it.
fn start_detached(a: &ExecArgs, rt: &Runtime, pfile: &Path, terminal: bool, pid_file: &Path) -> Result<(stdio::ParentStdio, i32), Failure> {
    let winsize = [0, 1]
        .into_iter()
        .find_map(|fd| tty::get_winsize(fd).filter(|w| w.ws_row > 0))
        .map(|w| (w.ws_row, w.ws_col))
        .filter(|_| !a.detach);
    let (console, parent, stdio_for_runtime, err_r) = if terminal {
        let sock = ConsoleSocket::bind()?;
        let (r, w) = stdio::pipe()?;
        (Some(sock), None, [Stdio::null(), Stdio::null(), Stdio::from(w)], Some(r))
    } else {
        let (parent, child_io) = stdio::make(false, a.stdin && !a.detach, None)?;
        let stdio::ChildStdio::Pipes { stdin, stdout, stderr } = child_io else { unreachable!("pipes without a terminal") };
        (None, Some(parent), [Stdio::from(stdin), Stdio::from(stdout), Stdio::from(stderr)], None)
    };
    let mut child = rt.spawn_exec(pfile, Some(pid_file), console.as_ref().map(|s| s.path.as_path()), stdio_for_runtime)?;
    let mut master: Option<OwnedFd> = None;
    let status = loop {
        if let Some(sock) = console.as_ref().filter(|_| master.is_none()) {
            master = sock.receive(50);
        }
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if console.is_none() || master.is_some() {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            }
            Err(e) => return Err(SysError::from_io(&e, "wait", "OCI runtime exec").into()),
        }
    };
    if !status.success() {
        let stderr = match (&err_r, &parent) {
            (Some(r), _) => crate::runtime_start::drain(r),
            (None, Some(p)) => p.err.as_ref().map(crate::runtime_start::drain).unwrap_or_default(),
            _ => String::new(),
        };
        return Err(rt.failure("exec", &status.to_string(), &stderr));
    }
    if let Some(sock) = console.as_ref().filter(|_| master.is_none()) {
        master = sock.receive(1000);
    }
    let pid = runtime_cli::read_pid(pid_file)
        .ok_or_else(|| Failure { code: 125, message: format!("OCI runtime {} exec wrote no pid to {}", rt.path, pid_file.display()) })?;
    let io = match (parent, master) {
        (Some(p), _) => p,
        (None, Some(m)) => {
            if let Some((r, c)) = winsize {
                let _ = tty::set_winsize(m.as_raw_fd(), r, c);
            }
            tty::set_nonblocking(m.as_raw_fd())?;
            let input = m.try_clone().map_err(|e| SysError::from_io(&e, "dup", "pty master"))?;
            stdio::ParentStdio { out: m, err: None, input: Some(input) }
        }
        (None, None) => return Err(Failure { code: 125, message: format!("OCI runtime {} sent no terminal on the console socket", rt.path) }),
    };
    Ok((io, pid))
}
