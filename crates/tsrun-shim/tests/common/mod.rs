//! Shared fixture for the integration tests: a busybox rootfs in a temp dir,
//! a runc-like config.json, and a helper to run the real `tsrun-shim` (as root).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

pub const SHIM: &str = env!("CARGO_BIN_EXE_tsrun-shim");

const APPLETS: &[&str] = &[
    "sh", "echo", "ls", "cat", "hostname", "sleep", "id", "kill", "tr", "pwd", "printf", "test",
    "[", "true", "false", "mount", "wc", "grep", "readlink",
];

pub fn busybox() -> PathBuf {
    for p in ["/bin/busybox", "/usr/bin/busybox"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("busybox-static is needed for the integration tests");
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub config: Value,
    pub name: String,
}

impl Fixture {
    /// A bundle with `rootfs/` (busybox), a state dir, and a default config.
    pub fn new(name: &str) -> Fixture {
        // SAFETY: geteuid has no preconditions.
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "the tsrun-shim integration tests run containers and need root"
        );
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rootfs");
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        std::fs::copy(busybox(), root.join("bin/busybox")).unwrap();
        for a in APPLETS {
            std::os::unix::fs::symlink("busybox", root.join("bin").join(a)).unwrap();
        }
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home/nobody:/bin/false\n",
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n").unwrap();
        let name = format!("{name}-{}", std::process::id());
        let config = json!({
            "ociVersion": "1.0.2",
            "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 0},
                "args": ["true"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "cwd": "/",
                "capabilities": {
                    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"],
                    "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"],
                    "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"]
                },
                "noNewPrivileges": true
            },
            "root": {"path": "rootfs", "readonly": false},
            "hostname": "tsrun-test",
            "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
            ],
            "linux": {
                "cgroupsPath": format!("tsrun-test/{name}"),
                "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
                "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
                "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
            }
        });
        Fixture { dir, config, name }
    }

    pub fn bundle(&self) -> &Path {
        self.dir.path()
    }
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    pub fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }

    pub fn args(&mut self, args: &[&str]) -> &mut Self {
        self.config["process"]["args"] = json!(args);
        self
    }

    fn write_config(&self) {
        std::fs::write(
            self.bundle().join("config.json"),
            serde_json::to_vec_pretty(&self.config).unwrap(),
        )
        .unwrap();
    }

    /// The shim command line for this bundle (config.json written now).
    pub fn command(&self, extra: &[&str]) -> Command {
        self.write_config();
        let mut c = Command::new(SHIM);
        c.arg("run")
            .arg("--bundle")
            .arg(self.bundle())
            .arg("--state-dir")
            .arg(self.state_dir())
            .arg("--id")
            .arg(&self.name)
            .args(extra);
        c
    }

    /// Run in the foreground with stdin from /dev/null; capture output.
    pub fn run(&self) -> Output {
        self.command(&[]).stdin(Stdio::null()).output().unwrap()
    }

    pub fn state(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.state_dir().join("shim.json")).unwrap()).unwrap()
    }

    pub fn log_lines(&self) -> Vec<Value> {
        let text =
            std::fs::read_to_string(self.state_dir().join("container.log")).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Host directories of the container cgroup in every hierarchy.
    pub fn cgroup_dirs(&self) -> Vec<PathBuf> {
        let path = format!("tsrun-test/{}", self.name);
        tsrun_sys::cgroup::Cgroup::for_host(&path)
            .unwrap()
            .dirs
            .into_iter()
            .map(|d| d.dir)
            .collect()
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Wait (bounded) until shim.json reports `status`.
pub fn wait_status(f: &Fixture, status: &str, secs: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Ok(b) = std::fs::read(f.state_dir().join("shim.json")) {
            if let Ok(v) = serde_json::from_slice::<Value>(&b) {
                if v["status"] == status {
                    return v;
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "shim.json never reached status {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
