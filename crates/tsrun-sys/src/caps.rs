//! Linux capabilities for `process.capabilities`: names (`CAP_CHOWN`) to
//! numbers, dropping the bounding set, and capset for effective / permitted /
//! inheritable plus the ambient set. Order matters and is the caller's:
//! bounding drop (needs CAP_SETPCAP) before setuid, keep-caps across setuid,
//! then `apply_sets`.
use crate::error::{Result, SysError};
use crate::oci::Capabilities;

/// Capability names in kernel numbering order (CAP_CHOWN = 0).
pub const NAMES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// A set of capabilities as a 64-bit mask.
pub type CapSet = u64;

/// `CAP_CHOWN` (or `chown`, as Docker's `--cap-add` allows) → 0.
pub fn number(name: &str) -> Option<u32> {
    let up = name.to_ascii_uppercase();
    let full = if up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    };
    NAMES.iter().position(|n| *n == full).map(|i| i as u32)
}

/// The mask for a list of names; an unknown name is an error naming it.
pub fn mask(names: &[String]) -> Result<CapSet> {
    let mut m = 0u64;
    for n in names {
        let c = number(n)
            .ok_or_else(|| SysError::invalid("capability", n.clone(), "unknown capability"))?;
        m |= 1 << c;
    }
    Ok(m)
}

/// The highest capability this kernel knows (`/proc/sys/kernel/cap_last_cap`).
pub fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(NAMES.len() as u32 - 1)
}

/// The five sets, as masks limited to what the kernel supports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapSets {
    pub bounding: CapSet,
    pub effective: CapSet,
    pub permitted: CapSet,
    pub inheritable: CapSet,
    pub ambient: CapSet,
}

impl CapSets {
    pub fn from_spec(c: &Capabilities, last: u32) -> Result<CapSets> {
        let lim = if last >= 63 {
            u64::MAX
        } else {
            (1u64 << (last + 1)) - 1
        };
        Ok(CapSets {
            bounding: mask(&c.bounding)? & lim,
            effective: mask(&c.effective)? & lim,
            permitted: mask(&c.permitted)? & lim,
            inheritable: mask(&c.inheritable)? & lim,
            ambient: mask(&c.ambient)? & lim,
        })
    }
}

/// Drop every capability not in `keep` from the bounding set.
pub fn drop_bounding(keep: CapSet, last: u32) -> Result<()> {
    for cap in 0..=last {
        if keep & (1 << cap) != 0 {
            continue;
        }
        // SAFETY: prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) } != 0 {
            let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            if err != libc::EINVAL {
                return Err(SysError::from_errno(
                    err,
                    "prctl capbset_drop",
                    cap_name(cap),
                ));
            }
        }
    }
    Ok(())
}

fn cap_name(cap: u32) -> String {
    NAMES
        .get(cap as usize)
        .map(|s| s.to_string())
        .unwrap_or_else(|| cap.to_string())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// capset(effective, permitted, inheritable) then the ambient set.
pub fn apply_sets(s: &CapSets) -> Result<()> {
    let mut hdr = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [
        CapData {
            effective: s.effective as u32,
            permitted: s.permitted as u32,
            inheritable: s.inheritable as u32,
        },
        CapData {
            effective: (s.effective >> 32) as u32,
            permitted: (s.permitted >> 32) as u32,
            inheritable: (s.inheritable >> 32) as u32,
        },
    ];
    // SAFETY: header and two data structs as the v3 ABI requires.
    if unsafe { libc::syscall(libc::SYS_capset, &mut hdr as *mut CapHeader, data.as_ptr()) } != 0 {
        return Err(SysError::last("capset", ""));
    }
    // SAFETY: prctl with integer arguments.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    for cap in 0..64u32 {
        if s.ambient & (1 << cap) == 0 {
            continue;
        }
        // SAFETY: as above. Ambient needs the cap in permitted and inheritable;
        // like runc, a refusal is not fatal.
        unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                cap as libc::c_ulong,
                0,
                0,
            )
        };
    }
    Ok(())
}

/// Keep permitted capabilities across setuid (PR_SET_KEEPCAPS).
pub fn keep_caps(on: bool) -> Result<()> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, on as libc::c_ulong, 0, 0, 0) } != 0 {
        return Err(SysError::last("prctl", "keepcaps"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_masks() {
        assert_eq!(number("CAP_CHOWN"), Some(0));
        assert_eq!(number("net_bind_service"), Some(10));
        assert_eq!(number("CAP_CHECKPOINT_RESTORE"), Some(40));
        assert_eq!(number("CAP_NOPE"), None);
        assert_eq!(
            mask(&["CAP_KILL".into(), "CAP_CHOWN".into()]).unwrap(),
            (1 << 5) | 1
        );
        let e = mask(&["CAP_NOPE".into()]).unwrap_err();
        assert_eq!(e.to_string(), "capability CAP_NOPE: unknown capability");
    }

    #[test]
    fn sets_are_limited_to_the_kernel() {
        let c = Capabilities {
            bounding: vec!["CAP_BPF".into(), "CAP_KILL".into()],
            ..Default::default()
        };
        let s = CapSets::from_spec(&c, 37).unwrap();
        assert_eq!(s.bounding, 1 << 5);
    }
}
