//! The spec another OCI runtime gets (`run --runtime`): the engine's
//! config.json with everything tsrun-specific settled by the monitor, so
//! the runtime needs no `io.tsrun.*` annotation and no tsrun knowledge.
//!
//! - `root.path` absolute; the rootfs mounts (`io.tsrun.rootfs-mounts`) are
//!   already made there by the monitor, in its own mount namespace.
//! - `io.tsrun.user` and `io.tsrun.group-add` names are resolved against the
//!   image's `/etc/passwd` and `/etc/group` (read inside the rootfs with
//!   `RESOLVE_IN_ROOT`, so an image's symlink cannot point us at the host's
//!   files) into `process.user` numbers; `HOME` is set from passwd when the
//!   environment has none, as the native init does.
//! - `io.tsrun.init` (`--init`): a private copy of this binary is bound
//!   read-only at `/sbin/tsrun-init` and the args are wrapped, as Docker
//!   binds docker-init; a copy per container, so a container that got write
//!   access to it could only spoil its own.
//! - a `volume-subpath` bind (`io.tsrun.subpath=`) is resolved inside the
//!   volume now and passed as the resolved path.
//! - `linux.cgroupsPath` is made absolute: tsrun means it from each
//!   hierarchy's root, runc reads a relative path from its own cgroup.
//! - limits this host cannot enforce (the engine warned at create) are left
//!   out, as the native monitor skips them, because runc fails on them.
//! - read-only binds get `rro` when the runtime lists it in `features`;
//!   `hostname` goes when the UTS namespace is the host's (`--uts host`).
//! - a mount taken from another container's mount namespace (`--ipc
//!   container:NAME`'s /dev/shm, `io.tsrun.mntns=`) is cloned from there
//!   onto `<runtime-bundle>/foreign-mount-N` in the monitor's own namespace
//!   and handed to the runtime as a bind of that path.
//!
//! Every `io.tsrun.*` annotation is then dropped.
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tsrun_sys::error::SysError;
use tsrun_sys::mount::open_in_root;
use tsrun_sys::oci::Spec;
use tsrun_sys::user;

use tsrun_container::Failure;

/// Where the runtime's bundle goes: `<state-dir>/runtime-bundle`.
pub fn bundle_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("runtime-bundle")
}

fn fail(message: String) -> Failure {
    Failure { code: 125, message }
}

/// A file of the rootfs as text, read through `root` with `RESOLVE_IN_ROOT`; empty when missing.
pub fn read_in_root(root: &Path, file: &str) -> Result<String, Failure> {
    let rootfd = tsrun_sys::mount::open_root(root)?;
    match open_in_root(rootfd.as_raw_fd(), file, libc::O_RDONLY, 0) {
        Ok(fd) => {
            let mut f = std::fs::File::from(fd);
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut s)
                .map_err(|e| SysError::from_io(&e, "read", file))?;
            Ok(String::from_utf8_lossy(&s).into_owned())
        }
        Err(e) if e.errno == libc::ENOENT => Ok(String::new()),
        Err(e) => Err(e.into()),
    }
}

/// `process.user` (uid, gid, additionalGids) and `HOME` for `user_spec` plus
/// the `--group-add` names, resolved in the rootfs at `root`. `process` is an
/// OCI process object; its numeric additionalGids are kept.
pub fn resolve_user(process: &mut Value, user_spec: Option<&str>, group_add: &[&str], root: &Path) -> Result<(), Failure> {
    if user_spec.is_none() && group_add.is_empty() {
        return Ok(());
    }
    let passwd = user::parse_passwd(&read_in_root(root, "/etc/passwd")?);
    let groups = user::parse_group(&read_in_root(root, "/etc/group")?);
    let mut gids: Vec<u32> = process["user"]["additionalGids"]
        .as_array()
        .map(|a| a.iter().filter_map(|g| g.as_u64().map(|g| g as u32)).collect())
        .unwrap_or_default();
    if let Some(spec) = user_spec {
        let u = user::resolve(spec, &passwd, &groups)?;
        process["user"]["uid"] = json!(u.uid);
        process["user"]["gid"] = json!(u.gid);
        for g in u.additional_gids {
            if !gids.contains(&g) {
                gids.push(g);
            }
        }
        let env = process["env"].as_array().cloned().unwrap_or_default();
        if !env.iter().any(|e| e.as_str().is_some_and(|s| s.starts_with("HOME="))) {
            let mut env = env;
            env.push(json!(format!("HOME={}", u.home)));
            process["env"] = Value::Array(env);
        }
    }
    for g in user::resolve_groups(group_add, &groups)? {
        if !gids.contains(&g) {
            gids.push(g);
        }
    }
    if !gids.is_empty() {
        process["user"]["additionalGids"] = json!(gids);
    }
    Ok(())
}

/// A bind's `io.tsrun.subpath=REL` resolved inside its source: the real path of `source/REL`.
fn resolve_subpath(source: &str, rel: &str) -> Result<String, Failure> {
    let dir = tsrun_sys::mount::open_root(Path::new(source))?;
    let fd = open_in_root(dir.as_raw_fd(), rel, libc::O_PATH, 0)
        .map_err(|_| fail(format!("volume-subpath {source}/{rel}: no such file or directory")))?;
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map(|p| p.display().to_string())
        .map_err(|e| SysError::from_io(&e, "readlink", format!("{source}/{rel}")).into())
}

/// Rewrite the mounts the runtime cannot read as tsrun writes them. With
/// `rro` (the runtime's `features` lists it), a read-only bind becomes
/// read-only all the way down, as the native init makes it (Docker 25+
/// asks runc the same way).
fn settle_mounts(spec: &mut Value, runtime: &str, rro: bool, out_dir: Option<&Path>) -> Result<(), Failure> {
    let Some(mounts) = spec["mounts"].as_array_mut() else { return Ok(()) };
    for (index, m) in mounts.iter_mut().enumerate() {
        let Some(opts) = m["options"].as_array().cloned() else { continue };
        let opts_rec = opts.iter().any(|o| o == "rbind");
        let mut kept = Vec::new();
        for o in opts {
            let s = o.as_str().unwrap_or_default();
            if let Some(rel) = s.strip_prefix("io.tsrun.subpath=") {
                let src = m["source"].as_str().unwrap_or_default().to_string();
                m["source"] = json!(resolve_subpath(&src, rel)?);
            } else if let Some(ns) = s.strip_prefix(tsrun_sys::mount::MNTNS_OPTION) {
                // Another container's mount (`--ipc container:NAME`'s
                // /dev/shm): cloned from its namespace onto a directory of
                // ours, which the runtime then binds like any path.
                let Some(dir) = out_dir else {
                    return Err(fail(format!("mount option {s}: the OCI runtime {runtime} cannot join another mount namespace")));
                };
                let target = dir.join(format!("foreign-mount-{index}"));
                if std::fs::create_dir(&target).is_err() && tsrun_sys::mount::is_mount_point(&target).unwrap_or(false) {
                    let c = std::ffi::CString::new(target.as_os_str().as_encoded_bytes()).map_err(|_| fail("nul byte in path".into()))?;
                    // SAFETY: valid C string; a mount of our own namespace (a restart's leftover).
                    unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
                }
                let src = m["source"].as_str().unwrap_or_default().to_string();
                let recursive = opts_rec;
                tsrun_sys::mount::mount_from_namespace(ns, &src, &target, recursive)?;
                m["source"] = json!(target.display().to_string());
            } else if s.starts_with("io.tsrun.") {
                return Err(fail(format!("mount option {s} is tsrun's own; the OCI runtime {runtime} cannot honour it")));
            } else {
                kept.push(o);
            }
        }
        let is_bind = m["type"] == "bind" || kept.iter().any(|o| o == "bind" || o == "rbind");
        if rro && is_bind && kept.iter().any(|o| o == "ro") && !kept.iter().any(|o| o == "rro") {
            kept.push(json!("rro"));
        }
        m["options"] = Value::Array(kept);
    }
    Ok(())
}

/// The runtime's `features` (OCI runtime features, runc 1.1+): whether its
/// mount options include `rro`. Asked once per monitor; a runtime without
/// the command answers no.
pub fn runtime_knows_rro(runtime: &str) -> bool {
    let Ok(out) = std::process::Command::new(runtime).arg("features").stdin(std::process::Stdio::null()).stderr(std::process::Stdio::null()).output() else {
        return false;
    };
    let Ok(v) = serde_json::from_slice::<Value>(&out.stdout) else { return false };
    v["mountOptions"].as_array().is_some_and(|a| a.iter().any(|o| o == "rro"))
}

/// Drop the limits this host cannot enforce (named by the engine's warning at create).
fn drop_unenforceable(spec: &mut Value) {
    let Some(res) = spec["linux"].get("resources").cloned() else { return };
    let Ok(parsed) = serde_json::from_value::<tsrun_sys::oci::Resources>(res) else { return };
    let Ok(hier) = tsrun_sys::cgroup::host_hierarchies() else { return };
    let missing = tsrun_sys::cgroup::Cgroup::missing_for_host(&hier, &parsed);
    let r = &mut spec["linux"]["resources"];
    for m in missing {
        let path: &[&str] = match m {
            "memory swap" => &["memory", "swap"],
            "oom kill disable" => &["memory", "disableOOMKiller"],
            "memory" => &["memory"],
            "cpu" => &["cpu"],
            "pids" => &["pids"],
            "blkio weight" => &["blockIO", "weight"],
            _ => &[],
        };
        if let [obj, key] = path {
            if let Some(o) = r.get_mut(*obj).and_then(Value::as_object_mut) {
                o.remove(*key);
            }
        } else if let [key] = path {
            if let Some(o) = r.as_object_mut() {
                o.remove(*key);
            }
        }
    }
}

/// `--init`: a private copy of our own binary for the reaper, bound at `/sbin/tsrun-init`.
fn add_init(spec: &mut Value, out_dir: &Path) -> Result<(), Failure> {
    let copy = out_dir.join("tsrun-init");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy("/proc/self/exe", &copy).map_err(|e| SysError::from_io(&e, "copy", copy.display().to_string()))?;
    std::fs::set_permissions(&copy, std::os::unix::fs::PermissionsExt::from_mode(0o555))
        .map_err(|e| SysError::from_io(&e, "chmod", copy.display().to_string()))?;
    let mounts = spec["mounts"].as_array_mut().map(std::mem::take).unwrap_or_default();
    let mut mounts = mounts;
    mounts.push(json!({"destination": "/sbin/tsrun-init", "type": "bind", "source": copy.display().to_string(), "options": ["bind", "ro", "nodev", "nosuid"]}));
    spec["mounts"] = Value::Array(mounts);
    let args: Vec<Value> = spec["process"]["args"].as_array().cloned().unwrap_or_default();
    let mut wrapped = vec![json!("/sbin/tsrun-init"), json!("--")];
    wrapped.extend(args);
    spec["process"]["args"] = Value::Array(wrapped);
    Ok(())
}

/// Write `<out_dir>/config.json` for the runtime from the engine's bundle.
/// `root` is the rootfs, already mounted; `runtime` names the runtime in errors.
pub fn write(engine_bundle: &Path, spec: &Spec, root: &Path, out_dir: &Path, runtime: &str, rro: bool) -> Result<(), Failure> {
    let path = engine_bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|e| SysError::from_io(&e, "read", path.display().to_string()))?;
    let mut v: Value = serde_json::from_slice(&text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    std::fs::create_dir_all(out_dir).map_err(|e| SysError::from_io(&e, "mkdir", out_dir.display().to_string()))?;
    v["root"]["path"] = json!(root.display().to_string());
    resolve_user(&mut v["process"], spec.user_annotation(), &spec.group_add_annotation(), root)?;
    if tsrun_container::reaper::wanted(spec) {
        add_init(&mut v, out_dir)?;
    }
    settle_mounts(&mut v, runtime, rro, Some(out_dir))?;
    // `--uts host`: the host's name is kept, so no hostname to set (runc
    // refuses one without a UTS namespace; the native init ignores it).
    if !v["linux"]["namespaces"].as_array().is_some_and(|ns| ns.iter().any(|n| n["type"] == "uts")) {
        if let Some(o) = v.as_object_mut() {
            o.remove("hostname");
        }
    }
    if let Some(p) = v["linux"]["cgroupsPath"].as_str().filter(|p| !p.starts_with('/') && !p.is_empty()) {
        v["linux"]["cgroupsPath"] = json!(format!("/{p}"));
    }
    drop_unenforceable(&mut v);
    if let Some(a) = v.get_mut("annotations").and_then(Value::as_object_mut) {
        a.retain(|k, _| !k.starts_with("io.tsrun."));
    }
    let out = out_dir.join("config.json");
    let body = serde_json::to_vec_pretty(&v).map_err(|e| fail(e.to_string()))?;
    std::fs::write(&out, body).map_err(|e| SysError::from_io(&e, "write", out.display().to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_in_the_rootfs() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("etc")).unwrap();
        std::fs::write(d.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n").unwrap();
        std::fs::write(d.path().join("etc/group"), "root:x:0:\nwheel:x:10:alice\naudio:x:29:\n").unwrap();
        let mut p = json!({"env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0, "additionalGids": [7]}});
        assert!(resolve_user(&mut p, Some("alice"), &["audio"], d.path()).is_ok());
        assert_eq!(p["user"]["uid"], 1000);
        assert_eq!(p["user"]["gid"], 1000);
        assert_eq!(p["user"]["additionalGids"], json!([7, 10, 29]));
        assert_eq!(p["env"], json!(["PATH=/bin", "HOME=/home/alice"]));
        let err = resolve_user(&mut p, Some("bob"), &[], d.path()).unwrap_err();
        assert!(err.message.contains("unable to find user bob"), "{}", err.message);
    }

    #[test]
    fn passwd_symlinked_out_of_the_rootfs_stays_inside() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("etc")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("etc/passwd")).unwrap();
        // The link resolves inside the rootfs, to itself: nothing of the host is read.
        let text = read_in_root(d.path(), "/etc/passwd");
        assert!(text.map(|t| t.is_empty()).unwrap_or(true));
    }

    #[test]
    fn read_only_binds_go_all_the_way_down_where_the_runtime_can() {
        let mut v = json!({"mounts": [{"destination": "/ro", "type": "bind", "source": "/x", "options": ["rbind", "ro"]}, {"destination": "/rw", "type": "bind", "source": "/y", "options": ["rbind"]}]});
        settle_mounts(&mut v, "runc", true, None).unwrap_or_else(|f| panic!("{}", f.message));
        assert_eq!(v["mounts"][0]["options"], json!(["rbind", "ro", "rro"]));
        assert_eq!(v["mounts"][1]["options"], json!(["rbind"]));
    }

    #[test]
    fn a_foreign_mount_namespace_needs_a_directory_of_ours() {
        let mut v = json!({"mounts": [{"destination": "/dev/shm", "type": "bind", "source": "/dev/shm", "options": ["rbind", "io.tsrun.mntns=/proc/1/ns/mnt"]}]});
        let e = settle_mounts(&mut v, "runc", true, None).unwrap_err();
        assert!(e.message.contains("cannot join another mount namespace"));
    }
}
