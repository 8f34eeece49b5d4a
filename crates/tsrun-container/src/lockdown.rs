//! The last steps before exec, shared by the container init and `exec`:
//! seccomp and no_new_privs, in the order the kernel allows. A filter without
//! no_new_privs needs CAP_SYS_ADMIN, so it goes in before the user switch
//! drops capabilities; with no_new_privs it goes in last, after the switch,
//! so the filter does not have to allow the switch's own syscalls.
use tsrun_sys::error::{Result, SysError};
use tsrun_sys::oci::Spec;
use tsrun_sys::seccomp::{self, Insn};

/// The compiled `linux.seccomp` of a spec, with its filter flags.
pub struct Lockdown {
    filter: Option<(Vec<Insn>, u32)>,
    no_new_privs: bool,
}

impl Lockdown {
    /// Compile while still in the shim's own context (nothing to read later).
    pub fn from_spec(spec: &Spec) -> Result<Lockdown> {
        let filter = match &spec.linux.seccomp {
            Some(s) => Some((seccomp::compile(s)?, seccomp::filter_flags(&s.flags)?)),
            None => None,
        };
        Ok(Lockdown {
            filter,
            no_new_privs: spec.process.no_new_privileges,
        })
    }

    /// Also set no_new_privs when `yes` (an exec may ask for it on its own).
    pub fn require_no_new_privs(&mut self, yes: bool) {
        self.no_new_privs |= yes;
    }

    /// Call right before switching user.
    pub fn before_user_switch(&self) -> Result<()> {
        match &self.filter {
            Some((prog, flags)) if !self.no_new_privs => seccomp::install(prog, *flags),
            _ => Ok(()),
        }
    }

    /// Call after switching user, as the very last step before exec: sets
    /// no_new_privs, marks every fd above 2 close-on-exec, installs a filter
    /// that waited for no_new_privs.
    pub fn after_user_switch(&self) -> Result<()> {
        if self.no_new_privs {
            // SAFETY: prctl with integer arguments.
            if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
                return Err(SysError::last("prctl", "no_new_privs"));
            }
        }
        // Nothing but 0/1/2 (and a CLOEXEC error pipe) may reach the command.
        // SAFETY: marks fds close-on-exec; closes nothing now.
        if unsafe { libc::close_range(3, u32::MAX, libc::CLOSE_RANGE_CLOEXEC as libc::c_int) } != 0
        {
            // An old kernel, or a seccomp profile (already in) without close_range.
            cloexec_each_open_fd();
        }
        match &self.filter {
            Some((prog, flags)) if self.no_new_privs => seccomp::install(prog, *flags),
            _ => Ok(()),
        }
    }
}

/// close_range's work by hand: FD_CLOEXEC on every open fd above 2, as
/// /proc/self/fd lists them (openat, getdents and fcntl: profiles allow those).
fn cloexec_each_open_fd() {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<i32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: fcntl on an fd number; one that was the listing's own is closed already.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}
