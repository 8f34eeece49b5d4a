//! Becoming the process's user inside the container, for `exec`: resolve
//! the user against the container's `/etc/passwd` and `/etc/group` (we are
//! already in its mount namespace), enter the working directory while still
//! root, then setgroups/setgid/setuid keeping only the container's
//! capabilities. The same steps, in the same order, as the container init
//! (init.rs `switch_user`): bounding set first, keep-caps across setuid,
//! then capset.
use tsrun_sys::caps::{self, CapSets};
use tsrun_sys::error::SysError;
use tsrun_sys::oci::Capabilities;
use tsrun_sys::user;

use crate::init::Failure;

/// Switch to `user_spec` (`0`, `nobody`, `1000:wheel`) plus the container's
/// `--group-add` groups (`extra`: gids, and names resolved here, as Docker's
/// exec keeps them); returns `env` with `HOME` from passwd added when
/// missing. A working directory that cannot be entered fails with 126, as
/// `docker exec -w` does.
pub fn become_user(
    user_spec: &str,
    env: &[String],
    cwd: &str,
    capabilities: Option<&Capabilities>,
    extra: (&[u32], &[&str]),
) -> Result<Vec<String>, Failure> {
    let mut u = user::resolve_in_container(user_spec)?;
    for g in extra
        .0
        .iter()
        .copied()
        .chain(user::resolve_groups_in_container(extra.1)?)
    {
        if !u.additional_gids.contains(&g) {
            u.additional_gids.push(g);
        }
    }
    let mut env = env.to_vec();
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        env.push(format!("HOME={}", u.home));
    }
    std::env::set_current_dir(cwd).map_err(|e| Failure {
        code: 126,
        message: SysError::from_io(&e, "chdir", cwd).to_string(),
    })?;
    drop_privileges(u.uid, u.gid, &u.additional_gids, capabilities)?;
    Ok(env)
}

/// The credential switch shared by the container init and `exec`, in the
/// order the kernel needs: drop the bounding set while still root, keep
/// capabilities across setuid, set groups/gid/uid, then set the exact
/// effective/permitted/inheritable/ambient sets of the spec.
pub fn drop_privileges(
    uid: u32,
    gid: u32,
    groups: &[u32],
    capabilities: Option<&Capabilities>,
) -> tsrun_sys::error::Result<()> {
    let sets = match capabilities {
        Some(cs) => Some(CapSets::from_spec(cs, caps::last_cap())?),
        None => None,
    };
    if let Some(s) = &sets {
        caps::drop_bounding(s.bounding, caps::last_cap())?;
    }
    caps::keep_caps(true)?;
    // SAFETY: plain credential syscalls with valid pointers.
    unsafe {
        if libc::setgroups(groups.len(), groups.as_ptr()) != 0 {
            return Err(SysError::last("setgroups", format!("{groups:?}")));
        }
        if libc::setgid(gid) != 0 {
            return Err(SysError::last("setgid", gid.to_string()));
        }
        if libc::setuid(uid) != 0 {
            return Err(SysError::last("setuid", uid.to_string()));
        }
    }
    caps::keep_caps(false)?;
    if let Some(s) = &sets {
        caps::apply_sets(s)?;
    }
    Ok(())
}
