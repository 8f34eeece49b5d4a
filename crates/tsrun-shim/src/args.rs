//! Command line of `tsrun-shim run` (docs/runtime-contract.md §1):
//! `run --bundle DIR --state-dir DIR --id ID [--detach] [--stdin]
//!  [--exit-command PATH [--exit-command-arg ARG]...]
//!  [--detach-keys HEX --detach-fd FD] [--runtime PATH [--runtime-root DIR]]`.
//! Values may follow as the next word or after `=`.
use std::path::PathBuf;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunArgs {
    pub bundle: PathBuf,
    pub state_dir: PathBuf,
    pub id: String,
    pub detach: bool,
    pub stdin: bool,
    pub exit_command: Option<String>,
    pub exit_command_args: Vec<String>,
    /// Foreground with a TTY: these bytes on our stdin detach (escape.rs).
    pub detach_keys: Option<Vec<u8>>,
    /// Told (one byte, then closed) when the terminal detached.
    pub detach_fd: Option<i32>,
    /// Start the container through this OCI runtime binary (runc's CLI)
    /// instead of creating it ourselves (runtime_start.rs).
    pub runtime: Option<String>,
    /// The runtime's `--root` (its state directory).
    pub runtime_root: Option<PathBuf>,
}

pub const USAGE: &str = "usage: tsrun-shim run --bundle DIR --state-dir DIR --id ID [--detach] [--stdin] [--exit-command PATH [--exit-command-arg ARG]...] [--detach-keys HEX --detach-fd FD] [--runtime PATH [--runtime-root DIR]]";

/// Parse everything after the program name.
pub fn parse<I: IntoIterator<Item = String>>(argv: I) -> Result<RunArgs, String> {
    let mut it = argv.into_iter();
    match it.next().as_deref() {
        Some("run") => {}
        Some(other) => return Err(format!("unknown command {other:?}\n{USAGE}")),
        None => return Err(USAGE.to_string()),
    }
    let mut a = RunArgs::default();
    let (mut bundle, mut state, mut id) = (None, None, None);
    while let Some(word) = it.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (word.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone().or_else(|| it.next()) {
                Some(v) => Ok(v),
                None => Err(format!("flag {name} needs a value")),
            }
        };
        match flag.as_str() {
            "--bundle" => bundle = Some(value("--bundle")?),
            "--state-dir" => state = Some(value("--state-dir")?),
            "--id" => id = Some(value("--id")?),
            "--exit-command" => a.exit_command = Some(value("--exit-command")?),
            "--exit-command-arg" => a.exit_command_args.push(value("--exit-command-arg")?),
            "--detach-keys" => a.detach_keys = Some(crate::escape::parse_hex(&value("--detach-keys")?)?),
            "--detach-fd" => a.detach_fd = Some(value("--detach-fd")?.parse().map_err(|_| "--detach-fd needs a file descriptor number".to_string())?),
            "--runtime" => a.runtime = Some(value("--runtime")?),
            "--runtime-root" => a.runtime_root = Some(PathBuf::from(value("--runtime-root")?)),
            "--detach" | "-d" => a.detach = true,
            "--stdin" | "-i" => a.stdin = true,
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    a.bundle = PathBuf::from(bundle.ok_or("missing --bundle")?);
    a.state_dir = PathBuf::from(state.ok_or("missing --state-dir")?);
    a.id = id.ok_or("missing --id")?;
    if a.id.is_empty() {
        return Err("--id must not be empty".into());
    }
    if a.runtime_root.is_some() && a.runtime.is_none() {
        return Err("--runtime-root needs --runtime".into());
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<RunArgs, String> {
        parse(s.iter().map(|s| s.to_string()))
    }

    #[test]
    fn full_command_line() {
        let a = p(&[
            "run",
            "--bundle",
            "/b",
            "--state-dir=/s",
            "--id",
            "c1",
            "--detach",
            "--stdin",
            "--exit-command",
            "/bin/tsrun",
            "--exit-command-arg",
            "rm",
            "--exit-command-arg=-f",
        ])
        .unwrap();
        assert_eq!(a.bundle, PathBuf::from("/b"));
        assert_eq!(a.state_dir, PathBuf::from("/s"));
        assert_eq!(a.id, "c1");
        assert!(a.detach && a.stdin);
        assert_eq!(a.exit_command.as_deref(), Some("/bin/tsrun"));
        assert_eq!(a.exit_command_args, vec!["rm", "-f"]);
    }

    #[test]
    fn errors() {
        assert!(p(&[]).is_err());
        assert!(p(&["create"]).unwrap_err().contains("unknown command"));
        assert_eq!(
            p(&["run", "--bundle", "/b", "--state-dir", "/s"]).unwrap_err(),
            "missing --id"
        );
        assert!(p(&["run", "--bundle"])
            .unwrap_err()
            .contains("needs a value"));
        assert!(p(&["run", "--what"]).unwrap_err().contains("unknown flag"));
    }

    #[test]
    fn runtime_and_its_root() {
        let a = p(&["run", "--bundle", "/b", "--state-dir", "/s", "--id", "c", "--runtime", "/usr/bin/runc", "--runtime-root=/run/r"]).unwrap();
        assert_eq!(a.runtime.as_deref(), Some("/usr/bin/runc"));
        assert_eq!(a.runtime_root, Some(PathBuf::from("/run/r")));
        assert!(p(&["run", "--bundle", "/b", "--state-dir", "/s", "--id", "c", "--runtime-root", "/r"]).unwrap_err().contains("needs --runtime"));
    }

    #[test]
    fn detach_keys_and_their_fd() {
        let a = p(&["run", "--bundle", "/b", "--state-dir", "/s", "--id", "c", "--detach-keys", "1011", "--detach-fd=3"]).unwrap();
        assert_eq!(a.detach_keys, Some(vec![0x10, 0x11]));
        assert_eq!(a.detach_fd, Some(3));
        assert!(p(&["run", "--bundle", "/b", "--state-dir", "/s", "--id", "c", "--detach-keys", "xy"]).is_err());
    }
}
