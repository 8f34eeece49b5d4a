//! tsrun-runtime as a caller uses it (podman, containerd): real containers
//! from a busybox rootfs, as root. The lifecycle, and every bad input the
//! runtime contract names: one clear line, exit 1 (runc's), nothing left.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const RUNTIME: &str = env!("CARGO_BIN_EXE_tsrun-runtime");
const APPLETS: &[&str] = &[
    "sh", "echo", "ls", "cat", "hostname", "sleep", "id", "kill", "touch", "true", "test", "printf",
];

struct Bundle {
    dir: tempfile::TempDir,
    root: PathBuf,
    config: Value,
}

fn busybox() -> PathBuf {
    ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("busybox-static is needed")
}

impl Bundle {
    fn new() -> Bundle {
        // SAFETY: geteuid has no preconditions.
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "the tsrun-runtime tests run containers as root"
        );
        let dir = tempfile::tempdir().unwrap();
        let rootfs = dir.path().join("bundle/rootfs");
        std::fs::create_dir_all(rootfs.join("bin")).unwrap();
        std::fs::create_dir_all(rootfs.join("etc")).unwrap();
        std::fs::copy(busybox(), rootfs.join("bin/busybox")).unwrap();
        for a in APPLETS {
            std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(a)).unwrap();
        }
        std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
        let root = dir.path().join("state");
        let config = json!({
            "ociVersion": "1.2.0",
            "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["true"],
                        "env": ["PATH=/bin"], "cwd": "/"},
            "root": {"path": "rootfs"},
            "hostname": "rt",
            "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                       {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
            "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "ipc"}, {"type": "network"}]}
        });
        Bundle { dir, root, config }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("bundle")
    }

    fn args(&mut self, args: &[&str]) -> &mut Bundle {
        self.config["process"]["args"] = json!(args);
        self
    }

    fn write(&self) {
        std::fs::write(self.path().join("config.json"), self.config.to_string()).unwrap();
    }

    /// Run the runtime. Its stdout and stderr are files, not pipes: a
    /// container it creates inherits them and may outlive it (as with runc),
    /// and a pipe would not see EOF until the container exits.
    fn rt(&self, args: &[&str]) -> Output {
        self.write();
        let n = std::sync::atomic::AtomicU64::new(0);
        let tag = format!(
            "{}-{}",
            std::process::id(),
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let (out_p, err_p) = (
            self.dir.path().join(format!("out-{tag}")),
            self.dir.path().join(format!("err-{tag}")),
        );
        let status = Command::new(RUNTIME)
            .arg("--root")
            .arg(&self.root)
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_p).unwrap())
            .stderr(std::fs::File::create(&err_p).unwrap())
            .status()
            .unwrap();
        // Whatever the container writes later lands in these files too;
        // what the runtime itself said is there by now.
        let o = Output {
            status,
            stdout: std::fs::read(&out_p).unwrap(),
            stderr: std::fs::read(&err_p).unwrap(),
        };
        let _ = std::fs::remove_file(&out_p);
        let _ = std::fs::remove_file(&err_p);
        o
    }

    fn status(&self, id: &str) -> String {
        let o = self.rt(&["state", id]);
        if !o.status.success() {
            return "gone".into();
        }
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["status"].as_str().unwrap().to_string()
    }

    fn wait_status(&self, id: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.status(id) != want {
            assert!(
                Instant::now() < deadline,
                "{id} never became {want} (is {})",
                self.status(id)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Refused with one line and runc's exit 1.
fn refused(o: &Output, want: &str) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", err(o));
    let e = err(o);
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(e.contains(want), "{e:?} should say {want:?}");
}

#[test]
fn create_start_state_kill_delete() {
    let mut b = Bundle::new();
    b.args(&["sleep", "30"]);
    let pidfile = b.dir.path().join("pid");
    let o = b.rt(&["create", "--pid-file", pidfile.to_str().unwrap(), "c1"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(b.status("c1"), "created");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let st: Value = serde_json::from_slice(&b.rt(&["state", "c1"]).stdout).unwrap();
    assert_eq!(st["pid"], pid);
    assert_eq!(st["ociVersion"], "1.2.0");
    assert_eq!(
        PathBuf::from(st["bundle"].as_str().unwrap()),
        b.path().canonicalize().unwrap()
    );
    refused(&b.rt(&["create", "c1"]), "container with id exists: c1");
    assert!(b.rt(&["start", "c1"]).status.success());
    assert_eq!(b.status("c1"), "running");
    refused(
        &b.rt(&["start", "c1"]),
        "cannot start an already running container",
    );
    refused(
        &b.rt(&["delete", "c1"]),
        "cannot delete container c1 that is not stopped: running",
    );
    let ps = b.rt(&["ps", "--format", "json", "c1"]);
    assert_eq!(
        serde_json::from_slice::<Vec<i32>>(&ps.stdout).unwrap(),
        vec![pid]
    );
    assert!(b.rt(&["kill", "c1", "KILL"]).status.success());
    b.wait_status("c1", "stopped");
    refused(
        &b.rt(&["start", "c1"]),
        "cannot start a container that has stopped",
    );
    refused(&b.rt(&["kill", "c1"]), "container not running");
    assert!(b.rt(&["delete", "c1"]).status.success());
    refused(&b.rt(&["state", "c1"]), "container \"c1\" does not exist");
    assert!(!b.root.join("c1").exists());
}

#[test]
fn run_exits_with_the_container_code_and_removes_it() {
    let mut b = Bundle::new();
    b.args(&["sh", "-c", "echo out; echo err >&2; exit 7"]);
    let o = b.rt(&["run", "r1"]);
    assert_eq!(o.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "out\n");
    assert_eq!(err(&o), "err\n");
    refused(&b.rt(&["state", "r1"]), "does not exist");
    b.args(&["nope"]);
    let o = b.rt(&["run", "r2"]);
    refused(&o, "exec: \"nope\": executable file not found in $PATH");
    assert!(
        !b.root.join("r2").exists(),
        "a failed create leaves nothing"
    );
}

#[test]
fn exec_runs_in_the_container_with_its_env() {
    let mut b = Bundle::new();
    b.args(&["sleep", "30"]);
    b.config["process"]["env"] = json!(["PATH=/bin", "FROM=spec"]);
    assert!(b.rt(&["run", "--detach", "e1"]).status.success());
    let o = b.rt(&[
        "exec",
        "--env",
        "EXTRA=1",
        "e1",
        "sh",
        "-c",
        "echo $FROM $EXTRA $(hostname)",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "spec 1 rt\n",
        "{}",
        err(&o)
    );
    assert_eq!(
        b.rt(&["exec", "e1", "sh", "-c", "exit 4"]).status.code(),
        Some(4)
    );
    refused(&b.rt(&["exec", "e1", "nope"]), "executable file not found");
    assert!(b.rt(&["pause", "e1"]).status.success());
    assert_eq!(b.status("e1"), "paused");
    refused(
        &b.rt(&["exec", "e1", "true"]),
        "cannot exec in a paused container",
    );
    assert!(b.rt(&["resume", "e1"]).status.success());
    assert!(b.rt(&["delete", "--force", "e1"]).status.success());
    assert!(!b.root.join("e1").exists());
}

#[test]
fn hooks_run_with_the_state_and_their_failures_fail_create() {
    let mut b = Bundle::new();
    b.args(&["true"]);
    let log = b.dir.path().join("hooks.log");
    let record = |name: &str| json!({"path": "/bin/sh", "args": ["sh", "-c", format!("printf '{name} ' >> {}; cat >> {}; echo >> {}", log.display(), log.display(), log.display())]});
    b.config["hooks"] = json!({
        "prestart": [record("prestart")], "createRuntime": [record("createRuntime")],
        "createContainer": [record("createContainer")], "poststart": [record("poststart")], "poststop": [record("poststop")]
    });
    let o = b.rt(&["run", "h1"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    let kinds: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        kinds,
        vec![
            "prestart",
            "createRuntime",
            "createContainer",
            "poststart",
            "poststop"
        ]
    );
    for l in text.lines() {
        let state: Value = serde_json::from_str(l.split_once(' ').unwrap().1).unwrap();
        assert_eq!(state["id"], "h1");
        assert!(state["pid"].as_i64().unwrap() > 0 || l.starts_with("poststop"));
    }
    // A failing hook fails create, naming it; one that hangs is killed at its timeout.
    b.config["hooks"] = json!({"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo broken >&2; exit 3"]}]});
    refused(
        &b.rt(&["create", "h2"]),
        "createRuntime hook #0 (/bin/sh): exit status 3: broken",
    );
    assert!(!b.root.join("h2").exists());
    b.config["hooks"] =
        json!({"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]});
    let t = Instant::now();
    refused(&b.rt(&["create", "h3"]), "timed out after 1 s");
    assert!(t.elapsed() < Duration::from_secs(10));
}

#[test]
fn bad_input_is_one_line() {
    let mut b = Bundle::new();
    b.write();
    std::fs::remove_file(b.path().join("config.json")).unwrap();
    let o = Command::new(RUNTIME)
        .arg("--root")
        .arg(&b.root)
        .args(["create", "x1"])
        .current_dir(b.path())
        .output()
        .unwrap();
    refused(&o, "config.json");
    b.config["ociVersion"] = json!("2.0.0");
    refused(
        &b.rt(&["create", "x2"]),
        "unsupported spec version \"2.0.0\"",
    );
    b.config["ociVersion"] = json!("1.2.0");
    refused(
        &b.rt(&["start", "nope"]),
        "container \"nope\" does not exist",
    );
    refused(
        &b.rt(&["delete", "nope"]),
        "container \"nope\" does not exist",
    );
    refused(&b.rt(&["create", "bad/id"]), "invalid container id format");
    refused(&b.rt(&["frobnicate"]), "No help topic for 'frobnicate'");
    refused(
        &b.rt(&["--systemd-cgroup", "create", "x3"]),
        "--systemd-cgroup is not supported",
    );
    b.config["process"]["terminal"] = json!(true);
    refused(
        &b.rt(&["create", "x4"]),
        "cannot allocate a tty without --console-socket",
    );
    let not_socket = b.dir.path().join("plain-file");
    std::fs::write(&not_socket, "").unwrap();
    refused(
        &b.rt(&[
            "create",
            "--console-socket",
            not_socket.to_str().unwrap(),
            "x5",
        ]),
        "not a unix socket",
    );
    for id in ["x2", "x4", "x5"] {
        assert!(!b.root.join(id).exists(), "{id} left state behind");
    }
}

#[test]
fn the_console_socket_gets_the_pty_master() {
    let mut b = Bundle::new();
    b.args(&["sh", "-c", "test -t 0 && echo on-a-tty"]);
    b.config["process"]["terminal"] = json!(true);
    let sock_path = b.dir.path().join("console.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
    let o = b.rt(&[
        "create",
        "--console-socket",
        sock_path.to_str().unwrap(),
        "t1",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let (conn, _) = listener.accept().unwrap();
    let master = recv_fd(&conn);
    assert!(b.rt(&["start", "t1"]).status.success());
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        // SAFETY: reading the master we were sent.
        let n = unsafe { libc::read(master, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n <= 0 {
            break;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
    assert!(
        String::from_utf8_lossy(&out).contains("on-a-tty"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    b.wait_status("t1", "stopped");
    assert!(b.rt(&["delete", "t1"]).status.success());
}

fn recv_fd(conn: &std::os::unix::net::UnixStream) -> i32 {
    use std::os::unix::io::AsRawFd;
    let mut data = [0u8; 64];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    let mut control = [0u8; 64];
    // SAFETY: a zeroed msghdr pointing at our buffers.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = control.len();
    // SAFETY: recvmsg into our buffers; the first cmsg carries the fd.
    unsafe {
        assert!(libc::recvmsg(conn.as_raw_fd(), &mut msg, 0) > 0);
        let c = libc::CMSG_FIRSTHDR(&msg);
        assert!(!c.is_null());
        std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const i32)
    }
}

#[test]
fn spec_and_features() {
    let b = Bundle::new();
    let dir = b.dir.path().join("fresh");
    std::fs::create_dir(&dir).unwrap();
    let o = Command::new(RUNTIME)
        .args(["spec", "--bundle"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(spec["process"]["args"], json!(["sh"]));
    let again = Command::new(RUNTIME)
        .args(["spec", "--bundle"])
        .arg(&dir)
        .output()
        .unwrap();
    refused(&again, "exists. Remove it first");
    let f: Value = serde_json::from_slice(
        &Command::new(RUNTIME)
            .arg("features")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(f["ociVersionMax"], "1.2.0");
    assert!(f["hooks"].as_array().unwrap().len() == 6);
    assert_eq!(f["linux"]["seccomp"]["enabled"], true);
    let _ = Path::new("/");
}

#[test]
fn a_cgroup_with_another_containers_processes_is_refused_and_left_alone() {
    let mut b = Bundle::new();
    let name = format!("tsrun-runtime-test-busy-{}", std::process::id());
    b.config["linux"]["cgroupsPath"] = json!(name);
    // Someone else's process already in that cgroup, in every hierarchy
    // this host has (made with the same library, whatever the layout).
    let cg = tsrun_sys::cgroup::Cgroup::for_host(&name).unwrap();
    cg.create().unwrap();
    let mut other = Command::new("sleep").arg("30").spawn().unwrap();
    cg.add_pid(other.id() as i32).unwrap();
    let o = b.rt(&["create", "busy1"]);
    let inside = cg.pids();
    other.kill().unwrap();
    other.wait().unwrap();
    refused(&o, "process(es) of another container");
    assert!(!b.root.join("busy1").exists(), "busy1 left state behind");
    assert_eq!(inside, vec![other.id() as i32], "the other process was left where it was");
    cg.remove().unwrap();
}
