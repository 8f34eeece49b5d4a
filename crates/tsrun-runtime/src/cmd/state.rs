//! `state ID`: the OCI state JSON (runtime.md "State"), indented as runc's.
use crate::args::{self, flag, FlagSpec};
use crate::cmd::one_id;
use crate::state::oci_state;
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[flag(&["help", "h"], false)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "state")?;
    let st = ctx.store.load(&id)?;
    let v = oci_state(&st, ctx.store.status(&st));
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(0)
}
