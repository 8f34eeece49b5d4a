//! `exec [--process FILE] [--detach] [--tty] [--console-socket PATH]
//! [--pid-file FILE] [--cwd DIR] [--env K=V]... [--user UID[:GID]]
//! [--additional-gids GID]... [--cap CAP]... [--no-new-privs]
//! [--preserve-fds N] ID [COMMAND [ARG...]]`: one more process in a
//! running container, with its namespaces, cgroup, capabilities, seccomp
//! profile and no_new_privs (tsrun_container::exec_child). In the
//! foreground we wait for it and exit with its code; detached we exit once
//! it runs.
use std::os::fd::AsRawFd;

use serde_json::json;
use tsrun_container::exec_child;
use tsrun_container::stdio::ChildStdio;
use tsrun_sys::oci::Spec;

use crate::args::{self, flag, FlagSpec};
use crate::cmd::{cgroup_of, run, write_atomic};
use crate::state::Status;
use crate::{console, Ctx};

const FLAGS: &[FlagSpec] = &[
    flag(&["process", "p"], true),
    flag(&["detach", "d"], false),
    flag(&["tty", "t"], false),
    flag(&["console-socket"], true),
    flag(&["pid-file"], true),
    flag(&["cwd"], true),
    flag(&["env", "e"], true),
    flag(&["user", "u"], true),
    flag(&["additional-gids", "g"], true),
    flag(&["cap", "c"], true),
    flag(&["no-new-privs"], false),
    flag(&["preserve-fds"], true),
    flag(&["process-label"], true),
    flag(&["apparmor"], true),
    flag(&["cgroup"], true),
    flag(&["ignore-paused"], false),
];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 1)?;
    let Some(id) = p.positional.first().cloned() else {
        return Err("\"exec\" requires at least 1 argument(s): ID [COMMAND...]".into());
    };
    let st = ctx.store.load(&id)?;
    match ctx.store.status(&st) {
        Status::Running | Status::Created => {}
        Status::Paused if p.bool("ignore-paused") => {}
        Status::Paused => {
            return Err(
                "cannot exec in a paused container (pause it again later, or use --ignore-paused)"
                    .into(),
            )
        }
        s => return Err(format!("cannot exec in a {} container", s.as_str())),
    }
    let spec = Spec::load(&st.bundle).map_err(|e| e.to_string())?;
    let process = process_json(&p, &spec)?;
    let terminal = process["terminal"].as_bool().unwrap_or(false);
    let file = ctx
        .store
        .dir(&id)
        .join(format!("exec-{}.json", std::process::id()));
    std::fs::write(&file, process.to_string()).map_err(|e| format!("{}: {e}", file.display()))?;
    let detach = p.bool("detach");
    let socket = p.get("console-socket");
    let (master, child_io) = if terminal {
        if detach && socket.is_none() {
            let _ = std::fs::remove_file(&file);
            return Err(
                "cannot allocate a tty for a detached exec without --console-socket".into(),
            );
        }
        let (parent, child) =
            exec_child::container_pty(st.pid, run::own_winsize()).map_err(|e| e.to_string())?;
        (Some(parent.out), child)
    } else {
        (None, ChildStdio::Inherit)
    };
    let cg = cgroup_of(&st)?;
    let spawned = exec_child::spawn(exec_child::Spawn {
        bundle: &st.bundle,
        spec: &spec,
        process_file: &file,
        user: "",
        pid1: st.pid,
        stdio: child_io,
        cgroup: Some(&cg),
    });
    let _ = std::fs::remove_file(&file);
    let child = spawned.map_err(|f| f.message)?;
    if let Some(pf) = p.get("pid-file") {
        write_atomic(pf, &child.to_string())?;
    }
    let master = match (socket, master) {
        (Some(path), Some(m)) => {
            console::send(path, m.as_raw_fd())?;
            None
        }
        (_, m) => m,
    };
    if detach {
        return Ok(0);
    }
    Ok(run::supervise_child(child, master))
}

/// The OCI process of the exec: `--process FILE` as given, else the
/// container's own (env, cwd, user, capabilities, rlimits) with the flags
/// and the command applied, as runc builds it.
fn process_json(p: &args::Parsed, spec: &Spec) -> Result<serde_json::Value, String> {
    if let Some(f) = p.get("process") {
        let text = std::fs::read(f).map_err(|e| format!("--process {f}: {e}"))?;
        let v: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| format!("--process {f}: {e}"))?;
        if !v["args"].as_array().is_some_and(|a| !a.is_empty()) {
            return Err(format!("--process {f}: args must not be empty"));
        }
        return Ok(v);
    }
    let args: Vec<String> = p.positional[1..].to_vec();
    if args.is_empty() {
        return Err("exec needs a command (or --process FILE)".into());
    }
    let sp = &spec.process;
    let mut env = sp.env.clone();
    for kv in p.all("env") {
        let key = kv.split('=').next().unwrap_or("").to_string();
        env.retain(|e| e.split('=').next() != Some(key.as_str()));
        env.push(kv);
    }
    let (uid, gid) = match p.get("user") {
        Some(u) => {
            let (a, b) = u.split_once(':').unwrap_or((u, "0"));
            (
                a.parse::<u32>()
                    .map_err(|_| format!("--user {u}: expected UID[:GID]"))?,
                b.parse::<u32>()
                    .map_err(|_| format!("--user {u}: expected UID[:GID]"))?,
            )
        }
        None => (sp.user.uid, sp.user.gid),
    };
    let mut gids: Vec<u32> = sp.user.additional_gids.clone();
    for g in p.all("additional-gids") {
        gids.push(
            g.parse()
                .map_err(|_| format!("--additional-gids {g}: not a number"))?,
        );
    }
    let mut caps = sp.capabilities.clone().unwrap_or_default();
    for c in p.all("cap") {
        let name = if c.to_ascii_uppercase().starts_with("CAP_") {
            c.to_ascii_uppercase()
        } else {
            format!("CAP_{}", c.to_ascii_uppercase())
        };
        for set in [
            &mut caps.bounding,
            &mut caps.effective,
            &mut caps.permitted,
            &mut caps.ambient,
        ] {
            if !set.contains(&name) {
                set.push(name.clone());
            }
        }
    }
    Ok(json!({
        "terminal": p.bool("tty"),
        "args": args,
        "env": env,
        "cwd": p.get("cwd").map(str::to_string).unwrap_or_else(|| if sp.cwd.is_empty() { "/".into() } else { sp.cwd.clone() }),
        "user": {"uid": uid, "gid": gid, "additionalGids": gids},
        "capabilities": {"bounding": caps.bounding, "effective": caps.effective, "inheritable": caps.inheritable, "permitted": caps.permitted, "ambient": caps.ambient},
        "noNewPrivileges": p.bool("no-new-privs") || sp.no_new_privileges,
    }))
}
