//! The subset of the OCI runtime spec (config.json, version 1.x) that the shim
//! reads, as listed in docs/runtime-contract.md ("What the shim reads").
//! Unknown fields are ignored, so a full `runc spec` or Docker config parses.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Result, SysError};

/// Annotation: JSON array of mounts made onto `root.path` before anything else.
pub const ANNOTATION_ROOTFS_MOUNTS: &str = "io.tsrun.rootfs-mounts";
/// Annotation: the user as typed (`1000`, `nobody:nogroup`), resolved after pivot_root.
pub const ANNOTATION_USER: &str = "io.tsrun.user";
/// Annotation: `--group-add` names, comma-separated, resolved against the
/// container's `/etc/group` after pivot_root (numbers go in `additionalGids`).
pub const ANNOTATION_GROUP_ADD: &str = "io.tsrun.group-add";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    #[serde(default)]
    pub oci_version: String,
    #[serde(default)]
    pub process: Process,
    pub root: Option<Root>,
    pub hostname: Option<String>,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    #[serde(default)]
    pub annotations: HashMap<String, String>,
    #[serde(default)]
    pub linux: Linux,
    pub hooks: Option<Hooks>,
    pub domainname: Option<String>,
}

/// `hooks`: commands the runtime runs at points of a container's life
/// (runtime-spec config.md "POSIX-platform Hooks").
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hooks {
    /// Deprecated: run as createRuntime hooks, before them.
    #[serde(default)]
    pub prestart: Vec<Hook>,
    #[serde(default)]
    pub create_runtime: Vec<Hook>,
    #[serde(default)]
    pub create_container: Vec<Hook>,
    #[serde(default)]
    pub start_container: Vec<Hook>,
    #[serde(default)]
    pub poststart: Vec<Hook>,
    #[serde(default)]
    pub poststop: Vec<Hook>,
}

/// One hook: an absolute path, its argv (argv[0] included) and environment,
/// and a timeout in seconds (absent: none).
#[derive(Debug, Clone, Deserialize)]
pub struct Hook {
    pub path: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    pub timeout: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    #[serde(default)]
    pub terminal: bool,
    pub console_size: Option<ConsoleSize>,
    #[serde(default)]
    pub user: User,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub cwd: String,
    pub capabilities: Option<Capabilities>,
    #[serde(default)]
    pub rlimits: Vec<Rlimit>,
    #[serde(default)]
    pub no_new_privileges: bool,
    /// `/proc/PID/oom_score_adj` of the container's init (`--oom-score-adj`).
    pub oom_score_adj: Option<i32>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct ConsoleSize {
    #[serde(default)]
    pub height: u16,
    #[serde(default)]
    pub width: u16,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
    #[serde(default)]
    pub additional_gids: Vec<u32>,
    pub umask: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    pub bounding: Vec<String>,
    #[serde(default)]
    pub effective: Vec<String>,
    #[serde(default)]
    pub inheritable: Vec<String>,
    #[serde(default)]
    pub permitted: Vec<String>,
    #[serde(default)]
    pub ambient: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Rlimit {
    #[serde(rename = "type")]
    pub kind: String,
    pub hard: u64,
    pub soft: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Root {
    pub path: String,
    #[serde(default)]
    pub readonly: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Mount {
    pub destination: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
}

/// One entry of the `io.tsrun.rootfs-mounts` annotation.
#[derive(Debug, Clone, Deserialize)]
pub struct RootfsMount {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Linux {
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    #[serde(default)]
    pub uid_mappings: Vec<IdMapping>,
    #[serde(default)]
    pub gid_mappings: Vec<IdMapping>,
    pub cgroups_path: Option<String>,
    pub resources: Option<Resources>,
    #[serde(default)]
    pub masked_paths: Vec<String>,
    #[serde(default)]
    pub readonly_paths: Vec<String>,
    /// `None` (absent) means "the default devices"; `Some(vec![])` means none.
    pub devices: Option<Vec<Device>>,
    #[serde(default)]
    pub sysctl: HashMap<String, String>,
    pub rootfs_propagation: Option<String>,
    /// Absent: no filter (the engine always writes one unless unconfined).
    pub seccomp: Option<crate::seccomp::Seccomp>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Namespace {
    #[serde(rename = "type")]
    pub kind: String,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMapping {
    #[serde(rename = "containerID")]
    pub container_id: u32,
    #[serde(rename = "hostID")]
    pub host_id: u32,
    pub size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
    #[serde(default)]
    pub major: i64,
    #[serde(default)]
    pub minor: i64,
    pub file_mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Resources {
    pub memory: Option<Memory>,
    pub cpu: Option<Cpu>,
    pub pids: Option<Pids>,
    /// Block I/O weight and per-device throttles (`--blkio-weight`, `--device-read-bps`, ...).
    #[serde(rename = "blockIO")]
    pub block_io: Option<BlockIo>,
    /// The device cgroup rules, in order (v1 semantics: each entry edits
    /// the list the previous ones left). Empty: device access is not
    /// restricted by the cgroup. Applied once per start, never by `update`.
    #[serde(default)]
    pub devices: Vec<DeviceRule>,
}

/// One entry of `linux.resources.devices`: absent `type` means all
/// devices (`a`), absent `major`/`minor` a wildcard.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
pub struct DeviceRule {
    pub allow: bool,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub major: Option<i64>,
    pub minor: Option<i64>,
    pub access: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Memory {
    pub limit: Option<i64>,
    pub reservation: Option<i64>,
    pub swap: Option<i64>,
    /// Deprecated in the spec; Linux 5.16+ has no kernel-memory limit (warned, not set).
    pub kernel: Option<i64>,
    #[serde(rename = "kernelTCP")]
    pub kernel_tcp: Option<i64>,
    pub swappiness: Option<u64>,
    #[serde(rename = "disableOOMKiller")]
    pub disable_oom_killer: Option<bool>,
}

/// OCI `linux.resources.blockIO`: a weight (10-1000) and throttles per device.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockIo {
    pub weight: Option<u16>,
    #[serde(default)]
    pub throttle_read_bps_device: Vec<ThrottleDevice>,
    #[serde(default)]
    pub throttle_write_bps_device: Vec<ThrottleDevice>,
    #[serde(default, rename = "throttleReadIOPSDevice")]
    pub throttle_read_iops_device: Vec<ThrottleDevice>,
    #[serde(default, rename = "throttleWriteIOPSDevice")]
    pub throttle_write_iops_device: Vec<ThrottleDevice>,
}

impl BlockIo {
    /// Whether any throttle is asked for.
    pub fn throttles(&self) -> bool {
        !(self.throttle_read_bps_device.is_empty()
            && self.throttle_write_bps_device.is_empty()
            && self.throttle_read_iops_device.is_empty()
            && self.throttle_write_iops_device.is_empty())
    }
}

/// One device's limit: bytes or operations per second.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
pub struct ThrottleDevice {
    pub major: i64,
    pub minor: i64,
    pub rate: u64,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Cpu {
    pub shares: Option<u64>,
    pub quota: Option<i64>,
    pub period: Option<u64>,
    pub cpus: Option<String>,
    pub mems: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Pids {
    pub limit: i64,
}

impl Spec {
    /// Read and parse `<bundle>/config.json`.
    pub fn load(bundle: &Path) -> Result<Spec> {
        let path = bundle.join("config.json");
        let text = std::fs::read(&path)
            .map_err(|e| SysError::from_io(&e, "read", path.display().to_string()))?;
        Self::parse(&text).map_err(|e| SysError {
            subject: path.display().to_string(),
            ..e
        })
    }

    /// Parse config.json bytes and check what the shim cannot do without.
    pub fn parse(text: &[u8]) -> Result<Spec> {
        let spec: Spec = serde_json::from_slice(text)
            .map_err(|e| SysError::invalid("parse", "config.json", e.to_string().to_lowercase()))?;
        if spec.root.is_none() {
            return Err(SysError::invalid(
                "parse",
                "config.json",
                "root.path is missing",
            ));
        }
        if spec.process.args.is_empty() {
            return Err(SysError::invalid(
                "parse",
                "config.json",
                "process.args is empty",
            ));
        }
        Ok(spec)
    }

    /// `root.path`, made absolute against the bundle directory.
    pub fn root_path(&self, bundle: &Path) -> PathBuf {
        let p = self
            .root
            .as_ref()
            .map(|r| r.path.as_str())
            .unwrap_or("rootfs");
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            bundle.join(p)
        }
    }

    /// The `io.tsrun.rootfs-mounts` annotation, parsed (empty when absent).
    pub fn rootfs_mounts(&self) -> Result<Vec<RootfsMount>> {
        match self.annotations.get(ANNOTATION_ROOTFS_MOUNTS) {
            None => Ok(Vec::new()),
            Some(s) => serde_json::from_str(s).map_err(|e| {
                SysError::invalid(
                    "annotation",
                    ANNOTATION_ROOTFS_MOUNTS,
                    e.to_string().to_lowercase(),
                )
            }),
        }
    }

    /// The `io.tsrun.user` annotation, if set and non-empty.
    pub fn user_annotation(&self) -> Option<&str> {
        self.annotations
            .get(ANNOTATION_USER)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The `io.tsrun.group-add` names, if any.
    pub fn group_add_annotation(&self) -> Vec<&str> {
        self.annotations
            .get(ANNOTATION_GROUP_ADD)
            .map(|s| s.split(',').filter(|g| !g.is_empty()).collect())
            .unwrap_or_default()
    }

    /// Whether a namespace of this type is listed (created or joined).
    pub fn namespace(&self, kind: &str) -> Option<&Namespace> {
        self.linux.namespaces.iter().find(|n| n.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNC_SPEC: &str = r#"{
 "ociVersion": "1.0.2-dev",
 "process": {"terminal": true, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
   "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
   "cwd": "/",
   "capabilities": {"bounding": ["CAP_AUDIT_WRITE","CAP_KILL"], "effective": ["CAP_KILL"],
     "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
   "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
   "noNewPrivileges": true},
 "root": {"path": "rootfs", "readonly": true},
 "hostname": "runc",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid","strictatime","mode=755","size=65536k"]}],
 "linux": {"resources": {"devices": [{"allow": false, "access": "rwm"}]},
   "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "mount", "path": "/proc/1/ns/mnt"}],
   "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]},
 "annotations": {"io.tsrun.rootfs-mounts": "[{\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=/l\"]}]"}
}"#;

    #[test]
    fn parses_runc_spec() {
        let s = Spec::parse(RUNC_SPEC.as_bytes()).unwrap();
        assert_eq!(s.process.args, vec!["sh"]);
        assert!(s.process.terminal && s.process.no_new_privileges);
        assert_eq!(s.process.rlimits[0].kind, "RLIMIT_NOFILE");
        assert_eq!(s.process.capabilities.as_ref().unwrap().bounding.len(), 2);
        assert_eq!(s.hostname.as_deref(), Some("runc"));
        assert_eq!(s.mounts[1].options.len(), 4);
        assert!(s.linux.devices.is_none());
        assert_eq!(
            s.namespace("mount").unwrap().path.as_deref(),
            Some("/proc/1/ns/mnt")
        );
        assert!(s.namespace("uts").is_none());
        assert_eq!(s.root_path(Path::new("/b")), PathBuf::from("/b/rootfs"));
        let rm = s.rootfs_mounts().unwrap();
        assert_eq!(rm[0].kind, "overlay");
        assert_eq!(rm[0].options, vec!["lowerdir=/l"]);
    }

    #[test]
    fn rejects_missing_args() {
        let e = Spec::parse(br#"{"root":{"path":"/r"},"process":{"args":[]}}"#).unwrap_err();
        assert!(e.to_string().contains("process.args is empty"), "{e}");
        let e = Spec::parse(b"{nope").unwrap_err();
        assert_eq!(e.errno, libc::EINVAL);
    }

    #[test]
    fn parses_block_io_oom_and_group_names() {
        let s = Spec::parse(
            br#"{"root":{"path":"/r"},"process":{"args":["x"],"oomScoreAdj":500},
            "annotations":{"io.tsrun.group-add":"audio,video"},
            "linux":{"resources":{"memory":{"disableOOMKiller":true},
              "blockIO":{"weight":300,"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1048576}],
                "throttleWriteIOPSDevice":[{"major":8,"minor":16,"rate":10}]}}}}"#,
        )
        .unwrap();
        assert_eq!(s.process.oom_score_adj, Some(500));
        assert_eq!(s.group_add_annotation(), vec!["audio", "video"]);
        let r = s.linux.resources.unwrap();
        assert_eq!(r.memory.unwrap().disable_oom_killer, Some(true));
        let b = r.block_io.unwrap();
        assert_eq!(b.weight, Some(300));
        assert_eq!(b.throttle_read_bps_device[0].rate, 1048576);
        assert_eq!(b.throttle_write_iops_device[0].minor, 16);
        assert!(b.throttles());
    }

    #[test]
    fn parses_id_mappings() {
        let s = Spec::parse(
            br#"{"root":{"path":"/r"},"process":{"args":["x"]},
            "linux":{"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}"#,
        )
        .unwrap();
        assert_eq!(s.linux.uid_mappings[0].host_id, 1000);
    }
}
