//! `start ID`: open exec.fifo for reading, which lets the waiting init go
//! on to exec the user's process; then the poststart hooks.
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use crate::args::{self, flag, FlagSpec};
use crate::cmd::one_id;
use crate::state::{State, Status};
use crate::{hooks, Ctx};

const FLAGS: &[FlagSpec] = &[flag(&["help", "h"], false)];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "start")?;
    let st = ctx.store.load(&id)?;
    start(ctx, &st)?;
    Ok(0)
}

/// Release a created container (shared with `run`).
pub fn start(ctx: &Ctx, st: &State) -> Result<(), String> {
    match ctx.store.status(st) {
        Status::Created => {}
        Status::Stopped => return Err("cannot start a container that has stopped".into()),
        Status::Running | Status::Paused => {
            return Err("cannot start an already running container".into())
        }
        Status::Creating => {
            return Err("cannot start a container that is still being created".into())
        }
    }
    let fifo = ctx.store.fifo(&st.id);
    // Non-blocking: the open does not wait for a writer; the read does,
    // while we check that the init is still there to write.
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&fifo)
        .map_err(|e| format!("open {}: {e}", fifo.display()))?;
    let mut b = [0u8; 1];
    loop {
        match f.read(&mut b) {
            Ok(1) => break,
            Ok(_) | Err(_) if ctx.store.status(st) == Status::Stopped => {
                let _ = std::fs::remove_file(&fifo);
                return Err("cannot start a container that has stopped".into());
            }
            _ => std::thread::sleep(Duration::from_micros(200)),
        }
    }
    let _ = std::fs::remove_file(&fifo);
    if let Some(h) = crate::cmd::spec_hooks(st) {
        hooks::warn_only(ctx, "poststart", &h.poststart, st, Status::Running);
    }
    Ok(())
}
