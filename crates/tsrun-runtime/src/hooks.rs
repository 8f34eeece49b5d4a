//! The hooks the runtime process runs itself, in its own namespaces, with
//! the container's OCI state on stdin: prestart and createRuntime (during
//! create, while the init waits before pivot_root; a failure fails create),
//! poststart (after start; a failure is a warning) and poststop (after
//! delete; a warning). createContainer and startContainer run in the
//! container, by the init (tsrun_container::init).
use tsrun_sys::oci::Hooks;

use crate::state::{oci_state, State, Status};
use crate::Ctx;

/// The state JSON a hook reads.
pub fn state_json(st: &State, status: Status) -> String {
    oci_state(st, status).to_string()
}

/// prestart then createRuntime; the first failure is create's.
pub fn create_runtime(hooks: &Hooks, st: &State) -> Result<(), String> {
    // runtime-tools checks that these hooks see `created` (runc's word there too).
    let json = state_json(st, Status::Created);
    tsrun_container::hooks::run("prestart", &hooks.prestart, &json).map_err(|e| e.to_string())?;
    tsrun_container::hooks::run("createRuntime", &hooks.create_runtime, &json)
        .map_err(|e| e.to_string())
}

/// poststart or poststop: every hook runs; failures are warnings.
pub fn warn_only(
    ctx: &Ctx,
    kind: &str,
    hooks: &[tsrun_sys::oci::Hook],
    st: &State,
    status: Status,
) {
    let json = state_json(st, status);
    for (i, h) in hooks.iter().enumerate() {
        if let Err(e) = tsrun_container::hooks::run(kind, std::slice::from_ref(h), &json) {
            ctx.log.warn(&format!("{kind} hook #{i}: {e}"));
        }
    }
}
