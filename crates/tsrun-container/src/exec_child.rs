//! The process `tsrun exec` starts, from the moment it runs from the sealed
//! copy (reexec.rs): `exec-child --bundle DIR --process FILE --user USER
//! --sync FD --err FD --stdio WORD --join NAME=FLAG:FD,...`. It waits for
//! its parent to have put it in the container's cgroup, joins the
//! container's namespaces by the fds its parent opened (user, ipc, uts,
//! net, cgroup, and mount last: it moves root and cwd), installs its stdio,
//! becomes the user with the container's capabilities, no_new_privs and
//! seccomp profile, and execs the command. Failures go to the parent over
//! the CLOEXEC error pipe as one code byte and a line.
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use tsrun_sys::error::SysError;
use tsrun_sys::exec;
use tsrun_sys::oci::{Process, Spec};

use crate::init::Failure;
use crate::lockdown::Lockdown;
use crate::stdio::{self, ChildStdio};
use crate::{identity, reexec, signals};

/// setns on an fd we hold, naming the namespace in errors.
pub fn setns(fd: RawFd, flag: libc::c_int, what: &str) -> Result<(), SysError> {
    // SAFETY: setns on an fd we opened.
    if unsafe { libc::setns(fd, flag) } != 0 {
        return Err(SysError::last("setns", what));
    }
    Ok(())
}

/// The OCI `process` JSON of an exec (args, env, cwd, terminal).
pub fn read_process(path: &Path) -> Result<Process, Failure> {
    let text = std::fs::read(path)
        .map_err(|e| SysError::from_io(&e, "read", path.display().to_string()))?;
    let p: Process = serde_json::from_slice(&text).map_err(|e| {
        SysError::invalid(
            "parse",
            path.display().to_string(),
            e.to_string().to_lowercase(),
        )
    })?;
    if p.args.is_empty() {
        return Err(SysError::invalid("parse", path.display().to_string(), "args is empty").into());
    }
    Ok(p)
}

/// In the child: wait for the cgroup join, enter the namespaces, stdio,
/// identity. Returns the environment to exec with.
pub fn child_setup(
    user: &str,
    spec: &Spec,
    process: &Process,
    joins: &[(libc::c_int, String, OwnedFd)],
    io: &ChildStdio,
    sync_r: RawFd,
) -> Result<Vec<String>, Failure> {
    signals::reset_for_exec();
    let mut b = [0u8; 1];
    // SAFETY: one-byte read into a local buffer.
    if unsafe { libc::read(sync_r, b.as_mut_ptr() as *mut libc::c_void, 1) } != 1 {
        return Err(SysError::invalid("sync", "parent", "exec shim went away").into());
    }
    // The container's seccomp profile and no_new_privs bind exec'd processes
    // too, as in Docker.
    let lockdown = Lockdown::from_spec(spec)?;
    for (flag, name, fd) in joins {
        if *flag != libc::CLONE_NEWPID {
            setns(fd.as_raw_fd(), *flag, name)?;
        }
    }
    stdio::install(io)?;
    crate::rlimit::apply(&spec.process.rlimits)?;
    lockdown.before_user_switch()?;
    let user = if user.is_empty() { "0" } else { user };
    let cwd = if process.cwd.is_empty() {
        "/"
    } else {
        process.cwd.as_str()
    };
    let env = identity::become_user(user, &process.env, cwd, spec.process.capabilities.as_ref())?;
    lockdown.after_user_switch()?;
    Ok(env)
}

/// `tsrun-shim exec-child ...`: the exec'd process-to-be, run from the
/// sealed copy (reexec.rs): joins the namespaces by the fds its parent
/// opened, becomes the user, and execs the command.
pub fn main(argv: Vec<String>) -> ! {
    reexec::make_undumpable();
    let words = match reexec::Words::parse(argv) {
        Ok(w) => w,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(125)
        }
    };
    let Ok(Some(err_w)) = words.fd("err") else {
        eprintln!("exec-child: missing --err");
        std::process::exit(125)
    };
    let f = match child_run(&words) {
        Ok(f) | Err(f) => f,
    };
    crate::init::report_and_exit(err_w, &f)
}

/// Everything up to the exec; answers the exec's failure (it returns only then).
fn child_run(w: &reexec::Words) -> Result<Failure, Failure> {
    let usage = |m: String| Failure {
        code: 125,
        message: format!("exec-child: {m}"),
    };
    let spec = Spec::load(Path::new(w.need("bundle").map_err(usage)?))?;
    let process = read_process(Path::new(w.need("process").map_err(usage)?))?;
    let sync_r = w
        .fd("sync")
        .map_err(usage)?
        .ok_or_else(|| usage("missing --sync".into()))?;
    let io = reexec::decode_stdio(w.need("stdio").map_err(usage)?).map_err(usage)?;
    let joins = decode_joins(w.need("join").map_err(usage)?).map_err(usage)?;
    let env = child_setup(
        w.need("user").map_err(usage)?,
        &spec,
        &process,
        &joins,
        &io,
        sync_r,
    )?;
    let e = exec::exec(&process.args, &env);
    Ok(Failure {
        code: e.code,
        message: e.message,
    })
}

/// `name=FLAG:FD,...` back into the namespaces to join, owning the fds.
fn decode_joins(word: &str) -> Result<Vec<(libc::c_int, String, OwnedFd)>, String> {
    let bad = || format!("bad --join {word:?}");
    word.split(',')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (name, rest) = part.split_once('=').ok_or_else(bad)?;
            let (flag, fd) = rest.split_once(':').ok_or_else(bad)?;
            let flag: libc::c_int = flag.parse().map_err(|_| bad())?;
            let fd: RawFd = fd.parse().map_err(|_| bad())?;
            // SAFETY: the fd was passed to us open, by number, by our parent.
            Ok((flag, name.to_string(), unsafe { OwnedFd::from_raw_fd(fd) }))
        })
        .collect()
}
