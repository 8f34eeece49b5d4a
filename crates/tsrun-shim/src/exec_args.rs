//! Command line of `tsrun-shim exec` (docs/runtime-contract.md §1b):
//! `exec --bundle DIR --state-dir DIR --process FILE [--user USER]
//!  [--detach] [--stdin] [--detach-keys HEX --detach-fd FD]
//!  [--runtime PATH [--runtime-root DIR] [--id ID]]`. Values may
//! follow as the next word or after `=`.
use std::path::PathBuf;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExecArgs {
    /// The container's bundle (config.json: namespaces, cgroupsPath, caps).
    pub bundle: PathBuf,
    /// The container's state dir (shim.json: PID 1 and its start time).
    pub state_dir: PathBuf,
    /// OCI `process` JSON: args, env, cwd, terminal (the rest from config.json).
    pub process: PathBuf,
    /// The user as typed (`nobody`, `1000:1000`); empty = root.
    pub user: String,
    pub detach: bool,
    pub stdin: bool,
    /// Foreground with a TTY: these bytes on our stdin detach (escape.rs).
    pub detach_keys: Option<Vec<u8>>,
    /// Told (one byte, then closed) when the terminal detached.
    pub detach_fd: Option<i32>,
    /// The container was started through this OCI runtime: exec through it too.
    pub runtime: Option<String>,
    pub runtime_root: Option<PathBuf>,
    /// The container's id for the runtime (default: the state dir's name).
    pub id: Option<String>,
}

pub const USAGE: &str = "usage: tsrun-shim exec --bundle DIR --state-dir DIR --process FILE [--user USER] [--detach] [--stdin] [--detach-keys HEX --detach-fd FD] [--runtime PATH [--runtime-root DIR] [--id ID]]";

/// Parse the words after `exec`.
pub fn parse<I: IntoIterator<Item = String>>(argv: I) -> Result<ExecArgs, String> {
    let mut it = argv.into_iter();
    let mut a = ExecArgs::default();
    let (mut bundle, mut state, mut process) = (None, None, None);
    while let Some(word) = it.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (word.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("flag {name} needs a value"))
        };
        match flag.as_str() {
            "--bundle" => bundle = Some(value("--bundle")?),
            "--state-dir" => state = Some(value("--state-dir")?),
            "--process" => process = Some(value("--process")?),
            "--user" => a.user = value("--user")?,
            "--detach-keys" => a.detach_keys = Some(crate::escape::parse_hex(&value("--detach-keys")?)?),
            "--detach-fd" => a.detach_fd = Some(value("--detach-fd")?.parse().map_err(|_| "--detach-fd needs a file descriptor number".to_string())?),
            "--runtime" => a.runtime = Some(value("--runtime")?),
            "--runtime-root" => a.runtime_root = Some(PathBuf::from(value("--runtime-root")?)),
            "--id" => a.id = Some(value("--id")?),
            "--detach" | "-d" => a.detach = true,
            "--stdin" | "-i" => a.stdin = true,
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    a.bundle = PathBuf::from(bundle.ok_or("missing --bundle")?);
    a.state_dir = PathBuf::from(state.ok_or("missing --state-dir")?);
    a.process = PathBuf::from(process.ok_or("missing --process")?);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<ExecArgs, String> {
        parse(s.iter().map(|s| s.to_string()))
    }

    #[test]
    fn full_and_missing() {
        let a = p(&[
            "--bundle",
            "/b",
            "--state-dir=/s",
            "--process",
            "/p.json",
            "--user",
            "nobody",
            "-d",
            "--stdin",
        ])
        .unwrap();
        assert_eq!(a.process, PathBuf::from("/p.json"));
        assert_eq!(a.user, "nobody");
        assert!(a.detach && a.stdin);
        assert_eq!(
            p(&["--bundle", "/b", "--state-dir", "/s"]).unwrap_err(),
            "missing --process"
        );
        assert!(p(&["--nope"]).unwrap_err().contains("unknown flag"));
    }
}
