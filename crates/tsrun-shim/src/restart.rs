//! Restart policies, carried out by the monitor itself (no daemon): the
//! engine writes `io.tsrun.restart` (`always`, `unless-stopped`,
//! `on-failure`, `on-failure:N`) into config.json; when PID 1 exits the
//! monitor decides here whether to start the container again.
//!
//! A stop the user asked for must never restart: `tsrun stop`/`kill`/`rm`
//! create `<state-dir>/stop-requested` before signalling, and the monitor
//! looks for it when PID 1 exits and while it waits out the backoff.
//! `tsrun start` removes it. (`unless-stopped` differs from `always` only
//! across host reboots: see `tsrun generate systemd`.)
use std::path::Path;

use tsrun_sys::oci::Spec;

pub const ANNOTATION: &str = "io.tsrun.restart";
/// Created by the engine when the user stops the container.
pub const STOP_MARKER: &str = "stop-requested";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Always,
    UnlessStopped,
    /// Restart on a non-zero exit, at most N times (0: no limit).
    OnFailure(u32),
}

impl Policy {
    /// The annotation's policy; `None` for `no`, absent, or unreadable.
    pub fn parse(s: &str) -> Option<Policy> {
        match s.split_once(':') {
            None => match s {
                "always" => Some(Policy::Always),
                "unless-stopped" => Some(Policy::UnlessStopped),
                "on-failure" => Some(Policy::OnFailure(0)),
                _ => None,
            },
            Some(("on-failure", n)) => n.parse().ok().map(Policy::OnFailure),
            Some(_) => None,
        }
    }

    pub fn from_spec(spec: &Spec) -> Option<Policy> {
        spec.annotations
            .get(ANNOTATION)
            .and_then(|s| Policy::parse(s))
    }

    /// Whether a container that exited with `code` after `restarts` restarts goes again.
    pub fn wants(self, code: i32, restarts: u32) -> bool {
        match self {
            Policy::Always | Policy::UnlessStopped => true,
            Policy::OnFailure(max) => code != 0 && (max == 0 || restarts < max),
        }
    }
}

/// Whether the user asked this container to stop.
pub fn stop_requested(state_dir: &Path) -> bool {
    state_dir.join(STOP_MARKER).exists()
}

/// Docker's backoff: 100 ms, doubling per restart, at most a minute; a
/// container that ran for 10 s or more starts again from 100 ms.
pub fn backoff_ms(restarts: u32, ran_ms: u64) -> u64 {
    if ran_ms >= 10_000 {
        return 100;
    }
    (100u64 << restarts.min(10)).min(60_000)
}

/// Sleep `ms`, waking every 50 ms to look for a stop request. False when stopped.
pub fn wait(ms: u64, state_dir: &Path) -> bool {
    let mut left = ms;
    while left > 0 {
        if stop_requested(state_dir) {
            return false;
        }
        let step = left.min(50);
        std::thread::sleep(std::time::Duration::from_millis(step));
        left -= step;
    }
    !stop_requested(state_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies() {
        assert_eq!(Policy::parse("always"), Some(Policy::Always));
        assert_eq!(Policy::parse("unless-stopped"), Some(Policy::UnlessStopped));
        assert_eq!(Policy::parse("on-failure"), Some(Policy::OnFailure(0)));
        assert_eq!(Policy::parse("on-failure:3"), Some(Policy::OnFailure(3)));
        assert_eq!(Policy::parse("no"), None);
        assert_eq!(Policy::parse("on-failure:x"), None);
        assert_eq!(Policy::parse("always:2"), None);
    }

    #[test]
    fn decisions() {
        assert!(Policy::Always.wants(0, 100));
        assert!(Policy::OnFailure(2).wants(1, 0));
        assert!(Policy::OnFailure(2).wants(1, 1));
        assert!(!Policy::OnFailure(2).wants(1, 2));
        assert!(!Policy::OnFailure(2).wants(0, 0));
        assert!(Policy::OnFailure(0).wants(137, 1000));
    }

    #[test]
    fn backoff_doubles_and_resets() {
        assert_eq!(backoff_ms(0, 0), 100);
        assert_eq!(backoff_ms(3, 0), 800);
        assert_eq!(backoff_ms(30, 0), 60_000);
        assert_eq!(backoff_ms(5, 10_000), 100);
    }

    #[test]
    fn stop_marker_ends_the_wait() {
        let d = tempfile::tempdir().unwrap();
        assert!(wait(60, d.path()));
        std::fs::write(d.path().join(STOP_MARKER), "").unwrap();
        assert!(!wait(60_000, d.path()));
    }
}
