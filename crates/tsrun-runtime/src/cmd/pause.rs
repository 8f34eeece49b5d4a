//! `pause ID` / `resume ID`: freeze or thaw every process of the container.
use crate::args::{self, flag, FlagSpec};
use crate::cmd::{cgroup_of, one_id};
use crate::state::Status;
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[flag(&["help", "h"], false)];

pub fn main(ctx: &Ctx, argv: &[String], freeze: bool) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, if freeze { "pause" } else { "resume" })?;
    let st = ctx.store.load(&id)?;
    match (ctx.store.status(&st), freeze) {
        (Status::Running | Status::Created, true) | (Status::Paused, false) => {}
        (Status::Paused, true) => return Err("container is already paused".into()),
        (_, false) => return Err("container not paused".into()),
        (s, true) => return Err(format!("container not running: {}", s.as_str())),
    }
    cgroup_of(&st)?.freeze(freeze).map_err(|e| e.to_string())?;
    Ok(0)
}
