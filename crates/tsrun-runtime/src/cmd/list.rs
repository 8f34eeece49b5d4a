//! `list [--format table|json] [--quiet]`: every container under --root.
use crate::args::{self, flag, FlagSpec};
use crate::state::oci_state;
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[flag(&["format", "f"], true), flag(&["quiet", "q"], false)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let states: Vec<_> = ctx
        .store
        .ids()
        .iter()
        .filter_map(|id| ctx.store.load(id).ok())
        .map(|st| {
            let status = ctx.store.status(&st);
            (st, status)
        })
        .collect();
    if p.bool("quiet") {
        for (st, _) in &states {
            println!("{}", st.id);
        }
        return Ok(0);
    }
    match p.get("format").unwrap_or("table") {
        "json" => {
            let all: Vec<_> = states.iter().map(|(st, s)| oci_state(st, *s)).collect();
            println!("{}", serde_json::to_string(&all).unwrap_or_default());
        }
        "table" => {
            println!(
                "{:<20} {:<8} {:<10} {:<40} {:<31} OWNER",
                "ID", "PID", "STATUS", "BUNDLE", "CREATED"
            );
            for (st, s) in &states {
                let pid = if *s == crate::state::Status::Stopped {
                    0
                } else {
                    st.pid
                };
                println!(
                    "{:<20} {:<8} {:<10} {:<40} {:<31} {}",
                    st.id,
                    pid,
                    s.as_str(),
                    st.bundle.display(),
                    st.created,
                    if st.owner.is_empty() {
                        "root"
                    } else {
                        &st.owner
                    }
                );
            }
        }
        other => return Err(format!("invalid format option {other:?}: table or json")),
    }
    Ok(0)
}
