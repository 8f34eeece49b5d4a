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
//! The session stays the parent of the runtime's `exec` (which stays the
//! parent of the process and exits with its code): stdio through pipes we
//! relay, or with a TTY the pty master the runtime sends to our console
//! socket; signals go to the runtime's exec, which passes them on. `-d`
//! without a TTY is the runtime's own `exec --detach`; with one, the forked
//! half holds the terminal and discards its output, as the native exec does.
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
    };
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
        let out = rt.spawn_exec(pfile, true, None, [Stdio::null(), Stdio::null(), Stdio::piped()])?;
        let res = out.wait_with_output().map_err(|e| SysError::from_io(&e, "wait", "OCI runtime exec"))?;
        if !res.status.success() {
            return Err(rt.failure("exec", &res.status.to_string(), &String::from_utf8_lossy(&res.stderr)));
        }
        rep.started();
        return Ok(0);
    }
    let winsize = [0, 1].into_iter().find_map(|fd| tty::get_winsize(fd).filter(|w| w.ws_row > 0)).map(|w| (w.ws_row, w.ws_col)).filter(|_| foreground);
    let (io, child_pid) = if terminal {
        let sock = ConsoleSocket::bind()?;
        let (err_r, err_w) = stdio::pipe()?;
        let mut child = rt.spawn_exec(pfile, false, Some(&sock.path), [Stdio::null(), Stdio::null(), Stdio::from(err_w)])?;
        let master = loop {
            if let Some(m) = sock.receive(50) {
                break m;
            }
            if let Ok(Some(st)) = child.try_wait() {
                let mut buf = [0u8; 4096];
                let _ = tty::set_nonblocking(err_r.as_raw_fd());
                let n = match crate::relay::read_some(err_r.as_raw_fd(), &mut buf) {
                    crate::relay::Read::Data(n) => n,
                    _ => 0,
                };
                return Err(rt.failure("exec", &st.to_string(), &String::from_utf8_lossy(&buf[..n])));
            }
        };
        drop(err_r);
        if let Some((r, c)) = winsize {
            let _ = tty::set_winsize(master.as_raw_fd(), r, c);
        }
        tty::set_nonblocking(master.as_raw_fd())?;
        let input = master.try_clone().map_err(|e| SysError::from_io(&e, "dup", "pty master"))?;
        (stdio::ParentStdio { out: master, err: None, input: Some(input) }, child.id() as i32)
    } else {
        let (parent, child_io) = stdio::make(false, a.stdin && foreground, None)?;
        let stdio::ChildStdio::Pipes { stdin, stdout, stderr } = child_io else { unreachable!("pipes without a terminal") };
        let child = rt.spawn_exec(pfile, false, None, [Stdio::from(stdin), Stdio::from(stdout), Stdio::from(stderr)])?;
        (parent, child.id() as i32)
    };
    rep.started();
    let mut raw = if foreground && terminal && a.stdin && tty::is_tty(0) { tty::RawMode::enter(0).ok() } else { None };
    let mut sink = logfile::LogFile::open(Path::new("/dev/null"))?;
    let opts = monitor::MonitorOpts {
        pid: child_pid,
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
    // The runtime's own failure (the command not found, ...): its message
    // went to our stderr with the process's; the code is Docker's for it.
    if exit.code != 0 {
        if let Some(msg) = runtime_cli::logged_error(&rt.log) {
            if terminal {
                eprintln!("{msg}");
            }
            return Ok(runtime_cli::code_for(&msg));
        }
    }
    Ok(if foreground { exit.code } else { 0 })
}
