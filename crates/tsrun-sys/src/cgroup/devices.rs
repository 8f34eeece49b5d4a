//! The device cgroup rules (`linux.resources.devices`): checked once, then
//! written as cgroup v1 `devices.deny` / `devices.allow` lines, or reduced
//! to the list the v1 kernel would keep (a default plus exceptions) for the
//! cgroup v2 eBPF program (`device_bpf`), so both enforce the same thing.
use std::path::Path;

use super::fsutil::write_file;
use crate::error::{Result, SysError};
use crate::oci::DeviceRule;

/// Which nodes a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `a`: every device, char and block.
    All,
    Char,
    Block,
}

/// Access bits, as the kernel's `DEVCG_ACC_*` (and BPF's `BPF_DEVCG_ACC_*`).
pub const ACC_MKNOD: u8 = 1;
pub const ACC_READ: u8 = 2;
pub const ACC_WRITE: u8 = 4;
pub const ACC_ALL: u8 = ACC_MKNOD | ACC_READ | ACC_WRITE;

/// One checked rule. `None` numbers are wildcards (`*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub allow: bool,
    pub kind: Kind,
    pub major: Option<u32>,
    pub minor: Option<u32>,
    pub access: u8,
}

impl Rule {
    /// The v1 line: `c 1:3 rwm`, `b *:* m`, `a *:* rwm`.
    pub fn v1_line(&self) -> String {
        let k = match self.kind {
            Kind::All => 'a',
            Kind::Char => 'c',
            Kind::Block => 'b',
        };
        let n = |v: Option<u32>| v.map_or("*".to_string(), |v| v.to_string());
        format!(
            "{k} {}:{} {}",
            n(self.major),
            n(self.minor),
            access_str(self.access)
        )
    }
}

fn access_str(a: u8) -> String {
    let mut s = String::new();
    for (bit, c) in [(ACC_READ, 'r'), (ACC_WRITE, 'w'), (ACC_MKNOD, 'm')] {
        if a & bit != 0 {
            s.push(c);
        }
    }
    s
}

fn bad(what: String, why: &str) -> SysError {
    SysError::invalid("device rule", what, why)
}

/// Check the OCI rules. A rule for all devices must be for all access and
/// carry no numbers: the v1 kernel reads only its `a` (it resets the list),
/// so anything narrower would mean different things on v1 and v2.
pub fn parse(rules: &[DeviceRule]) -> Result<Vec<Rule>> {
    rules.iter().map(parse_one).collect()
}

fn parse_one(r: &DeviceRule) -> Result<Rule> {
    let shown = || {
        format!(
            "{} {}:{} {}",
            r.kind.as_deref().unwrap_or("a"),
            r.major.map_or("*".into(), |v| v.to_string()),
            r.minor.map_or("*".into(), |v| v.to_string()),
            r.access.as_deref().unwrap_or("")
        )
    };
    let kind = match r.kind.as_deref() {
        None | Some("a") => Kind::All,
        Some("c") | Some("u") => Kind::Char,
        Some("b") => Kind::Block,
        Some(_) => return Err(bad(shown(), "type must be a, c or b")),
    };
    let access_text = r.access.as_deref().unwrap_or("rwm");
    let mut access = 0u8;
    for c in access_text.chars() {
        let bit = match c {
            'r' => ACC_READ,
            'w' => ACC_WRITE,
            'm' => ACC_MKNOD,
            _ => return Err(bad(shown(), "access must be made of r, w and m")),
        };
        if access & bit != 0 {
            return Err(bad(shown(), "access repeats a letter"));
        }
        access |= bit;
    }
    if access == 0 {
        return Err(bad(shown(), "access is empty"));
    }
    let num = |v: Option<i64>| -> Result<Option<u32>> {
        match v {
            None => Ok(None),
            Some(n) if n < 0 => Ok(None),
            Some(n) if n <= u32::MAX as i64 => Ok(Some(n as u32)),
            Some(_) => Err(bad(shown(), "number out of range")),
        }
    };
    let rule = Rule {
        allow: r.allow,
        kind,
        major: num(r.major)?,
        minor: num(r.minor)?,
        access,
    };
    if kind == Kind::All && (rule.major.is_some() || rule.minor.is_some() || access != ACC_ALL) {
        return Err(bad(shown(), "a rule for all devices must be `a *:* rwm`"));
    }
    Ok(rule)
}

/// Write the rules to a v1 devices cgroup, in order: each line edits the
/// list the previous ones left, as the kernel defines it.
pub fn apply_v1(dir: &Path, rules: &[Rule]) -> Result<()> {
    for r in rules {
        let file = if r.allow {
            "devices.allow"
        } else {
            "devices.deny"
        };
        write_file(&dir.join(file), &r.v1_line())?;
    }
    Ok(())
}

/// What a v1 devices cgroup holds after the rules: a default and the
/// exceptions to it (allow rules when the default denies, deny rules when
/// it allows). A new cgroup under an unrestricted parent starts allowing all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub default_allow: bool,
    pub exceptions: Vec<Rule>,
}

/// Replay the rules the way the v1 kernel does (devcgroup_update_access):
/// `a` sets the default and clears the exceptions; a rule against the
/// default adds an exception (merged with an identical one); a rule for the
/// default removes its access from an identical exception.
pub fn effective(rules: &[Rule]) -> Effective {
    let mut e = Effective {
        default_allow: true,
        exceptions: Vec::new(),
    };
    for r in rules {
        if r.kind == Kind::All {
            e.default_allow = r.allow;
            e.exceptions.clear();
            continue;
        }
        let same = |x: &Rule| x.kind == r.kind && x.major == r.major && x.minor == r.minor;
        if r.allow != e.default_allow {
            match e.exceptions.iter_mut().find(|x| same(x)) {
                Some(x) => x.access |= r.access,
                None => e.exceptions.push(*r),
            }
        } else {
            for x in e.exceptions.iter_mut().filter(|x| same(x)) {
                x.access &= !r.access;
            }
            e.exceptions.retain(|x| x.access != 0);
        }
    }
    e
}

/// The decision the effective list gives for one access (the v1 kernel's
/// rule, which the BPF program reproduces): with a default deny, allowed
/// when one exception covers every bit asked for; with a default allow,
/// denied when one exception shares any bit with it.
pub fn decide(e: &Effective, kind: Kind, major: u32, minor: u32, access: u8) -> bool {
    let matches = |x: &Rule| {
        x.kind == kind && x.major.is_none_or(|m| m == major) && x.minor.is_none_or(|m| m == minor)
    };
    if e.default_allow {
        !e.exceptions
            .iter()
            .any(|x| matches(x) && x.access & access != 0)
    } else {
        e.exceptions
            .iter()
            .any(|x| matches(x) && access & !x.access == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        allow: bool,
        kind: &str,
        major: Option<i64>,
        minor: Option<i64>,
        access: &str,
    ) -> DeviceRule {
        DeviceRule {
            allow,
            kind: Some(kind.to_string()),
            major,
            minor,
            access: Some(access.to_string()),
        }
    }

    /// Docker's defaults followed by runc's, as the engine writes them.
    fn docker_like() -> Vec<DeviceRule> {
        vec![
            DeviceRule {
                allow: false,
                access: Some("rwm".into()),
                ..Default::default()
            },
            rule(true, "c", Some(1), Some(3), "rwm"),
            rule(true, "c", Some(5), Some(1), "rwm"),
            rule(false, "c", Some(10), Some(229), "rwm"),
            rule(true, "c", None, None, "m"),
            rule(true, "b", None, None, "m"),
            rule(true, "c", Some(136), None, "rwm"),
            rule(true, "c", Some(1), Some(3), "rwm"),
        ]
    }

    #[test]
    fn v1_lines() {
        let r = parse(&docker_like()).unwrap();
        let lines: Vec<String> = r.iter().map(|r| r.v1_line()).collect();
        assert_eq!(
            lines,
            [
                "a *:* rwm",
                "c 1:3 rwm",
                "c 5:1 rwm",
                "c 10:229 rwm",
                "c *:* m",
                "b *:* m",
                "c 136:* rwm",
                "c 1:3 rwm"
            ]
        );
        assert!(!r[0].allow && r[1].allow && !r[3].allow);
        // Access letters come out in the kernel's order whatever the input's.
        assert_eq!(
            parse(&[rule(true, "b", Some(7), Some(0), "mw")]).unwrap()[0].v1_line(),
            "b 7:0 wm"
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        for (r, why) in [
            (rule(true, "x", None, None, "rwm"), "type must be a, c or b"),
            (
                rule(true, "c", Some(1), Some(3), "rwx"),
                "access must be made of r, w and m",
            ),
            (
                rule(true, "c", Some(1), Some(3), "rr"),
                "access repeats a letter",
            ),
            (rule(true, "c", Some(1), Some(3), ""), "access is empty"),
            (
                rule(true, "a", Some(1), None, "rwm"),
                "a rule for all devices must be `a *:* rwm`",
            ),
            (
                rule(false, "a", None, None, "r"),
                "a rule for all devices must be `a *:* rwm`",
            ),
        ] {
            let e = parse(&[r]).unwrap_err().to_string();
            assert!(e.ends_with(why), "{e}");
            assert!(e.starts_with("device rule "), "{e}");
        }
    }

    #[test]
    fn effective_list_as_the_kernel_keeps_it() {
        let e = effective(&parse(&docker_like()).unwrap());
        assert!(!e.default_allow);
        // The fuse deny had nothing to remove; 1:3 merged into one entry.
        let lines: Vec<String> = e.exceptions.iter().map(|r| r.v1_line()).collect();
        assert_eq!(
            lines,
            [
                "c 1:3 rwm",
                "c 5:1 rwm",
                "c *:* m",
                "b *:* m",
                "c 136:* rwm"
            ]
        );
        // A deny for the default removes bits from an identical exception only.
        let e = effective(
            &parse(&[
                rule(false, "a", None, None, "rwm"),
                rule(true, "c", Some(1), Some(5), "rwm"),
                rule(false, "c", Some(1), Some(5), "w"),
                rule(true, "c", Some(4), Some(1), "r"),
                rule(false, "c", Some(4), Some(1), "r"),
            ])
            .unwrap(),
        );
        assert_eq!(e.exceptions.len(), 1);
        assert_eq!(e.exceptions[0].v1_line(), "c 1:5 rm");
        // `a` in the allow file: everything, nothing excepted.
        let e = effective(&parse(&[rule(true, "a", None, None, "rwm")]).unwrap());
        assert!(e.default_allow && e.exceptions.is_empty());
    }

    #[test]
    fn decisions() {
        let e = effective(&parse(&docker_like()).unwrap());
        let (c, b) = (Kind::Char, Kind::Block);
        assert!(decide(&e, c, 1, 3, ACC_READ | ACC_WRITE));
        assert!(decide(&e, c, 136, 7, ACC_READ));
        assert!(decide(&e, b, 8, 0, ACC_MKNOD), "mknod of anything");
        assert!(!decide(&e, b, 8, 0, ACC_READ), "but no reading a disk");
        assert!(!decide(&e, c, 10, 229, ACC_READ));
        assert!(decide(&e, c, 1, 3, ACC_ALL));
        assert!(decide(&e, c, 5, 1, ACC_READ), "console");
        assert!(
            !decide(&e, c, 4, 1, ACC_READ | ACC_MKNOD),
            "m alone does not cover r"
        );
        // Blacklist mode: any shared bit denies.
        let e = effective(
            &parse(&[
                rule(true, "a", None, None, "rwm"),
                rule(false, "b", Some(8), None, "w"),
            ])
            .unwrap(),
        );
        assert!(decide(&e, b, 8, 1, ACC_READ));
        assert!(!decide(&e, b, 8, 1, ACC_READ | ACC_WRITE));
        assert!(decide(&e, c, 8, 1, ACC_WRITE));
    }

    #[test]
    fn writes_v1_files_in_order() {
        let t = tempfile::tempdir().unwrap();
        let r = parse(&docker_like()[..2]).unwrap();
        apply_v1(t.path(), &r).unwrap();
        // Each write replaces the fake file: the last line of each kind is left.
        assert_eq!(
            std::fs::read_to_string(t.path().join("devices.deny")).unwrap(),
            "a *:* rwm"
        );
        assert_eq!(
            std::fs::read_to_string(t.path().join("devices.allow")).unwrap(),
            "c 1:3 rwm"
        );
    }
}
