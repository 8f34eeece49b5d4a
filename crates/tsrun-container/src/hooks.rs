//! Running OCI hooks (runtime-spec config.md "POSIX-platform Hooks"): each
//! hook's `path` is exec'ed with its `args` (argv[0] included) and `env`
//! only, the container's state JSON on its stdin, and killed when it runs
//! past its `timeout` (seconds). A hook that fails, or runs too long, is an
//! error naming which hook of which kind and why; what it wrote to stderr
//! (the first line) is part of the message.
//!
//! Where each kind runs is the caller's: prestart, createRuntime,
//! poststart, poststop in the runtime's namespaces (by the runtime process),
//! createContainer (before pivot_root) and startContainer (after it, just
//! before the user's process) in the container's, by the container init.
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tsrun_sys::error::SysError;
use tsrun_sys::oci::Hook;

/// Run `hooks` (of `kind`, for messages) in order; stop at the first failure.
pub fn run(kind: &str, hooks: &[Hook], state_json: &str) -> Result<(), SysError> {
    for (i, h) in hooks.iter().enumerate() {
        run_one(kind, i, h, state_json)?;
    }
    Ok(())
}

fn run_one(kind: &str, index: usize, h: &Hook, state_json: &str) -> Result<(), SysError> {
    let what = format!("{kind} hook #{index} ({})", h.path);
    let mut cmd = Command::new(&h.path);
    if let Some((argv0, rest)) = h.args.split_first() {
        cmd.arg0(argv0).args(rest);
    }
    cmd.env_clear()
        .envs(h.env.iter().filter_map(|kv| kv.split_once('=')))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe calls between fork and exec: the hook
    // must not inherit our blocked signal mask or ignored SIGPIPE.
    unsafe {
        cmd.pre_exec(|| {
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| SysError::from_io(&e, "exec", what.clone()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its stdin closes it: not our failure.
        let _ = stdin.write_all(state_json.as_bytes());
    }
    let deadline = h
        .timeout
        .filter(|t| *t > 0)
        .map(|t| Instant::now() + Duration::from_secs(t as u64));
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {}
            Err(e) => return Err(SysError::from_io(&e, "wait", what)),
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SysError::invalid(
                "hook",
                what,
                format!("timed out after {} s", h.timeout.unwrap_or(0)),
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    if status.success() {
        return Ok(());
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let first = err
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let why = match status.code() {
        Some(c) => format!("exit status {c}"),
        None => "killed by a signal".to_string(),
    };
    Err(SysError::invalid(
        "hook",
        what,
        if first.is_empty() {
            why
        } else {
            format!("{why}: {first}")
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(path: &str, args: &[&str], timeout: Option<i64>) -> Hook {
        Hook {
            path: path.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec!["WHO=hook".into()],
            timeout,
        }
    }

    #[test]
    fn state_on_stdin_env_only_its_own_and_failures_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let script = format!(
            "cat > {}; echo \"$WHO ${{HOME:-nohome}}\" >> {}",
            out.display(),
            out.display()
        );
        run(
            "poststart",
            &[hook("/bin/sh", &["sh", "-c", &script], None)],
            "{\"id\":\"x\"}",
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"id\":\"x\"}hook nohome\n"
        );
        let e = run(
            "prestart",
            &[hook(
                "/bin/sh",
                &["sh", "-c", "echo nope >&2; exit 3"],
                None,
            )],
            "{}",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "hook prestart hook #0 (/bin/sh): exit status 3: nope"
        );
        let e = run(
            "createRuntime",
            &[hook("/bin/sleep", &["sleep", "5"], Some(1))],
            "{}",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "hook createRuntime hook #0 (/bin/sleep): timed out after 1 s"
        );
        let e = run("poststop", &[hook("/no/such", &[], None)], "{}").unwrap_err();
        assert!(e.to_string().contains("no such file or directory"), "{e}");
    }
}
