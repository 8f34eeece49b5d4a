//! `update [--resources FILE|-] [--memory N] [--memory-swap N]
//! [--memory-reservation N] [--cpu-shares N] [--cpu-period N] [--cpu-quota N]
//! [--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] ID`: new limits
//! for a live container, written into its cgroup (`--resources` is OCI
//! `linux.resources` JSON; flags override its fields).
use std::io::Read;

use tsrun_sys::oci::{Cpu, Memory, Pids, Resources};

use crate::args::{self, flag, FlagSpec};
use crate::cmd::{cgroup_of, one_id};
use crate::state::Status;
use crate::Ctx;

const FLAGS: &[FlagSpec] = &[
    flag(&["resources", "r"], true),
    flag(&["memory", "m"], true),
    flag(&["memory-swap"], true),
    flag(&["memory-reservation"], true),
    flag(&["kernel-memory"], true),
    flag(&["cpu-shares"], true),
    flag(&["cpu-period"], true),
    flag(&["cpu-quota"], true),
    flag(&["cpuset-cpus"], true),
    flag(&["cpuset-mems"], true),
    flag(&["pids-limit"], true),
    flag(&["blkio-weight"], true),
];

pub fn main(ctx: &Ctx, argv: &[String]) -> Result<i32, String> {
    let p = args::parse(argv, FLAGS, 0)?;
    let id = one_id(&p, "update")?;
    let st = ctx.store.load(&id)?;
    if ctx.store.status(&st) == Status::Stopped {
        return Err("container not running".into());
    }
    let mut r = match p.get("resources") {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("stdin: {e}"))?;
            parse(&s)?
        }
        Some(f) => {
            parse(&std::fs::read_to_string(f).map_err(|e| format!("--resources {f}: {e}"))?)?
        }
        None => Resources::default(),
    };
    let num = |name: &str| -> Result<Option<i64>, String> {
        p.get(name)
            .map(|v| bytes(v).ok_or_else(|| format!("--{name} {v}: not a number")))
            .transpose()
    };
    let mem = r.memory.get_or_insert_with(Memory::default);
    if let Some(v) = num("memory")? {
        mem.limit = Some(v)
    }
    if let Some(v) = num("memory-swap")? {
        mem.swap = Some(v)
    }
    if let Some(v) = num("memory-reservation")? {
        mem.reservation = Some(v)
    }
    let cpu = r.cpu.get_or_insert_with(Cpu::default);
    if let Some(v) = num("cpu-shares")? {
        cpu.shares = Some(v as u64)
    }
    if let Some(v) = num("cpu-period")? {
        cpu.period = Some(v as u64)
    }
    if let Some(v) = num("cpu-quota")? {
        cpu.quota = Some(v)
    }
    if let Some(v) = p.get("cpuset-cpus") {
        cpu.cpus = Some(v.into())
    }
    if let Some(v) = p.get("cpuset-mems") {
        cpu.mems = Some(v.into())
    }
    if let Some(v) = num("pids-limit")? {
        r.pids = Some(Pids { limit: v })
    }
    for missing in cgroup_of(&st)?.apply(&r).map_err(|e| e.to_string())? {
        ctx.log
            .warn(&format!("{missing} limits are not enforced on this host"));
    }
    Ok(0)
}

fn parse(text: &str) -> Result<Resources, String> {
    tsrun_sys::cgroup::parse_resources(text).map_err(|e| e.to_string())
}

/// A number, or a size with a k/m/g suffix (`--memory 64m`), as runc takes it.
fn bytes(v: &str) -> Option<i64> {
    let v = v.trim();
    let (num, mult) = match v.chars().last()?.to_ascii_lowercase() {
        'k' => (&v[..v.len() - 1], 1i64 << 10),
        'm' => (&v[..v.len() - 1], 1 << 20),
        'g' => (&v[..v.len() - 1], 1 << 30),
        'b' => (&v[..v.len() - 1], 1),
        _ => (v, 1),
    };
    num.parse::<i64>().ok().map(|n| n.saturating_mul(mult))
}
