//! What /proc says of a process: its start time (field 22 of
//! `/proc/PID/stat`, clock ticks since boot), which with the pid names one
//! process even after the pid is reused, and whether it is a zombie.
use crate::error::{Result, SysError};

/// Field 22 (starttime, clock ticks since boot) of `/proc/<pid>/stat`, which
/// with the pid identifies a process even if the pid is reused. A zombie has
/// exited (its parent has not reaped it, which for an orphan under an init
/// that never reaps is forever): ESRCH, as for a pid that is gone, so no
/// caller takes a dead PID 1 for a running container.
pub fn pid_start_time(pid: i32) -> Result<u64> {
    let p = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&p).map_err(|e| SysError::from_io(&e, "read", p.clone()))?;
    if parse_state(&text).is_some_and(|s| s == 'Z' || s == 'X') {
        return Err(SysError::from_errno(libc::ESRCH, "read", p));
    }
    parse_start_time(&text).ok_or_else(|| SysError::invalid("parse", p, "no start time"))
}

/// The start time of our own child, zombie or not: until we reap it the
/// pid is still that child's, and a quick one (`echo`) may be a zombie by
/// the time its parent reads this. (`pid_start_time` counts a zombie as
/// gone: for a process that is not ours, a zombie is a dead container.)
pub fn child_start_time(pid: i32) -> Result<u64> {
    let p = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&p).map_err(|e| SysError::from_io(&e, "read", p.clone()))?;
    parse_start_time(&text).ok_or_else(|| SysError::invalid("parse", p, "no start time"))
}

/// The comm field (2) may contain spaces and parentheses: count from the last `)`.
pub fn parse_start_time(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After ')' come fields 3.. ; field 22 is the 20th of them.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Field 3, the process state letter (`R`, `S`, `Z`, ...).
pub fn parse_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_with_odd_comm() {
        let stat = "1234 (a b) c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10 18446744073709551615";
        assert_eq!(parse_start_time(stat), Some(987654));
        let own = pid_start_time(std::process::id() as i32).unwrap();
        assert!(own > 0);
    }

    #[test]
    fn a_zombie_has_no_start_time() {
        assert_eq!(parse_state("9 (sh (x)) Z 1 9 9"), Some('Z'));
        // SAFETY: a child that exits at once; we reap it only after looking.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe { libc::_exit(0) };
        }
        let zombie = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|t| parse_state(&t))
                == Some('Z')
        });
        assert!(zombie, "the child became a zombie");
        let err = pid_start_time(pid).unwrap_err();
        assert_eq!(err.code(), "ESRCH");
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }
}
