//! `delete [--force] ID`: remove a stopped container (its cgroup, state and
//! fifo), then run the poststop hooks. A container that is not stopped is
//! refused, unless `--force`, which kills everything in it first.
use std::time::{Duration, Instant};

use crate::args::{self, flag, FlagSpec};
use crate::cmd::{cgroup_of, one_id, spec_hooks};
use crate::state::Status;
use crate::{hooks, Ctx};

const FLAGS: &[FlagSpec] = &[flag(&["force", "f"], false)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "delete")?;
    let st = match ctx.store.load(&id) {
        Ok(st) => st,
        // As runc: --force of a container that is not there is no error (a
        // caller cleans up after a create that failed and removed itself);
        // a create that died half-way leaves a dir without state.json.
        Err(_) if p.bool("force") => {
            let _ = std::fs::remove_dir_all(ctx.store.dir(&id));
            return Ok(0);
        }
        Err(e) => return Err(e),
    };
    let status = ctx.store.status(&st);
    if status != Status::Stopped {
        if !p.bool("force") {
            return Err(format!(
                "cannot delete container {id} that is not stopped: {}",
                status.as_str()
            ));
        }
        let cg = cgroup_of(&st)?;
        cg.kill().map_err(|e| e.to_string())?;
        // SAFETY: the init may be outside the cgroup (a failed join): kill it too.
        unsafe { libc::kill(st.pid, libc::SIGKILL) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while ctx.store.status(&st) != Status::Stopped && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    destroy(ctx, &st)
}

/// Remove what create made; poststop hooks last (shared with `run`).
pub fn destroy(ctx: &Ctx, st: &crate::state::State) -> Result<i32, String> {
    let hooks_of = spec_hooks(st);
    if let Ok(cg) = cgroup_of(st) {
        cg.remove().map_err(|e| e.to_string())?;
    }
    std::fs::remove_dir_all(ctx.store.dir(&st.id))
        .map_err(|e| format!("{}: {e}", ctx.store.dir(&st.id).display()))?;
    if let Some(h) = hooks_of {
        hooks::warn_only(ctx, "poststop", &h.poststop, st, Status::Stopped);
    }
    Ok(0)
}
