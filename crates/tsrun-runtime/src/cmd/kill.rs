//! `kill [--all] ID [SIGNAL]`: signal the init (default SIGTERM), or with
//! `--all` every process in the container's cgroup.
use crate::args::{self, flag, FlagSpec};
use crate::cmd::cgroup_of;
use crate::state::Status;
use crate::{signals, Ctx};

const FLAGS: &[FlagSpec] = &[flag(&["all", "a"], false)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let (id, sig) = match p.positional.as_slice() {
        [id] => (id.clone(), libc::SIGTERM),
        [id, s] => (id.clone(), signals::parse(s)?),
        _ => return Err("\"kill\" requires 1 or 2 argument(s): ID [SIGNAL]".into()),
    };
    let st = ctx.store.load(&id)?;
    if ctx.store.status(&st) == Status::Stopped {
        return Err("container not running".into());
    }
    let pids = if p.bool("all") {
        cgroup_of(&st)?.pids()
    } else {
        vec![st.pid]
    };
    for pid in pids {
        // SAFETY: plain kill(2).
        if unsafe { libc::kill(pid, sig) } != 0 && pid == st.pid {
            return Err(format!("kill {pid}: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(0)
}
