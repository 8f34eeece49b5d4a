//! One file per command, each `main(ctx, argv) -> Result<exit code, error>`.
pub mod create;
pub mod delete;
pub mod exec;
pub mod features;
pub mod kill;
pub mod list;
pub mod pause;
pub mod ps;
pub mod run;
pub mod spec;
pub mod start;
pub mod state;
pub mod update;

use std::path::{Path, PathBuf};

use tsrun_sys::cgroup::Cgroup;
use tsrun_sys::oci::Spec;

use crate::args::Parsed;
use crate::Ctx;

/// The one positional word a command takes: the container id.
pub fn one_id(p: &Parsed, cmd: &str) -> Result<String, String> {
    match p.positional.as_slice() {
        [id] => {
            crate::state::check_id(id)?;
            Ok(id.clone())
        }
        [] => Err(format!(
            "\"{cmd}\" requires exactly 1 argument(s): the container id"
        )),
        _ => Err(format!(
            "\"{cmd}\" requires exactly 1 argument(s), got {}",
            p.positional.len()
        )),
    }
}

/// `<bundle>/config.json`, checked as a runtime must: a 1.x spec, a root,
/// a process with args; fields we cannot honour are warnings.
pub fn load_spec(ctx: &Ctx, bundle: &Path) -> Result<Spec, String> {
    let path = bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {}",
            path.display(),
            e.to_string().to_lowercase()
        )
    })?;
    let raw: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
    let version = raw["ociVersion"].as_str().unwrap_or("");
    if !version.starts_with("1.") {
        return Err(format!(
            "{}: unsupported spec version {version:?} (tsrun-runtime runs 1.x)",
            path.display()
        ));
    }
    let spec = Spec::parse(&text).map_err(|e| e.to_string())?;
    if spec.root.is_none() {
        return Err(format!("{}: no root.path", path.display()));
    }
    for (ptr, what) in [
        ("/process/apparmorProfile", "process.apparmorProfile"),
        ("/process/selinuxLabel", "process.selinuxLabel"),
        ("/linux/mountLabel", "linux.mountLabel"),
        ("/linux/intelRdt", "linux.intelRdt"),
        ("/linux/personality", "linux.personality"),
        ("/process/ioPriority", "process.ioPriority"),
        ("/process/scheduler", "process.scheduler"),
    ] {
        if raw.pointer(ptr).is_some_and(|v| !v.is_null() && v != "") {
            ctx.log.warn(&format!(
                "{what} is not supported on this host by tsrun-runtime; ignored"
            ));
        }
    }
    Ok(spec)
}

/// The bundle from `--bundle` (default: here), absolute.
pub fn bundle_dir(p: &Parsed) -> Result<PathBuf, String> {
    let b = PathBuf::from(p.get("bundle").unwrap_or("."));
    std::fs::canonicalize(&b)
        .map_err(|e| format!("bundle {}: {}", b.display(), e.to_string().to_lowercase()))
}

/// The cgroup path a spec asks for, or ours under `tsrun-runtime/`.
pub fn cgroups_path(spec: &Spec, id: &str) -> String {
    match spec.linux.cgroups_path.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => p.to_string(),
        None => format!("tsrun-runtime/{id}"),
    }
}

pub fn cgroup_of(st: &crate::state::State) -> Result<Cgroup, String> {
    Cgroup::for_host(&st.cgroups_path).map_err(|e| e.to_string())
}

/// Write `content` to `path` atomically (pid files).
pub fn write_atomic(path: &str, content: &str) -> Result<(), String> {
    let tmp = format!("{path}.tmp-{}", std::process::id());
    std::fs::write(&tmp, content).map_err(|e| format!("{tmp}: {e}"))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{path}: {e}"))
}

/// The hooks of a container's bundle (read again: the spec is not stored).
pub fn spec_hooks(st: &crate::state::State) -> Option<tsrun_sys::oci::Hooks> {
    Spec::load(&st.bundle).ok().and_then(|s| s.hooks)
}
