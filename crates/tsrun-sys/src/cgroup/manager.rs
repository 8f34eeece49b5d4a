//! The operations a container's cgroup offers, as one trait (the shape of
//! youki's libcgroups `CgroupManager`, learned from, not copied). `Cgroup`
//! is the host's implementation: every mounted hierarchy, dir by dir, with
//! the v1 logic in `v1.rs` and the v2 logic in `v2.rs` (a hybrid host has
//! both). A delegated systemd manager (a transient scope over D-Bus) would
//! be a third implementation of the same trait. `RecordingManager`
//! (recording.rs) is a fake that records what it is asked, so the code that
//! drives a manager (`prepare`, the runtime's create and delete, the
//! monitor's exit) is unit-tested without root or a cgroup tree.
use super::{devices, Cgroup, Stats};
use crate::error::{Result, SysError};
use crate::oci::Resources;

/// A container's cgroup, whatever implements it.
pub trait CgroupManager {
    /// Make the cgroup (every missing level); existing is fine.
    fn create(&self) -> Result<()>;
    /// Write `linux.resources`; answers what no controller could enforce.
    fn apply(&self, r: &Resources) -> Result<Vec<&'static str>>;
    /// The device rules, once the container's own nodes are made.
    fn apply_devices(&self, rules: &[devices::Rule]) -> Result<()>;
    /// Move a host pid in.
    fn add_pid(&self, pid: i32) -> Result<()>;
    /// The pids inside, sub-cgroups included.
    fn pids(&self) -> Vec<i32>;
    /// SIGKILL everything inside.
    fn kill(&self) -> Result<()>;
    /// Whether the kernel OOM-killed something inside.
    fn oom_killed(&self) -> bool;
    /// Freeze or thaw everything inside.
    fn freeze(&self, frozen: bool) -> Result<()>;
    /// Whether it is frozen.
    fn frozen(&self) -> bool;
    /// Usage figures.
    fn stats(&self) -> Stats;
    /// Kill what is left, then remove it (missing is fine).
    fn remove(&self) -> Result<()>;
}

impl CgroupManager for Cgroup {
    fn create(&self) -> Result<()> {
        Cgroup::create(self)
    }
    fn apply(&self, r: &Resources) -> Result<Vec<&'static str>> {
        Cgroup::apply(self, r)
    }
    fn apply_devices(&self, rules: &[devices::Rule]) -> Result<()> {
        Cgroup::apply_devices(self, rules)
    }
    fn add_pid(&self, pid: i32) -> Result<()> {
        Cgroup::add_pid(self, pid)
    }
    fn pids(&self) -> Vec<i32> {
        Cgroup::pids(self)
    }
    fn kill(&self) -> Result<()> {
        Cgroup::kill(self)
    }
    fn oom_killed(&self) -> bool {
        Cgroup::oom_killed(self)
    }
    fn freeze(&self, frozen: bool) -> Result<()> {
        Cgroup::freeze(self, frozen)
    }
    fn frozen(&self) -> bool {
        Cgroup::frozen(self)
    }
    fn stats(&self) -> Stats {
        Cgroup::stats(self)
    }
    fn remove(&self) -> Result<()> {
        Cgroup::remove(self)
    }
}

/// What `prepare` does with a cgroup that already has processes in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// Refuse it (an OCI runtime: it belongs to another container, and
    /// joining it would mix the two; runc refuses it too).
    Refuse,
    /// Go on (the monitor restarting its own container: whatever is left
    /// there is that container's and is killed with it).
    Allow,
}

/// Make a container's cgroup ready for its init: create it, refuse a busy
/// one when told to, apply `resources`. Answers what was asked for but not
/// enforced, for the caller to warn about. When applying fails, the cgroup
/// is removed again (it is empty: a busy one was refused or allowed before
/// anything was written), so a refused container leaves no directory.
pub fn prepare(
    m: &dyn CgroupManager,
    cgroups_path: &str,
    resources: Option<&Resources>,
    busy: Busy,
) -> Result<Vec<&'static str>> {
    m.create()?;
    if busy == Busy::Refuse {
        let others = m.pids();
        if !others.is_empty() {
            return Err(SysError::invalid(
                "cgroup",
                cgroups_path,
                format!(
                    "has {} process(es) of another container in it: a container cannot join it",
                    others.len()
                ),
            ));
        }
    }
    let Some(r) = resources else {
        return Ok(Vec::new());
    };
    match m.apply(r) {
        Ok(missing) => Ok(missing),
        Err(e) => {
            let _ = m.remove();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::recording::{Call, RecordingManager};
    use super::*;

    fn limits() -> Resources {
        serde_json::from_str(r#"{"memory":{"limit":67108864},"pids":{"limit":10}}"#).unwrap()
    }

    #[test]
    fn prepare_creates_then_applies_and_passes_on_what_was_not_enforced() {
        let m = RecordingManager::new().unenforced(&["pids"]);
        let missing = prepare(&m, "tsrun/a", Some(&limits()), Busy::Refuse).unwrap();
        assert_eq!(missing, vec!["pids"]);
        assert_eq!(m.calls(), vec![Call::Create, Call::Pids, Call::Apply]);
    }

    #[test]
    fn a_busy_cgroup_is_refused_before_anything_is_written_and_is_not_removed() {
        let m = RecordingManager::new().with_pids(&[41, 42]);
        let e = prepare(&m, "tsrun/b", Some(&limits()), Busy::Refuse).unwrap_err();
        assert!(e.to_string().contains("2 process(es)"), "{e}");
        // Not applied to, and above all not removed: its processes are another container's.
        assert_eq!(m.calls(), vec![Call::Create, Call::Pids]);
    }

    #[test]
    fn the_monitor_may_restart_into_its_own_busy_cgroup() {
        let m = RecordingManager::new().with_pids(&[7]);
        prepare(&m, "tsrun/c", Some(&limits()), Busy::Allow).unwrap();
        assert_eq!(m.calls(), vec![Call::Create, Call::Apply]);
    }

    #[test]
    fn a_failed_apply_removes_the_cgroup_it_made() {
        let m = RecordingManager::new().failing(Call::Apply);
        assert!(prepare(&m, "tsrun/d", Some(&limits()), Busy::Refuse).is_err());
        assert_eq!(
            m.calls(),
            vec![Call::Create, Call::Pids, Call::Apply, Call::Remove]
        );
    }

    #[test]
    fn a_failed_create_touches_nothing_else() {
        let m = RecordingManager::new().failing(Call::Create);
        assert!(prepare(&m, "tsrun/e", None, Busy::Refuse).is_err());
        assert_eq!(m.calls(), vec![Call::Create]);
    }

    #[test]
    fn no_resources_means_nothing_is_applied() {
        let m = RecordingManager::new();
        assert!(prepare(&m, "tsrun/f", None, Busy::Allow)
            .unwrap()
            .is_empty());
        assert_eq!(m.calls(), vec![Call::Create]);
    }
}
