//! Namespaces: which `linux.namespaces` types map to which clone flags, a
//! fork-like raw clone(2) that creates them all at once (so the child is PID 1
//! of a new PID namespace without an intermediate process), setns for the ones
//! given by path, user namespace id maps, and bringing `lo` up.
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::error::{Result, SysError};
use crate::oci::{IdMapping, Namespace};

/// The clone flag for an OCI namespace type.
pub fn flag_for(kind: &str) -> Result<libc::c_int> {
    Ok(match kind {
        "mount" => libc::CLONE_NEWNS,
        "pid" => libc::CLONE_NEWPID,
        "uts" => libc::CLONE_NEWUTS,
        "ipc" => libc::CLONE_NEWIPC,
        "network" => libc::CLONE_NEWNET,
        "cgroup" => libc::CLONE_NEWCGROUP,
        "user" => libc::CLONE_NEWUSER,
        "time" => libc::CLONE_NEWTIME,
        other => {
            return Err(SysError::invalid(
                "namespace",
                other,
                "unknown namespace type",
            ))
        }
    })
}

/// What to do with the configured namespaces.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NsPlan {
    /// Flags for clone(2): new namespaces, except cgroup (see `unshare_late`).
    pub clone_flags: libc::c_int,
    /// New namespaces to unshare in the child after it joined its cgroup
    /// (a cgroup namespace must be rooted at the container's cgroup).
    pub unshare_late: libc::c_int,
    /// (flag, path) to join with setns in the child; `pid` is joined by the
    /// parent before clone (setns on a pid namespace only affects children).
    pub join: Vec<(libc::c_int, String)>,
}

impl NsPlan {
    pub fn new(namespaces: &[Namespace]) -> Result<NsPlan> {
        let mut plan = NsPlan::default();
        for ns in namespaces {
            let flag = flag_for(&ns.kind)?;
            match ns.path.as_deref().filter(|p| !p.is_empty()) {
                Some(p) => plan.join.push((flag, p.to_string())),
                None if flag == libc::CLONE_NEWCGROUP => plan.unshare_late |= flag,
                None => plan.clone_flags |= flag,
            }
        }
        Ok(plan)
    }
    pub fn new_net(&self) -> bool {
        self.clone_flags & libc::CLONE_NEWNET != 0
    }
    pub fn new_uts(&self) -> bool {
        self.clone_flags & libc::CLONE_NEWUTS != 0
    }
    pub fn new_user(&self) -> bool {
        self.clone_flags & libc::CLONE_NEWUSER != 0
    }
}

/// Fork-like clone(2) with namespace flags (no new stack: the child continues
/// on a copy of ours, as with fork). Returns 0 in the child, the pid in the
/// parent. Only safe in a single-threaded process, which the shim is.
pub fn clone_fork(flags: libc::c_int) -> Result<libc::pid_t> {
    // SAFETY: raw clone without CLONE_VM behaves like fork; the shim has one thread.
    let r = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (flags | libc::SIGCHLD) as libc::c_ulong,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<libc::c_int>(),
            std::ptr::null_mut::<libc::c_int>(),
            0 as libc::c_ulong,
        )
    };
    if r < 0 {
        return Err(SysError::last("clone", format!("{flags:#x}")));
    }
    Ok(r as libc::pid_t)
}

/// Join the namespace at `path` (a `/proc/PID/ns/TYPE` file or a bind mount of one).
pub fn join(flag: libc::c_int, path: &str) -> Result<()> {
    let c = CString::new(path).map_err(|_| SysError::invalid("setns", path, "nul byte"))?;
    // SAFETY: valid C string.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(SysError::last("open", path));
    }
    // SAFETY: fresh fd.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: valid fd.
    if unsafe { libc::setns(fd.as_raw_fd(), flag) } != 0 {
        return Err(SysError::last("setns", path));
    }
    Ok(())
}

/// An fd on this process's own namespace of `flag`'s type (`/proc/self/ns/*`),
/// to come back to with `join_fd` after joining another.
pub fn open_own(flag: libc::c_int) -> Result<OwnedFd> {
    let name = match flag {
        libc::CLONE_NEWPID => "pid",
        libc::CLONE_NEWNS => "mnt",
        _ => {
            return Err(SysError::invalid(
                "setns",
                format!("{flag:#x}"),
                "no way back",
            ))
        }
    };
    let path = format!("/proc/self/ns/{name}");
    let c = CString::new(path.clone()).map_err(|_| SysError::invalid("open", &path, "nul byte"))?;
    // SAFETY: valid C string.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(SysError::last("open", path));
    }
    // SAFETY: fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// setns(2) on an fd from `open_own` (or any namespace fd).
pub fn join_fd(fd: &OwnedFd, flag: libc::c_int) -> Result<()> {
    // SAFETY: valid fd.
    if unsafe { libc::setns(fd.as_raw_fd(), flag) } != 0 {
        return Err(SysError::last("setns", format!("fd {}", fd.as_raw_fd())));
    }
    Ok(())
}

/// unshare(2) with a step name for errors.
pub fn unshare(flags: libc::c_int) -> Result<()> {
    // SAFETY: plain syscall.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(SysError::last("unshare", format!("{flags:#x}")));
    }
    Ok(())
}

/// The text of `/proc/PID/uid_map` (or gid_map) for the mappings.
pub fn id_map_text(maps: &[IdMapping]) -> String {
    maps.iter()
        .map(|m| format!("{} {} {}\n", m.container_id, m.host_id, m.size))
        .collect()
}

/// Write uid/gid maps of a child in a new user namespace (from the parent).
pub fn write_id_maps(pid: libc::pid_t, uid: &[IdMapping], gid: &[IdMapping]) -> Result<()> {
    for (file, maps) in [("uid_map", uid), ("gid_map", gid)] {
        if maps.is_empty() {
            continue;
        }
        let path = format!("/proc/{pid}/{file}");
        std::fs::write(&path, id_map_text(maps))
            .map_err(|e| SysError::from_io(&e, "write", path))?;
    }
    Ok(())
}

/// sethostname(2) in the new UTS namespace.
pub fn set_hostname(name: &str) -> Result<()> {
    // SAFETY: pointer and length of a live str.
    if unsafe { libc::sethostname(name.as_ptr() as *const libc::c_char, name.len()) } != 0 {
        return Err(SysError::last("sethostname", name));
    }
    Ok(())
}

/// Bring the loopback interface up (SIOCGIFFLAGS / SIOCSIFFLAGS | IFF_UP).
pub fn loopback_up() -> Result<()> {
    // SAFETY: plain socket call.
    let s = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if s < 0 {
        return Err(SysError::last("socket", "lo"));
    }
    // SAFETY: fresh fd.
    let s = unsafe { OwnedFd::from_raw_fd(s) };
    // SAFETY: ifreq is plain data; zeroed is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (i, b) in b"lo".iter().enumerate() {
        req.ifr_name[i] = *b as libc::c_char;
    }
    // SAFETY: valid socket and ifreq.
    unsafe {
        if libc::ioctl(s.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) != 0 {
            return Err(SysError::last("ioctl SIOCGIFFLAGS", "lo"));
        }
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        if libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS, &req) != 0 {
            return Err(SysError::last("ioctl SIOCSIFFLAGS", "lo"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(kind: &str, path: Option<&str>) -> Namespace {
        Namespace {
            kind: kind.into(),
            path: path.map(String::from),
        }
    }

    #[test]
    fn plan_splits_new_late_and_joined() {
        let p = NsPlan::new(&[
            ns("pid", None),
            ns("mount", None),
            ns("cgroup", None),
            ns("network", Some("/proc/1/ns/net")),
        ])
        .unwrap();
        assert_eq!(p.clone_flags, libc::CLONE_NEWPID | libc::CLONE_NEWNS);
        assert_eq!(p.unshare_late, libc::CLONE_NEWCGROUP);
        assert_eq!(
            p.join,
            vec![(libc::CLONE_NEWNET, "/proc/1/ns/net".to_string())]
        );
        assert!(!p.new_net());
        assert!(NsPlan::new(&[ns("bogus", None)]).is_err());
    }

    #[test]
    fn id_map_lines() {
        let m = [
            IdMapping {
                container_id: 0,
                host_id: 1000,
                size: 1,
            },
            IdMapping {
                container_id: 1,
                host_id: 100000,
                size: 65536,
            },
        ];
        assert_eq!(id_map_text(&m), "0 1000 1\n1 100000 65536\n");
    }
}
