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
use crate::stdio::{self, ChildStdio, ParentStdio};
use crate::{identity, reexec, signals};
use std::os::unix::fs::OpenOptionsExt;
use tsrun_sys::ns;
use tsrun_sys::tty;

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
    let mut lockdown = Lockdown::from_spec(spec)?;
    // An exec's own `noNewPrivileges` (runc exec --no-new-privs) adds to the container's.
    lockdown.require_no_new_privs(process.no_new_privileges);
    // `--oom-score-adj` holds for exec'd processes too, as in Docker; set
    // before the joins below, while /proc is still the host's.
    if let Some(adj) = process.oom_score_adj.or(spec.process.oom_score_adj) {
        crate::init::set_oom_score_adj(adj)?;
    }
    for (flag, name, fd) in joins {
        if *flag != libc::CLONE_NEWPID {
            setns(fd.as_raw_fd(), *flag, name)?;
        }
    }
    stdio::install(io)?;
    crate::rlimit::apply(&spec.process.rlimits)?;
    lockdown.before_user_switch()?;
    // The user as typed (`tsrun exec -u`), else the process's numeric ids.
    let numeric = format!("{}:{}", process.user.uid, process.user.gid);
    let user = if user.is_empty() {
        numeric.as_str()
    } else {
        user
    };
    let cwd = if process.cwd.is_empty() {
        "/"
    } else {
        process.cwd.as_str()
    };
    // The process's own capabilities (runc exec --cap, --process), else the container's.
    let caps = process
        .capabilities
        .as_ref()
        .or(spec.process.capabilities.as_ref());
    // The process's groups, the container's (`--group-add` gids, as Docker's
    // exec keeps them) and the `--group-add` names, resolved in the
    // container's /etc/group.
    let mut gids = process.user.additional_gids.clone();
    gids.extend(spec.process.user.additional_gids.iter().filter(|g| !process.user.additional_gids.contains(g)));
    let names = spec.group_add_annotation();
    let env = identity::become_user(user, &process.env, cwd, caps, (&gids, &names))?;
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

/// Namespace types in the order the child joins them (mount last: it moves
/// root and cwd); `pid` is joined by the parent. (OCI name, /proc name, flag)
const ORDER: &[(&str, &str, libc::c_int)] = &[
    ("user", "user", libc::CLONE_NEWUSER),
    ("ipc", "ipc", libc::CLONE_NEWIPC),
    ("uts", "uts", libc::CLONE_NEWUTS),
    ("network", "net", libc::CLONE_NEWNET),
    ("cgroup", "cgroup", libc::CLONE_NEWCGROUP),
    ("pid", "pid", libc::CLONE_NEWPID),
    ("mount", "mnt", libc::CLONE_NEWNS),
];

/// What `spawn` needs: the container (its bundle and spec, PID 1's host
/// pid, its cgroup), the process (an OCI `process` JSON file, the user as
/// typed) and the child's side of its stdio.
pub struct Spawn<'a> {
    pub bundle: &'a Path,
    pub spec: &'a Spec,
    pub process_file: &'a Path,
    pub user: &'a str,
    pub pid1: i32,
    pub stdio: ChildStdio,
    pub cgroup: Option<&'a tsrun_sys::cgroup::Cgroup>,
}

pub fn open_ns(pid: i32, name: &str) -> Result<Option<OwnedFd>, SysError> {
    let path = format!("/proc/{pid}/ns/{name}");
    let same = |p: &str| {
        std::fs::metadata(p)
            .ok()
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
    };
    if same(&path).is_some() && same(&path) == same(&format!("/proc/self/ns/{name}")) {
        return Ok(None); // shared with us (e.g. --network host): nothing to join
    }
    let f = std::fs::File::open(&path).map_err(|e| SysError::from_io(&e, "open", path.clone()))?;
    Ok(Some(OwnedFd::from(f)))
}

/// Start one more process in a running container (the parent side): open
/// PID 1's namespaces, join its PID namespace here (it applies to
/// children), fork; the child execs the sealed copy as `exec-child` (`main`
/// below); we put it in the cgroup, say go, and wait for its exec. Answers
/// its pid once the command runs; the caller reaps it.
pub fn spawn(s: Spawn) -> Result<i32, Failure> {
    let spec = s.spec;
    let pid1 = s.pid1;
    let child_io = s.stdio;
    let mut joins: Vec<(libc::c_int, &str, OwnedFd)> = Vec::new();
    for (oci, proc_name, flag) in ORDER {
        if spec.namespace(oci).is_some() {
            if let Some(fd) = open_ns(pid1, proc_name)? {
                joins.push((*flag, proc_name, fd));
            }
        }
    }
    let (sync_r, sync_w) = stdio::pipe()?;
    let (err_r, err_w) = stdio::pipe()?;
    if let Some((flag, name, fd)) = joins.iter().find(|j| j.0 == libc::CLONE_NEWPID) {
        setns(fd.as_raw_fd(), *flag, name)?;
    }
    // The child enters the container from a sealed copy of this binary
    // (reexec.rs), never from the host's file.
    let sealed = reexec::sealed_self()?;
    let child = ns::clone_fork(0)?;
    if child == 0 {
        drop(sync_w);
        drop(err_r);
        let (stdio_word, mut keep) = reexec::encode_stdio(&child_io);
        let join_word = joins
            .iter()
            .filter(|(flag, _, _)| *flag != libc::CLONE_NEWPID)
            .map(|(flag, name, fd)| {
                keep.push(fd.as_raw_fd());
                format!("{name}={}:{}", flag, fd.as_raw_fd())
            })
            .collect::<Vec<_>>()
            .join(",");
        keep.extend([sync_r.as_raw_fd(), err_w.as_raw_fd()]);
        let args = vec![
            reexec::EXEC_CHILD.to_string(),
            "--bundle".into(),
            s.bundle.display().to_string(),
            "--process".into(),
            s.process_file.display().to_string(),
            "--user".into(),
            s.user.to_string(),
            "--sync".into(),
            sync_r.as_raw_fd().to_string(),
            "--err".into(),
            err_w.as_raw_fd().to_string(),
            "--stdio".into(),
            stdio_word,
            "--join".into(),
            join_word,
        ];
        let f = reexec::exec_sealed(sealed.as_raw_fd(), args, &keep);
        crate::init::report_and_exit(err_w.as_raw_fd(), &f);
    }
    drop(child_io);
    drop(sync_r);
    drop(err_w);
    drop(joins);
    drop(sealed);
    if let Some(cg) = s.cgroup {
        if let Err(e) = cg.add_pid(child) {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(child, libc::SIGKILL);
                libc::waitpid(child, std::ptr::null_mut(), 0);
            }
            return Err(e.into());
        }
    }
    // SAFETY: one-byte write to our pipe.
    unsafe { libc::write(sync_w.as_raw_fd(), b"g".as_ptr() as *const libc::c_void, 1) };
    drop(sync_w);
    let msg = read_all(err_r);
    if !msg.is_empty() {
        // SAFETY: reaping our child, which _exits right after writing.
        unsafe { libc::waitpid(child, std::ptr::null_mut(), 0) };
        return Err(Failure {
            code: msg[0] as i32,
            message: String::from_utf8_lossy(&msg[1..]).trim().to_string(),
        });
    }
    Ok(child)
}

fn read_all(fd: OwnedFd) -> Vec<u8> {
    crate::create::read_all(&fd)
}

/// A pty from the container's own devpts (`/proc/<pid1>/root/dev/ptmx`),
/// so inside, `tty` names it `/dev/pts/N` as with `run -t`; the slave is
/// opened from the master (TIOCGPTPEER), never by a path.
pub fn container_pty(
    pid1: i32,
    winsize: Option<(u16, u16)>,
) -> Result<(ParentStdio, ChildStdio), SysError> {
    let ptmx = format!("/proc/{pid1}/root/dev/ptmx");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(&ptmx)
        .map_err(|e| SysError::from_io(&e, "open", ptmx.clone()))?;
    let master = OwnedFd::from(f);
    let m = master.as_raw_fd();
    let unlock: libc::c_int = 0;
    // SAFETY: ioctls on the master we just opened.
    let slave = unsafe {
        if libc::ioctl(m, libc::TIOCSPTLCK, &unlock) != 0 {
            return Err(SysError::last("ioctl TIOCSPTLCK", ptmx));
        }
        let s = libc::ioctl(
            m,
            libc::TIOCGPTPEER,
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if s < 0 {
            return Err(SysError::last("ioctl TIOCGPTPEER", ptmx));
        }
        OwnedFd::from_raw_fd(s)
    };
    if let Some((r, c)) = winsize {
        tty::set_winsize(m, r, c)?;
    }
    tty::set_nonblocking(m)?;
    let input = master
        .try_clone()
        .map_err(|e| SysError::from_io(&e, "dup", ptmx.clone()))?;
    Ok((
        ParentStdio {
            out: master,
            err: None,
            input: Some(input),
        },
        ChildStdio::Pty {
            slave,
            path: String::new(),
        },
    ))
}
