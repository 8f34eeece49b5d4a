//! Find and exec the container's command the way Docker does: `args[0]` with a
//! `/` is used as is; otherwise it is searched in the `PATH` of the container's
//! environment (never the shim's). Failures become the contract's exit codes:
//! 127 (not found) and 126 (found but cannot be invoked), with Docker's
//! messages, e.g. `exec: "nope": executable file not found in $PATH`.
use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// PATH used when the container's environment has none (Docker's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why the command cannot run: exit code and the one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecFailure {
    pub code: i32,
    pub message: String,
}

/// The value of `PATH` in a `KEY=value` environment list.
pub fn env_path(env: &[String]) -> Option<&str> {
    env.iter().find_map(|e| e.strip_prefix("PATH="))
}

/// A regular file with some execute bit, like Go's exec.LookPath accepts.
fn is_executable(p: &Path) -> bool {
    match std::fs::metadata(p) {
        Ok(m) => m.is_file() && m.permissions().mode() & 0o111 != 0,
        Err(_) => false,
    }
}

/// Resolve `arg0` to the path to exec.
pub fn lookup(arg0: &str, env: &[String]) -> Result<PathBuf, ExecFailure> {
    if arg0.contains('/') {
        return Ok(PathBuf::from(arg0));
    }
    let path = env_path(env).unwrap_or(DEFAULT_PATH);
    for dir in path.split(':') {
        // An empty element means the current directory, as in POSIX.
        let dir = if dir.is_empty() { "." } else { dir };
        let cand = Path::new(dir).join(arg0);
        if is_executable(&cand) {
            return Ok(cand);
        }
    }
    Err(ExecFailure {
        code: 127,
        message: format!("exec: {arg0:?}: executable file not found in $PATH"),
    })
}

fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    s.split(" (os error").next().unwrap_or(&s).to_lowercase()
}

/// The exit code and message for an execve errno.
pub fn classify(arg0: &str, errno: i32) -> ExecFailure {
    let code = match errno {
        libc::ENOENT | libc::ENOTDIR => 127,
        _ => 126,
    };
    ExecFailure {
        code,
        message: format!("exec: {arg0:?}: {}", strerror(errno)),
    }
}

/// Look up and execve; returns only on failure.
pub fn exec(args: &[String], env: &[String]) -> ExecFailure {
    let Some(arg0) = args.first() else {
        return no_command();
    };
    match lookup(arg0, env) {
        Ok(p) => exec_path(&p, args, env),
        Err(f) => f,
    }
}

fn no_command() -> ExecFailure {
    ExecFailure {
        code: 125,
        message: "exec: no command given".into(),
    }
}

/// execve `path` (already looked up) with `args` and `env`; returns only on failure.
pub fn exec_path(path: &Path, args: &[String], env: &[String]) -> ExecFailure {
    let Some(arg0) = args.first() else {
        return no_command();
    };
    let to_c = |s: &str| {
        CString::new(s).map_err(|_| ExecFailure {
            code: 125,
            message: format!("exec: {s:?}: contains a nul byte"),
        })
    };
    let cpath = match to_c(&path.to_string_lossy()) {
        Ok(c) => c,
        Err(f) => return f,
    };
    let cargs: Result<Vec<CString>, ExecFailure> = args.iter().map(|a| to_c(a)).collect();
    let cenv: Result<Vec<CString>, ExecFailure> = env.iter().map(|e| to_c(e)).collect();
    let (cargs, cenv) = match (cargs, cenv) {
        (Ok(a), Ok(e)) => (a, e),
        (Err(f), _) | (_, Err(f)) => return f,
    };
    let mut argv: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = cenv.iter().map(|c| c.as_ptr()).collect();
    envp.push(std::ptr::null());
    // SAFETY: null-terminated arrays of valid C strings that outlive the call.
    unsafe { libc::execve(cpath.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    classify(
        arg0,
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn make(dir: &Path, name: &str, mode: u32) {
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn searches_container_path_in_order() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        make(a.path(), "tool", 0o644); // not executable: skipped
        make(b.path(), "tool", 0o755);
        std::fs::create_dir(a.path().join("dir")).unwrap();
        let env = vec![format!(
            "PATH={}:{}",
            a.path().display(),
            b.path().display()
        )];
        assert_eq!(lookup("tool", &env).unwrap(), b.path().join("tool"));
        let e = lookup("dir", &env).unwrap_err();
        assert_eq!(e.code, 127);
        let e = lookup("nope", &env).unwrap_err();
        assert_eq!(
            e.message,
            r#"exec: "nope": executable file not found in $PATH"#
        );
    }

    #[test]
    fn slash_paths_are_used_as_is() {
        assert_eq!(lookup("./x", &[]).unwrap(), PathBuf::from("./x"));
        assert_eq!(lookup("/etc", &[]).unwrap(), PathBuf::from("/etc"));
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify("/etc", libc::EACCES),
            ExecFailure {
                code: 126,
                message: r#"exec: "/etc": permission denied"#.into()
            }
        );
        assert_eq!(classify("/nope", libc::ENOENT).code, 127);
        assert_eq!(classify("/x", libc::ENOEXEC).code, 126);
        assert_eq!(env_path(&["A=1".into(), "PATH=/bin".into()]), Some("/bin"));
    }
}
