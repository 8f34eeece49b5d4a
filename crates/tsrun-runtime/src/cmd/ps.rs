//! `ps [--format table|json] ID [PS_ARGS...]`: the container's processes.
//! json: the pids, as a JSON array; table: the host's `ps` (default `-ef`)
//! with only the container's rows, as runc does.
use crate::args::{self, flag, FlagSpec};
use crate::cmd::cgroup_of;
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[flag(&["format", "f"], true)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 1)?;
    let Some(id) = p.positional.first() else {
        return Err("\"ps\" requires at least 1 argument(s): ID [PS_ARGS...]".into());
    };
    let st = ctx.store.load(id)?;
    let pids = cgroup_of(&st)?.pids();
    match p.get("format").unwrap_or("table") {
        "json" => {
            println!("{}", serde_json::to_string(&pids).unwrap_or_default());
            Ok(0)
        }
        "table" => {
            let ps_args: Vec<String> = if p.positional.len() > 1 {
                p.positional[1..].to_vec()
            } else {
                vec!["-ef".into()]
            };
            let out = std::process::Command::new("ps")
                .args(&ps_args)
                .output()
                .map_err(|e| format!("ps: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "ps {}: {}",
                    ps_args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let text = String::from_utf8_lossy(&out.stdout);
            let mut lines = text.lines();
            let header = lines.next().unwrap_or("");
            let col = header
                .split_whitespace()
                .position(|h| h == "PID")
                .ok_or("ps output has no PID column")?;
            println!("{header}");
            for l in lines {
                if l.split_whitespace()
                    .nth(col)
                    .and_then(|p| p.parse::<i32>().ok())
                    .is_some_and(|p| pids.contains(&p))
                {
                    println!("{l}");
                }
            }
            Ok(0)
        }
        other => Err(format!("invalid format option {other:?}: table or json")),
    }
}
