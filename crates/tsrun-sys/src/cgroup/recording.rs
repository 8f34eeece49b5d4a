//! A `CgroupManager` that touches nothing and records every call, for unit
//! tests of the code that drives a manager (the shape of youki's
//! `TestManager`). It can be told which pids are "inside", which
//! controllers do not enforce, and which call fails.
use std::cell::RefCell;

use super::manager::CgroupManager;
use super::{devices, Stats};
use crate::error::{Result, SysError};
use crate::oci::Resources;

/// One call a `RecordingManager` received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Create,
    Apply,
    ApplyDevices,
    AddPid(i32),
    Pids,
    Kill,
    OomKilled,
    Freeze(bool),
    Frozen,
    Stats,
    Remove,
}

/// The fake. Interior mutability: the trait takes `&self`, as the real one
/// (which writes files) does.
#[derive(Debug, Default)]
pub struct RecordingManager {
    calls: RefCell<Vec<Call>>,
    inside: RefCell<Vec<i32>>,
    unenforced: Vec<&'static str>,
    failing: Option<Call>,
    frozen: RefCell<bool>,
    applied: RefCell<Vec<Resources>>,
}

impl RecordingManager {
    pub fn new() -> Self {
        Self::default()
    }

    /// These pids are in the cgroup.
    pub fn with_pids(self, pids: &[i32]) -> Self {
        *self.inside.borrow_mut() = pids.to_vec();
        self
    }

    /// `apply` answers these as not enforced.
    pub fn unenforced(mut self, what: &[&'static str]) -> Self {
        self.unenforced = what.to_vec();
        self
    }

    /// This call fails (an `AddPid` of any pid matches `AddPid(_)` given with any pid).
    pub fn failing(mut self, call: Call) -> Self {
        self.failing = Some(call);
        self
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// The resources `apply` was given, in order.
    pub fn applied(&self) -> Vec<Resources> {
        self.applied.borrow().clone()
    }

    fn record(&self, c: Call) -> Result<()> {
        self.calls.borrow_mut().push(c);
        let fails = match (self.failing, c) {
            (Some(Call::AddPid(_)), Call::AddPid(_)) => true,
            (Some(f), c) => f == c,
            (None, _) => false,
        };
        if fails {
            return Err(SysError::invalid("cgroup", "recording", "told to fail"));
        }
        Ok(())
    }
}

impl CgroupManager for RecordingManager {
    fn create(&self) -> Result<()> {
        self.record(Call::Create)
    }
    fn apply(&self, r: &Resources) -> Result<Vec<&'static str>> {
        self.record(Call::Apply)?;
        self.applied.borrow_mut().push(r.clone());
        Ok(self.unenforced.clone())
    }
    fn apply_devices(&self, _rules: &[devices::Rule]) -> Result<()> {
        self.record(Call::ApplyDevices)
    }
    fn add_pid(&self, pid: i32) -> Result<()> {
        self.record(Call::AddPid(pid))?;
        self.inside.borrow_mut().push(pid);
        Ok(())
    }
    fn pids(&self) -> Vec<i32> {
        let _ = self.record(Call::Pids);
        self.inside.borrow().clone()
    }
    fn kill(&self) -> Result<()> {
        self.record(Call::Kill)?;
        self.inside.borrow_mut().clear();
        Ok(())
    }
    fn oom_killed(&self) -> bool {
        let _ = self.record(Call::OomKilled);
        false
    }
    fn freeze(&self, frozen: bool) -> Result<()> {
        self.record(Call::Freeze(frozen))?;
        *self.frozen.borrow_mut() = frozen;
        Ok(())
    }
    fn frozen(&self) -> bool {
        let _ = self.record(Call::Frozen);
        *self.frozen.borrow()
    }
    fn stats(&self) -> Stats {
        let _ = self.record(Call::Stats);
        Stats::default()
    }
    fn remove(&self) -> Result<()> {
        self.record(Call::Remove)?;
        self.inside.borrow_mut().clear();
        Ok(())
    }
}
