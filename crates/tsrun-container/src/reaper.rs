//! `tsrun run --init`: this same binary as the container's PID 1, a tiny
//! reaper in the manner of tini. With the `io.tsrun.init` annotation the
//! container init execs the sealed copy of the shim it runs from
//! (reexec.rs) as `/sbin/tsrun-init -- ARGS...`: nothing of the host is
//! mounted into the container, and its PID 1 cannot reach the host's
//! binary. Called by that name (or as `tsrun-shim init -- ARGS...`) the
//! binary:
//!
//! - forks the command as its one child, in its own process group (made the
//!   terminal's foreground group when stdin is a terminal, so job control
//!   and Ctrl-C reach it exactly once);
//! - forwards every signal it receives to that child (PID 1 has no default
//!   actions, so without this SIGTERM would do nothing);
//! - reaps every process that ends up as its child (orphans re-parented to
//!   PID 1), so no zombie stays;
//! - exits with the child's code, 128+N when a signal N killed it.
//!
//! The shim is linked statically, so it runs in any image, even one without
//! a libc. Exec failures print Docker's one line and exit 126/127.
use std::ffi::OsStr;
use std::path::Path;

use tsrun_sys::exec;
use tsrun_sys::oci::Spec;

/// The name the reaper has inside the container (its argv[0]; no such file).
pub const INIT_PATH: &str = "/sbin/tsrun-init";
/// Annotation asking for it.
pub const ANNOTATION_INIT: &str = "io.tsrun.init";

/// True when this process was started as the reaper (by name or `init`).
pub fn invoked_as_init(argv0: &str, first: Option<&str>) -> bool {
    Path::new(argv0).file_name() == Some(OsStr::new("tsrun-init")) || first == Some("init")
}

/// Whether the spec asks for the reaper.
pub fn wanted(spec: &Spec) -> bool {
    spec.annotations
        .get(ANNOTATION_INIT)
        .is_some_and(|v| v == "true")
}

/// The container's args behind the reaper: `/sbin/tsrun-init -- ARGS...`.
pub fn wrap_args(args: &[String]) -> Vec<String> {
    let mut out = vec![INIT_PATH.to_string(), "--".to_string()];
    out.extend(args.iter().cloned());
    out
}

fn all_signals() -> libc::sigset_t {
    // SAFETY: sigset manipulation on a local value.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        set
    }
}

/// The reaper's main; `args` are what follows the program name (an optional
/// `init`, an optional `--`, then the command). Never returns.
pub fn main(mut args: Vec<String>) -> ! {
    // Exec'ed from a memfd, our name would be the memfd's; `ps` shows this.
    // SAFETY: prctl with a nul-terminated name.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"tsrun-init".as_ptr(), 0, 0, 0) };
    if args.first().map(String::as_str) == Some("init") {
        args.remove(0);
    }
    if args.first().map(String::as_str) == Some("--") {
        args.remove(0);
    }
    if args.is_empty() {
        eprintln!("tsrun-init: no command given (usage: tsrun-init -- CMD [ARG...])");
        std::process::exit(125);
    }
    let all = all_signals();
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid sigset pointers. Signals are taken with sigwaitinfo below.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, &all, &mut old) };
    // SAFETY: single-threaded; the child only execs.
    let child = unsafe { libc::fork() };
    if child < 0 {
        eprintln!("tsrun-init: fork: {}", std::io::Error::last_os_error());
        std::process::exit(125);
    }
    if child == 0 {
        // SAFETY: plain process-group and terminal calls in the new child;
        // signals are still blocked, so tcsetpgrp cannot stop us with SIGTTOU.
        unsafe {
            libc::setpgid(0, 0);
            if libc::isatty(0) == 1 {
                libc::tcsetpgrp(0, libc::getpid());
            }
            libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        }
        let env: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
        let f = exec::exec(&args, &env);
        eprintln!("{}", f.message);
        // SAFETY: leave without running destructors of the parent's state.
        unsafe { libc::_exit(f.code) };
    }
    std::process::exit(supervise(child, &all))
}

/// Forward signals to `child` and reap everything until `child` is gone.
fn supervise(child: libc::pid_t, set: &libc::sigset_t) -> i32 {
    loop {
        // SAFETY: zeroed siginfo is a valid out buffer.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointers.
        let sig = unsafe { libc::sigwaitinfo(set, &mut info) };
        if sig < 0 {
            continue; // EINTR
        }
        if sig != libc::SIGCHLD {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child, sig) };
            continue;
        }
        if let Some(code) = reap_all(child) {
            return code;
        }
    }
}

/// Reap every exited child; the child's exit code once it is among them.
pub fn reap_all(child: libc::pid_t) -> Option<i32> {
    let mut result = None;
    loop {
        let mut st = 0;
        // SAFETY: waitpid with a valid status pointer.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if r <= 0 {
            return result;
        }
        if r == child {
            result = Some(if libc::WIFSIGNALED(st) {
                128 + libc::WTERMSIG(st)
            } else {
                libc::WEXITSTATUS(st)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_and_wrapping() {
        assert!(invoked_as_init("/sbin/tsrun-init", None));
        assert!(invoked_as_init("tsrun-shim", Some("init")));
        assert!(!invoked_as_init("/usr/bin/tsrun-shim", Some("run")));
        assert_eq!(
            wrap_args(&["sh".into(), "-c".into(), "x".into()]),
            vec![INIT_PATH, "--", "sh", "-c", "x"]
        );
    }
}
