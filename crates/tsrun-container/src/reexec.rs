//! Entering a container from a sealed copy of ourselves (CVE-2019-5736).
//!
//! The monitor runs from the host's `tsrun-shim` file and never enters a
//! container. A child that will (the container init after clone, an `exec`
//! child after fork) first execs a sealed memfd copy of this binary
//! (tsrun_sys::sealed) as `tsrun-shim container-init ...` or
//! `tsrun-shim exec-child ...`, so from then on `/proc/PID/exe`, its
//! `map_files` and `#!/proc/self/exe` in the container all lead to the
//! sealed copy, never to the host file. The copy is made by the parent
//! before clone (so its pages are charged to the monitor, not to the
//! container's memory limit) and closed once the child has exec'ed the
//! user's command.
//!
//! What crosses the exec: the bundle path (the child loads config.json
//! again and derives the same plan), and file descriptors by number, their
//! CLOEXEC flag cleared in the child only (a forked child has its own fd
//! table). The new image makes itself non-dumpable at once, so processes
//! already in the container cannot open its `/proc/PID/*` while it still
//! holds the host's privileges; the final execve makes it dumpable again.
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use tsrun_sys::error::SysError;
use tsrun_sys::sealed;

use crate::init::Failure;
use crate::stdio::ChildStdio;

/// Subcommand of the container init, run from the sealed copy.
pub const CONTAINER_INIT: &str = "container-init";
/// Subcommand of an `exec` child, run from the sealed copy.
pub const EXEC_CHILD: &str = "exec-child";

/// A sealed copy of this binary (made by the parent, before clone/fork).
pub fn sealed_self() -> Result<OwnedFd, Failure> {
    sealed::sealed_self().map_err(Failure::from)
}

/// In the forked child: exec the sealed copy with `args` (after the program
/// name), keeping `keep` open across the exec. Returns only on failure.
pub fn exec_sealed(sealed_fd: RawFd, args: Vec<String>, keep: &[RawFd]) -> Failure {
    for &fd in keep {
        // SAFETY: clearing FD_CLOEXEC on an fd of our own (forked) table.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } != 0 {
            return SysError::last("fcntl F_SETFD", format!("fd {fd}")).into();
        }
    }
    let mut argv = vec!["tsrun-shim".to_string()];
    argv.extend(args);
    let env: Vec<String> = std::env::vars_os()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, v.to_str()?)))
        .collect();
    sealed::exec_fd(sealed_fd, &argv, &env).into()
}

/// First thing in a re-exec'ed child: nothing in the container may open our
/// `/proc/PID/*` (exe, mem, fd) while we hold the host's privileges.
pub fn make_undumpable() {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
}

/// The child's stdio as one word: `pipes:IN,OUT,ERR`, `pty:FD:PATH` or `inherit`.
pub fn encode_stdio(s: &ChildStdio) -> (String, Vec<RawFd>) {
    match s {
        ChildStdio::Pipes {
            stdin,
            stdout,
            stderr,
        } => {
            let fds = vec![stdin.as_raw_fd(), stdout.as_raw_fd(), stderr.as_raw_fd()];
            (format!("pipes:{},{},{}", fds[0], fds[1], fds[2]), fds)
        }
        ChildStdio::Pty { slave, path } => {
            let fd = slave.as_raw_fd();
            (format!("pty:{fd}:{path}"), vec![fd])
        }
        ChildStdio::Inherit => ("inherit".to_string(), Vec::new()),
    }
}

/// The inverse of `encode_stdio`, taking ownership of the fds named.
pub fn decode_stdio(word: &str) -> Result<ChildStdio, String> {
    let bad = || format!("bad --stdio {word:?}");
    if word == "inherit" {
        return Ok(ChildStdio::Inherit);
    }
    if let Some(rest) = word.strip_prefix("pipes:") {
        let fds: Vec<RawFd> = rest
            .split(',')
            .map(|n| n.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [i, o, e] = fds[..] else {
            return Err(bad());
        };
        // SAFETY: the fds were passed to us open, by number, by our parent.
        return Ok(unsafe {
            ChildStdio::Pipes {
                stdin: OwnedFd::from_raw_fd(i),
                stdout: OwnedFd::from_raw_fd(o),
                stderr: OwnedFd::from_raw_fd(e),
            }
        });
    }
    if let Some(rest) = word.strip_prefix("pty:") {
        let (fd, path) = rest.split_once(':').ok_or_else(bad)?;
        let fd: RawFd = fd.parse().map_err(|_| bad())?;
        // SAFETY: as above.
        let slave = unsafe { OwnedFd::from_raw_fd(fd) };
        return Ok(ChildStdio::Pty {
            slave,
            path: path.to_string(),
        });
    }
    Err(bad())
}

/// `--name VALUE` pairs of a re-exec'ed child's command line (we wrote it:
/// every flag has a value, none repeats).
pub struct Words(Vec<(String, String)>);

impl Words {
    pub fn parse(argv: Vec<String>) -> Result<Words, String> {
        let mut it = argv.into_iter();
        let mut out = Vec::new();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected word {flag:?}"))?;
            let value = it
                .next()
                .ok_or_else(|| format!("flag {flag} needs a value"))?;
            out.push((name.to_string(), value));
        }
        Ok(Words(out))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("missing --{name}"))
    }

    pub fn fd(&self, name: &str) -> Result<Option<RawFd>, String> {
        self.get(name)
            .map(|v| v.parse().map_err(|_| format!("--{name} must be a number")))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_stdio_round_trip() {
        let w = Words::parse(vec![
            "--bundle".into(),
            "/b".into(),
            "--err".into(),
            "7".into(),
        ])
        .unwrap();
        assert_eq!(w.need("bundle").unwrap(), "/b");
        assert_eq!(w.fd("err").unwrap(), Some(7));
        assert_eq!(w.fd("ready").unwrap(), None);
        assert!(w.need("sync").is_err());
        assert!(Words::parse(vec!["--odd".into()]).is_err());
        assert!(decode_stdio("pipes:1,2").is_err());
        assert!(decode_stdio("tty:1").is_err());
    }
}
