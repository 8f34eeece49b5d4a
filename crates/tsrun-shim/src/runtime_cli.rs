//! Driving an OCI runtime binary (runc, crun, youki, tsrun-runtime) through
//! runc's standard command line, as podman's conmon does: `create`, `start`,
//! `exec`, `delete --force`, each with the global `--root` and
//! `--log FILE --log-format json`. The runtime's errors are read back from
//! that log (the last `"level":"error"` line), else from what it wrote on
//! stderr, else its exit status; each becomes one line, and the code Docker
//! gives it (127 for a command not found, 126 for one that cannot be
//! invoked, else 125).
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tsrun_container::Failure;

/// One runtime binary, its state root and the container's id.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub path: String,
    pub root: Option<PathBuf>,
    pub id: String,
    /// The runtime's `--log`: one file per container, in its state dir.
    pub log: PathBuf,
    /// It takes the `rro` mount option (its `features` says so).
    pub rro: bool,
}

/// The runtime's command line with the global flags.
fn base(rt: &Runtime) -> Command {
    let mut c = Command::new(&rt.path);
    if let Some(r) = &rt.root {
        c.arg("--root").arg(r);
    }
    c.arg("--log").arg(&rt.log).args(["--log-format", "json"]);
    // The runtime (and through it the container) must not inherit our
    // blocked signal mask or ignored SIGPIPE.
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            Ok(())
        });
    }
    c
}

/// Docker's reading of a runtime's error: the command was not found (127)
/// or cannot be invoked (126); anything else is the runtime's own (125).
pub fn code_for(message: &str) -> i32 {
    let exec = message.contains("exec:") || message.contains("exec format") || message.contains("starting container process");
    if message.contains("executable file not found") || message.contains("not found in $PATH") || (exec && message.contains("no such file or directory")) {
        127
    } else if exec && (message.contains("permission denied") || message.contains("is a directory") || message.contains("exec format error")) {
        126
    } else {
        125
    }
}

/// The last error the runtime logged (`{"level":"error","msg":...}` lines).
pub fn logged_error(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().rev().find_map(|l| {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        let level = v["level"].as_str()?;
        (level == "error" || level == "fatal").then(|| v["msg"].as_str().map(|s| s.trim().to_string())).flatten()
    })
}

impl Runtime {
    /// A failure of `what` that exited with `status`: the logged error,
    /// else the last line of `stderr`, else the status.
    pub fn failure(&self, what: &str, status: &str, stderr: &str) -> Failure {
        let message = logged_error(&self.log)
            .or_else(|| stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()).map(str::to_string))
            .unwrap_or_else(|| format!("OCI runtime {} {what} failed: {status}", self.path));
        Failure { code: code_for(&message), message }
    }

    fn spawn_err(&self, e: std::io::Error) -> Failure {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string().to_lowercase(),
        };
        Failure { code: 125, message: format!("OCI runtime {}: {why}", self.path) }
    }

    /// `create --bundle B --pid-file F [--console-socket S] ID` with the
    /// container's stdio as the runtime's (runc passes its own on). Started,
    /// not waited for.
    pub fn spawn_create(&self, bundle: &Path, pid_file: &Path, console: Option<&Path>, stdio: [Stdio; 3]) -> Result<Child, Failure> {
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_file(pid_file);
        let mut c = base(self);
        c.arg("create").arg("--bundle").arg(bundle).arg("--pid-file").arg(pid_file);
        if let Some(s) = console {
            c.arg("--console-socket").arg(s);
        }
        c.arg(&self.id);
        let [i, o, e] = stdio;
        c.stdin(i).stdout(o).stderr(e).spawn().map_err(|e| self.spawn_err(e))
    }

    /// `start ID`: the init leaves the fifo and execs the user's command.
    pub fn start(&self) -> Result<(), Failure> {
        self.simple(&["start"], "start")
    }

    /// `delete --force ID`: kill what is left, remove the runtime's state
    /// and cgroup. Quiet: nothing to delete is fine.
    pub fn delete(&self) {
        let _ = self.simple(&["delete", "--force"], "delete");
    }

    fn simple(&self, args: &[&str], what: &str) -> Result<(), Failure> {
        let out = base(self)
            .args(args)
            .arg(&self.id)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| self.spawn_err(e))?;
        if out.status.success() {
            return Ok(());
        }
        Err(self.failure(what, &out.status.to_string(), &String::from_utf8_lossy(&out.stderr)))
    }

    /// `exec --process FILE --detach [--pid-file F] [--tty --console-socket S] ID`, started, not waited for.
    pub fn spawn_exec(&self, process: &Path, pid_file: Option<&Path>, console: Option<&Path>, stdio: [Stdio; 3]) -> Result<Child, Failure> {
        let _ = std::fs::remove_file(&self.log);
        let mut c = base(self);
        c.arg("exec").arg("--process").arg(process).arg("--detach");
        if let Some(f) = pid_file {
            c.arg("--pid-file").arg(f);
        }
        if let Some(s) = console {
            c.arg("--tty").arg("--console-socket").arg(s);
        }
        c.arg(&self.id);
        let [i, o, e] = stdio;
        c.stdin(i).stdout(o).stderr(e).spawn().map_err(|e| self.spawn_err(e))
    }
}

/// The pid the runtime wrote to `--pid-file`.
pub fn read_pid(pid_file: &Path) -> Option<i32> {
    std::fs::read_to_string(pid_file).ok()?.trim().parse().ok().filter(|p: &i32| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_codes_for_runtime_errors() {
        assert_eq!(code_for("runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH"), 127);
        assert_eq!(code_for("unable to start container process: exec: \"/etc\": permission denied"), 126);
        assert_eq!(code_for("exec: \"/nope\": no such file or directory"), 127);
        assert_eq!(code_for("mount /x: no such file or directory"), 125);
        // crun's wording
        assert_eq!(code_for("executable file `nope` not found in $PATH: No such file or directory"), 127);
    }

    #[test]
    fn reads_the_last_logged_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("log.json");
        std::fs::write(&p, "{\"level\":\"warning\",\"msg\":\"w\"}\n{\"level\":\"error\",\"msg\":\"first\"}\n{\"level\":\"error\",\"msg\":\"last\\n\"}\n").unwrap();
        assert_eq!(logged_error(&p).as_deref(), Some("last"));
        assert_eq!(logged_error(&d.path().join("none")), None);
    }
}
