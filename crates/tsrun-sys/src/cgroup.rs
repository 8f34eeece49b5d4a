//! One cgroup manager over v1, v2 and hybrid hosts, chosen by probing the
//! mounted hierarchies (`hier`). The container's `linux.cgroupsPath` (e.g.
//! `tsrun/<id>`) is taken relative to the root of every hierarchy: it is
//! created in each mounted v1 hierarchy and in the cgroup2 tree, so the napi
//! `removeCgroup` finds the same directories from any process. The shim
//! creates it and applies `linux.resources` before clone, puts PID 1 in before
//! its exec, and removes it (killing leftovers) after PID 1 exits.
//!
//! One file per concern: `hier` (which hierarchies), `v1` / `v2` (the two
//! implementations behind this one manager), a file per controller
//! (`memory`, `cpu`, `pids`, `freezer`, `blkio`, `devices` with
//! `device_bpf` for v2), `units` (value conversions) and `stats`;
//! `manager` is the trait every implementation answers to (and `prepare`,
//! the create-refuse-apply step over any of them), `recording` its fake.
mod blkio;
mod cpu;
pub mod device_bpf;
pub mod devices;
mod freezer;
mod fsutil;
mod hier;
pub mod manager;
mod memory;
mod pids;
pub mod recording;
mod stats;
mod units;
mod v1;
mod v2;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use hier::{host_hierarchies, layout, parse_mountinfo, Hierarchy};
pub use manager::{prepare, Busy, CgroupManager};
pub use memory::MemoryStats;
pub use stats::Stats;
pub use units::{cpu_max, parse_limit, shares_to_weight, v2_swap_max, weight_to_shares};

use crate::error::{Result, SysError};
use crate::oci::Resources;
use fsutil::{read_trim, write_file};

/// What this host offers, for `probeHost()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostProbe {
    /// `v1`, `v2` or `hybrid` (`none` if no cgroup filesystem is mounted).
    pub cgroup: String,
    /// `overlay` is listed in /proc/filesystems.
    pub overlay: bool,
    /// Controllers of the mounted v1 hierarchies (`memory`, `name=systemd`, ...).
    pub v1_controllers: Vec<String>,
}

/// Probe the cgroup layout and overlay support of this host. Never fails: an
/// unreadable mountinfo reads as no cgroups.
pub fn probe() -> HostProbe {
    let h = host_hierarchies().unwrap_or_default();
    let overlay = std::fs::read_to_string("/proc/filesystems")
        .map(|t| {
            t.lines()
                .any(|l| l.split_whitespace().last() == Some("overlay"))
        })
        .unwrap_or(false);
    let mut v1_controllers = Vec::new();
    for x in &h {
        if let Hierarchy::V1 { controllers, .. } = x {
            v1_controllers.extend(controllers.iter().cloned());
        }
    }
    HostProbe {
        cgroup: layout(&h).to_string(),
        overlay,
        v1_controllers,
    }
}

/// Kill everything in the container cgroup and remove it from every
/// hierarchy. A cgroup that does not exist counts as removed.
pub fn remove(cgroups_path: &str) -> Result<()> {
    Cgroup::for_host(cgroups_path)?.remove()
}

/// OCI `linux.resources` from JSON (what the napi `updateCgroup` receives).
pub fn parse_resources(json: &str) -> Result<Resources> {
    serde_json::from_str(json)
        .map_err(|e| SysError::invalid("parse", "resources", e.to_string().to_lowercase()))
}

/// Check a `cgroupsPath` and make it relative: no `..`, not empty.
pub fn clean_path(cgroups_path: &str) -> Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in cgroups_path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
    {
        if c == ".." {
            return Err(SysError::invalid(
                "cgroupsPath",
                cgroups_path,
                "must not contain ..",
            ));
        }
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        return Err(SysError::invalid("cgroupsPath", cgroups_path, "is empty"));
    }
    Ok(out)
}

/// The container's directory in one hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupDir {
    pub hierarchy: Hierarchy,
    pub dir: PathBuf,
}

/// A container cgroup across all hierarchies of the host.
#[derive(Debug, Clone)]
pub struct Cgroup {
    pub path: PathBuf,
    pub dirs: Vec<CgroupDir>,
}

impl Cgroup {
    /// The container cgroup for the given hierarchies (pure: nothing is touched).
    pub fn new(hierarchies: &[Hierarchy], cgroups_path: &str) -> Result<Cgroup> {
        let path = clean_path(cgroups_path)?;
        let dirs = hierarchies
            .iter()
            .map(|h| CgroupDir {
                hierarchy: h.clone(),
                dir: h.mount().join(&path),
            })
            .collect();
        Ok(Cgroup { path, dirs })
    }

    pub fn for_host(cgroups_path: &str) -> Result<Cgroup> {
        Self::new(&host_hierarchies()?, cgroups_path)
    }

    /// mkdir in every hierarchy (each missing level; cpuset filled in on v1;
    /// controllers enabled down the v2 tree).
    pub fn create(&self) -> Result<()> {
        for d in &self.dirs {
            let mount = d.hierarchy.mount();
            let mut cur = mount.clone();
            for c in self.path.components() {
                cur.push(c);
                match std::fs::create_dir(&cur) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => {
                        return Err(SysError::from_io(&e, "mkdir", cur.display().to_string()))
                    }
                }
                if let Hierarchy::V1 { controllers, .. } = &d.hierarchy {
                    v1::prepare_level(controllers, &cur)?;
                }
            }
            if let Hierarchy::V2 { mount } = &d.hierarchy {
                v2::enable_controllers(mount, &d.dir);
            }
        }
        Ok(())
    }

    /// Apply the resources that are set, at start and on `tsrun update`.
    /// Answers what was asked for but no hierarchy can enforce (`memory`,
    /// `memory swap`, `oom kill disable`, `cpu`, `cpuset`, `pids`, `blkio
    /// weight`, `blkio throttle`): the engine warns about those
    /// by name; they are skipped rather than failing the container.
    pub fn apply(&self, r: &Resources) -> Result<Vec<&'static str>> {
        let mut covered: Vec<&'static str> = Vec::new();
        for d in &self.dirs {
            let done = match &d.hierarchy {
                Hierarchy::V1 { controllers, .. } => v1::apply(controllers, &d.dir, r)?,
                Hierarchy::V2 { .. } => v2::apply(&d.dir, r)?,
            };
            covered.extend(done);
        }
        Ok(wanted(r)
            .into_iter()
            .filter(|w| !covered.contains(w))
            .collect())
    }

    /// What the hierarchies could enforce of `r`, without writing anything:
    /// the controllers `apply` would report missing (for warnings at create).
    pub fn missing_for_host(hierarchies: &[Hierarchy], r: &Resources) -> Vec<&'static str> {
        let mut covered: Vec<&'static str> = Vec::new();
        for h in hierarchies {
            match h {
                Hierarchy::V1 { controllers, mount } => {
                    for c in controllers {
                        match c.as_str() {
                            "memory" => {
                                covered.push("memory");
                                if mount.join("memory.memsw.limit_in_bytes").exists() {
                                    covered.push("memory swap");
                                }
                                if mount.join("memory.oom_control").exists() {
                                    covered.push("oom kill disable");
                                }
                            }
                            "blkio" => {
                                // BFQ's weight file exists below the root only;
                                // its statistics at the root say it is there.
                                if mount.join("blkio.weight").exists()
                                    || mount.join("blkio.bfq.io_service_bytes").exists()
                                {
                                    covered.push("blkio weight");
                                }
                                if mount.join("blkio.throttle.read_bps_device").exists() {
                                    covered.push("blkio throttle");
                                }
                            }
                            "cpu" => covered.push("cpu"),
                            "cpuset" => covered.push("cpuset"),
                            "pids" => covered.push("pids"),
                            _ => {}
                        }
                    }
                }
                Hierarchy::V2 { mount } => {
                    for c in ["memory", "cpu", "cpuset", "pids"] {
                        if v2::has(mount, c) {
                            covered.push(c);
                        }
                    }
                    // memory.swap.max exists below the root only: trust the controller.
                    if v2::has(mount, "memory") {
                        covered.push("memory swap");
                    }
                    // The weight and io.max files too exist below the root only.
                    if v2::has(mount, "io") {
                        covered.extend(["blkio weight", "blkio throttle"]);
                    }
                }
            }
        }
        wanted(r)
            .into_iter()
            .filter(|w| !covered.contains(w))
            .collect()
    }

    /// Restrict device access to `rules` (checked by `devices::parse`): the
    /// v1 devices hierarchy gets the lines, the cgroup2 tree an eBPF program
    /// made from the same list. Both are set where both exist (a hybrid
    /// host), and the v2 program is then a second lock: if the kernel
    /// refuses it, the v1 rules still hold. Called once per start, after
    /// the container's own device nodes are made and before its exec
    /// (devices cannot be narrowed again by `update`). Nothing to enforce
    /// with: an error, unless the rules allow everything anyway.
    pub fn apply_devices(&self, rules: &[devices::Rule]) -> Result<()> {
        if rules.is_empty() {
            return Ok(());
        }
        let eff = devices::effective(rules);
        let mut enforced = false;
        for d in &self.dirs {
            if let Hierarchy::V1 { controllers, .. } = &d.hierarchy {
                if controllers.iter().any(|c| c == "devices") {
                    devices::apply_v1(&d.dir, rules)?;
                    enforced = true;
                }
            }
        }
        for d in &self.dirs {
            if let Hierarchy::V2 { .. } = &d.hierarchy {
                match device_bpf::apply(&d.dir, &eff) {
                    Ok(()) => enforced = true,
                    Err(_) if enforced => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let allows_all = eff.default_allow && eff.exceptions.is_empty();
        if !enforced && !allows_all {
            return Err(SysError::invalid(
                "cgroup",
                "devices",
                "no devices controller or cgroup2 tree to enforce the device rules",
            ));
        }
        Ok(())
    }

    /// Move a process (host pid) into the cgroup in every hierarchy.
    pub fn add_pid(&self, pid: i32) -> Result<()> {
        for d in &self.dirs {
            write_file(&d.dir.join("cgroup.procs"), &pid.to_string())?;
        }
        Ok(())
    }

    /// PIDs currently in the cgroup (union over hierarchies).
    pub fn pids(&self) -> Vec<i32> {
        let mut out = Vec::new();
        for d in &self.dirs {
            for dir in subtree(&d.dir) {
                if let Ok(t) = std::fs::read_to_string(dir.join("cgroup.procs")) {
                    for p in t.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
            }
        }
        out
    }

    /// SIGKILL everything inside, sub-cgroups the container made included:
    /// `cgroup.kill` when the v2 tree has it, else signal each pid until
    /// none is left (bounded).
    pub fn kill(&self) -> Result<()> {
        // A frozen task cannot act on SIGKILL: thaw first (best effort),
        // every sub-cgroup too (a container may freeze its own), parents
        // before children (a child cannot thaw under a frozen parent).
        for d in &self.dirs {
            for dir in subtree(&d.dir).into_iter().rev() {
                let _ = match &d.hierarchy {
                    Hierarchy::V1 { controllers, .. }
                        if v1::frozen(controllers, &dir) == Some(true) =>
                    {
                        v1::freeze(controllers, &dir, false)
                    }
                    Hierarchy::V2 { .. } if v2::frozen(&dir) == Some(true) => {
                        v2::freeze(&dir, false)
                    }
                    _ => Ok(false),
                };
            }
        }
        for d in &self.dirs {
            let k = d.dir.join("cgroup.kill");
            if matches!(d.hierarchy, Hierarchy::V2 { .. }) && k.exists() {
                write_file(&k, "1")?;
            }
        }
        for _ in 0..200 {
            let pids = self.pids();
            if pids.is_empty() {
                return Ok(());
            }
            for p in pids {
                // SAFETY: plain kill(2).
                unsafe { libc::kill(p, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    /// Whether the kernel OOM-killed something in the cgroup.
    pub fn oom_killed(&self) -> bool {
        self.dirs.iter().any(|d| match &d.hierarchy {
            Hierarchy::V1 { controllers, .. } => v1::oom_killed(controllers, &d.dir),
            Hierarchy::V2 { .. } => v2::oom_killed(&d.dir),
        })
    }

    /// Freeze (`tsrun pause`) or thaw every process of the container, waiting
    /// until the kernel reports the new state. With no freezer anywhere, an
    /// error naming the missing controller.
    pub fn freeze(&self, frozen: bool) -> Result<()> {
        let mut done = false;
        for d in &self.dirs {
            done |= match &d.hierarchy {
                Hierarchy::V1 { controllers, .. } => v1::freeze(controllers, &d.dir, frozen)?,
                // On a hybrid host the v1 freezer is the one that counts.
                Hierarchy::V2 { .. } if !done => v2::freeze(&d.dir, frozen)?,
                Hierarchy::V2 { .. } => false,
            };
        }
        if !done {
            return Err(SysError::invalid(
                "cgroup",
                "freezer",
                "controller not available",
            ));
        }
        Ok(())
    }

    /// Whether the container is frozen (`false` when no freezer says so).
    pub fn frozen(&self) -> bool {
        self.dirs.iter().any(|d| {
            match &d.hierarchy {
                Hierarchy::V1 { controllers, .. } => v1::frozen(controllers, &d.dir),
                Hierarchy::V2 { .. } => v2::frozen(&d.dir),
            }
            .unwrap_or(false)
        })
    }

    /// CPU, memory, pids and block I/O figures of the container.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for d in &self.dirs {
            match &d.hierarchy {
                Hierarchy::V1 { controllers, .. } => v1::stats(controllers, &d.dir, &mut s),
                Hierarchy::V2 { .. } => v2::stats(&d.dir, &mut s),
            }
        }
        s
    }

    /// Kill, then rmdir in every hierarchy (retrying while the kernel still
    /// counts exiting tasks). Missing directories are fine.
    pub fn remove(&self) -> Result<()> {
        self.kill()?;
        let mut first_err = None;
        for d in &self.dirs {
            // Sub-cgroups the container made in its cgroup namespace first.
            for dir in subtree(&d.dir) {
                if let Err(e) = rmdir_retry(&dir) {
                    first_err.get_or_insert(e);
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

/// The controllers `r` asks something of.
fn wanted(r: &Resources) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some(m) = &r.memory {
        if m.limit.is_some() || m.reservation.is_some() {
            out.push("memory");
        }
        if m.swap.is_some() {
            out.push("memory swap");
        }
        if m.disable_oom_killer == Some(true) {
            out.push("oom kill disable");
        }
    }
    if let Some(c) = &r.cpu {
        if cpu::wants_cpu(c) {
            out.push("cpu");
        }
        if cpu::wants_cpuset(c) {
            out.push("cpuset");
        }
    }
    if r.pids.is_some() {
        out.push("pids");
    }
    if let Some(b) = &r.block_io {
        if b.weight.is_some() {
            out.push("blkio weight");
        }
        if b.throttles() {
            out.push("blkio throttle");
        }
    }
    out
}

/// `dir` and every cgroup below it, children before their parents. Walked
/// with a stack, not recursion: a container in its own cgroup namespace may
/// make sub-cgroups of any number and depth. Nothing when `dir` is missing.
fn subtree(dir: &Path) -> Vec<PathBuf> {
    let mut order = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(e.path());
            }
        }
        order.push(d);
    }
    // Parents were pushed before their children: reversed, children come first.
    order.reverse();
    order
}

fn rmdir_retry(dir: &Path) -> Result<()> {
    for _ in 0..400 {
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(SysError::from_io(&e, "rmdir", dir.display().to_string())),
        }
    }
    Err(SysError::from_errno(
        libc::EBUSY,
        "rmdir",
        dir.display().to_string(),
    ))
}

/// Read a single-value cgroup file (exposed for tests and stats).
pub fn read_value(p: &Path) -> Result<String> {
    read_trim(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::{Cpu, Memory, Pids};

    #[test]
    fn subtree_lists_children_before_parents() {
        let t = tempfile::tempdir().unwrap();
        let top = t.path().join("c");
        for p in ["c/a/deep", "c/b"] {
            std::fs::create_dir_all(t.path().join(p)).unwrap();
        }
        std::fs::write(top.join("cgroup.procs"), "").unwrap();
        let order = subtree(&top);
        let pos = |p: &str| order.iter().position(|d| d == &t.path().join(p)).unwrap();
        assert_eq!(order.len(), 4);
        assert!(pos("c/a/deep") < pos("c/a"));
        assert!(pos("c/a") < pos("c") && pos("c/b") < pos("c"));
        assert_eq!(order.last().unwrap(), &top);
        assert!(subtree(&t.path().join("missing")).len() <= 1);
    }

    fn fake_host(root: &Path) -> Vec<Hierarchy> {
        let mut h = Vec::new();
        for c in ["cpu", "cpuset", "memory", "pids"] {
            let m = root.join(c);
            std::fs::create_dir_all(&m).unwrap();
            h.push(Hierarchy::V1 {
                controllers: vec![c.to_string()],
                mount: m,
            });
        }
        std::fs::write(root.join("cpuset/cpuset.cpus"), "0-3\n").unwrap();
        std::fs::write(root.join("cpuset/cpuset.mems"), "0\n").unwrap();
        let u = root.join("unified");
        std::fs::create_dir_all(&u).unwrap();
        std::fs::write(u.join("cgroup.controllers"), "hugetlb\n").unwrap();
        h.push(Hierarchy::V2 { mount: u });
        h
    }

    #[test]
    fn paths_are_relative_to_each_hierarchy() {
        let h = vec![
            Hierarchy::V1 {
                controllers: vec!["memory".into()],
                mount: "/sys/fs/cgroup/memory".into(),
            },
            Hierarchy::V2 {
                mount: "/sys/fs/cgroup/unified".into(),
            },
        ];
        let c = Cgroup::new(&h, "/tsrun/abc").unwrap();
        assert_eq!(
            c.dirs[0].dir,
            PathBuf::from("/sys/fs/cgroup/memory/tsrun/abc")
        );
        assert_eq!(
            c.dirs[1].dir,
            PathBuf::from("/sys/fs/cgroup/unified/tsrun/abc")
        );
        assert!(Cgroup::new(&h, "tsrun/../../etc").is_err());
        assert!(Cgroup::new(&h, "/").is_err());
    }

    #[test]
    fn create_apply_remove_on_fake_tree() {
        let t = tempfile::tempdir().unwrap();
        let h = fake_host(t.path());
        let c = Cgroup::new(&h, "tsrun/x1").unwrap();
        c.create().unwrap();
        // cpuset copied down both levels
        assert_eq!(
            std::fs::read_to_string(t.path().join("cpuset/tsrun/x1/cpuset.cpus")).unwrap(),
            "0-3"
        );
        assert_eq!(
            std::fs::read_to_string(t.path().join("cpuset/tsrun/cpuset.mems")).unwrap(),
            "0"
        );
        let r = Resources {
            memory: Some(Memory {
                limit: Some(64 << 20),
                ..Default::default()
            }),
            cpu: Some(Cpu {
                shares: Some(512),
                quota: Some(50_000),
                period: Some(100_000),
                ..Default::default()
            }),
            pids: Some(Pids { limit: 0 }),
            ..Default::default()
        };
        c.apply(&r).unwrap();
        let rd = |p: &str| std::fs::read_to_string(t.path().join(p)).unwrap();
        assert_eq!(rd("memory/tsrun/x1/memory.limit_in_bytes"), "67108864");
        assert_eq!(rd("cpu/tsrun/x1/cpu.shares"), "512");
        assert_eq!(rd("cpu/tsrun/x1/cpu.cfs_quota_us"), "50000");
        assert_eq!(rd("pids/tsrun/x1/pids.max"), "max");
        assert!(
            !t.path().join("unified/tsrun/x1/memory.max").exists(),
            "hybrid unified tree has no memory controller"
        );
        assert!(!c.oom_killed());
        std::fs::write(
            t.path().join("memory/tsrun/x1/memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        )
        .unwrap();
        assert!(c.oom_killed());
    }

    #[test]
    fn limit_without_controller_is_reported_missing() {
        let t = tempfile::tempdir().unwrap();
        let u = t.path().join("unified");
        std::fs::create_dir_all(u.join("tsrun/y")).unwrap();
        std::fs::write(u.join("tsrun/y/cgroup.controllers"), "pids\n").unwrap();
        let c = Cgroup::new(&[Hierarchy::V2 { mount: u.clone() }], "tsrun/y").unwrap();
        let r = Resources {
            memory: Some(Memory {
                limit: Some(1 << 30),
                swap: Some(2 << 30),
                ..Default::default()
            }),
            cpu: Some(Cpu {
                cpus: Some("0".into()),
                ..Default::default()
            }),
            pids: Some(Pids { limit: 10 }),
            ..Default::default()
        };
        assert_eq!(
            c.apply(&r).unwrap(),
            vec!["memory", "memory swap", "cpuset"]
        );
        assert_eq!(
            std::fs::read_to_string(u.join("tsrun/y/pids.max")).unwrap(),
            "10"
        );
        assert!(
            !u.join("tsrun/y/memory.max").exists(),
            "nothing written for a missing controller"
        );
    }

    #[test]
    fn hybrid_host_covers_with_v1() {
        let t = tempfile::tempdir().unwrap();
        let h = fake_host(t.path());
        let r = Resources {
            memory: Some(Memory {
                limit: Some(64 << 20),
                swap: Some(128 << 20),
                ..Default::default()
            }),
            pids: Some(Pids { limit: 5 }),
            ..Default::default()
        };
        // The fake memory hierarchy has no memsw file: swap is the one gap.
        assert_eq!(Cgroup::missing_for_host(&h, &r), vec!["memory swap"]);
        std::fs::write(t.path().join("memory/memory.memsw.limit_in_bytes"), "").unwrap();
        assert!(Cgroup::missing_for_host(&h, &r).is_empty());
        assert_eq!(
            Cgroup::missing_for_host(&h[4..], &r),
            vec!["memory", "memory swap", "pids"]
        );
    }

    #[test]
    fn a_pure_v2_host_cannot_disable_the_oom_killer_and_needs_io_for_blkio() {
        let t = tempfile::tempdir().unwrap();
        let u = t.path().join("unified");
        std::fs::create_dir_all(&u).unwrap();
        std::fs::write(u.join("cgroup.controllers"), "memory pids\n").unwrap();
        let h = [Hierarchy::V2 { mount: u.clone() }];
        let r = Resources {
            memory: Some(Memory {
                reservation: Some(32 << 20),
                disable_oom_killer: Some(true),
                ..Default::default()
            }),
            block_io: Some(crate::oci::BlockIo {
                weight: Some(500),
                throttle_read_bps_device: vec![crate::oci::ThrottleDevice {
                    major: 8,
                    minor: 0,
                    rate: 1,
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            Cgroup::missing_for_host(&h, &r),
            vec!["oom kill disable", "blkio weight", "blkio throttle"]
        );
        std::fs::write(u.join("cgroup.controllers"), "memory pids io\n").unwrap();
        assert_eq!(Cgroup::missing_for_host(&h, &r), vec!["oom kill disable"]);
    }

    #[test]
    fn freeze_and_stats_on_fake_tree() {
        let t = tempfile::tempdir().unwrap();
        let mut h = fake_host(t.path());
        for c in ["freezer", "cpuacct"] {
            std::fs::create_dir_all(t.path().join(c)).unwrap();
            h.push(Hierarchy::V1 {
                controllers: vec![c.to_string()],
                mount: t.path().join(c),
            });
        }
        let c = Cgroup::new(&h, "tsrun/z").unwrap();
        c.create().unwrap();
        assert!(!c.frozen());
        c.freeze(true).unwrap();
        assert!(c.frozen());
        assert_eq!(
            std::fs::read_to_string(t.path().join("freezer/tsrun/z/freezer.state")).unwrap(),
            "FROZEN"
        );
        c.freeze(false).unwrap();
        assert!(!c.frozen());
        let w = |f: &str, v: &str| std::fs::write(t.path().join(f), v).unwrap();
        w("cpuacct/tsrun/z/cpuacct.usage", "5000\n");
        w("memory/tsrun/z/memory.usage_in_bytes", "4096\n");
        w("memory/tsrun/z/memory.limit_in_bytes", "67108864\n");
        w("pids/tsrun/z/pids.current", "3\n");
        let s = c.stats();
        assert_eq!(s.cpu_usage_ns, Some(5000));
        assert_eq!(s.memory.unwrap().limit, Some(64 << 20));
        assert_eq!(s.pids, Some(3));
        assert_eq!(s.blkio, None, "no blkio hierarchy in the fake host");
        // Without a freezer: an error naming it.
        let bare = Cgroup::new(&h[..1], "tsrun/z").unwrap();
        assert_eq!(
            bare.freeze(true).unwrap_err().to_string(),
            "cgroup freezer: controller not available"
        );
    }

    #[test]
    fn probe_this_host() {
        let p = probe();
        assert!(["v1", "v2", "hybrid", "none"].contains(&p.cgroup.as_str()));
    }
}
