//! End-to-end: real containers from a busybox rootfs, run by the built
//! `tsrun-shim` as root. Each test checks one promise of
//! docs/runtime-contract.md §1.
mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{stderr, stdout, wait_status, Fixture, SHIM};
use serde_json::json;

#[test]
fn echo_hello_exits_0_and_logs_the_line() {
    let mut f = Fixture::new("hello");
    f.args(&["echo", "hello"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "hello\n");
    let log = f.log_lines();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["log"], "hello\n");
    assert_eq!(log[0]["stream"], "stdout");
    assert_eq!(log[0]["time"].as_str().unwrap().len(), 30);
    let s = f.state();
    assert_eq!(s["status"], "exited");
    assert_eq!(s["exitCode"], 0);
    assert_eq!(s["oomKilled"], false);
    assert!(s["pidStartTime"].as_u64().unwrap() > 0);
    assert!(s["finishedAt"].is_string());
}

#[test]
fn stderr_is_its_own_stream() {
    let mut f = Fixture::new("stderr");
    f.args(&["sh", "-c", "echo oops >&2; printf partial"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "oops\n");
    let log = f.log_lines();
    assert!(
        log.iter()
            .any(|l| l["log"] == "oops\n" && l["stream"] == "stderr"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l["log"] == "partial" && l["stream"] == "stdout"),
        "{log:?}"
    );
}

#[test]
fn exit_code_is_passed_through() {
    let mut f = Fixture::new("exit3");
    f.args(&["sh", "-c", "exit 3"]);
    assert_eq!(f.run().status.code(), Some(3));
    assert_eq!(f.state()["exitCode"], 3);
}

#[test]
fn command_not_found_is_127() {
    let mut f = Fixture::new("nope");
    f.args(&["nope"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(127));
    assert_eq!(
        stderr(&o),
        "exec: \"nope\": executable file not found in $PATH\n"
    );
    let s = f.state();
    assert_eq!(s["status"], "exited");
    assert_eq!(s["exitCode"], 127);
    assert_eq!(
        s["error"],
        "exec: \"nope\": executable file not found in $PATH"
    );
    assert!(
        f.cgroup_dirs().iter().all(|d| !d.exists()),
        "cgroup left after a failed start"
    );
}

#[test]
fn directory_is_126() {
    let mut f = Fixture::new("dir");
    f.args(&["/etc"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(126));
    assert_eq!(stderr(&o), "exec: \"/etc\": permission denied\n");
}

#[test]
fn pid_is_1_and_proc_shows_only_the_container() {
    let mut f = Fixture::new("pid1");
    f.args(&["sh", "-c", "echo $$; ls /proc"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("1"));
    let pids: Vec<u32> = lines.filter_map(|l| l.trim().parse().ok()).collect();
    assert!(pids.contains(&1), "{pids:?}");
    assert!(
        pids.len() <= 3 && pids.iter().all(|p| *p < 10),
        "host pids visible: {pids:?}"
    );
}

#[test]
fn hostname_and_loopback() {
    let mut f = Fixture::new("host");
    f.args(&[
        "sh",
        "-c",
        "hostname; cat /sys/class/net/lo/operstate; ls /sys/class/net",
    ]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "tsrun-test");
    assert_eq!(
        lines[1], "unknown",
        "lo is up (operstate of a loopback reads unknown)"
    );
    assert_eq!(lines[2..], ["lo"], "a new network namespace has only lo");
}

#[test]
fn cgroup_is_joined_limited_and_removed() {
    let mut f = Fixture::new("cg");
    f.config["linux"]["resources"] = json!({"memory": {"limit": 67108864}, "pids": {"limit": 64}});
    f.args(&["sh", "-c", "cat /proc/self/cgroup"]);
    let probe = tsrun_sys::cgroup::probe();
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = format!("/tsrun-test/{}", f.name);
    let out = stdout(&o);
    for line in out.lines() {
        assert!(
            line.ends_with(&want),
            "{line} (not in the container cgroup)"
        );
    }
    assert!(out.lines().count() >= 1);
    if probe.cgroup != "v2" {
        assert!(out.contains(":memory:"), "{out}");
    }
    for d in f.cgroup_dirs() {
        assert!(!d.exists(), "{} left behind", d.display());
    }
}

#[test]
fn memory_limit_is_written() {
    let mut f = Fixture::new("cglimit");
    f.config["linux"]["resources"] = json!({"memory": {"limit": 33554432}});
    let probe = tsrun_sys::cgroup::probe();
    let file = if probe.cgroup == "v2" {
        "memory.max"
    } else {
        "memory.limit_in_bytes"
    };
    let inner = if probe.cgroup == "v2" {
        "/sys/fs/cgroup"
    } else {
        "/sys/fs/cgroup/memory"
    };
    f.config["mounts"].as_array_mut().unwrap().push(json!({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}));
    f.args(&["cat", &format!("{inner}/{file}")]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "33554432");
}

#[test]
fn overlay_rootfs_mount_is_private_to_the_container() {
    let mut f = Fixture::new("overlay");
    let d = f.bundle().to_path_buf();
    for sub in ["upper", "work", "merged"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    let merged = d.join("merged");
    let opts = vec![
        format!("lowerdir={}", f.rootfs().display()),
        format!("upperdir={}", d.join("upper").display()),
        format!("workdir={}", d.join("work").display()),
    ];
    f.config["root"]["path"] = json!(merged.to_str().unwrap());
    f.config["annotations"] = json!({"io.tsrun.rootfs-mounts": serde_json::to_string(&json!([{"type": "overlay", "source": "overlay", "options": opts}])).unwrap()});
    f.args(&[
        "sh",
        "-c",
        "echo data > /created; grep -c ' / overlay ' /proc/self/mounts",
    ]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "1");
    assert_eq!(
        std::fs::read_to_string(d.join("upper/created")).unwrap(),
        "data\n"
    );
    assert!(
        !f.rootfs().join("created").exists(),
        "lower layer was written"
    );
    let host = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !host.contains(merged.to_str().unwrap()),
        "overlay visible on the host"
    );
    assert_eq!(std::fs::read_dir(&merged).unwrap().count(), 0);
}

#[test]
fn failed_rootfs_mount_is_125_with_the_path() {
    let mut f = Fixture::new("badmount");
    let merged = f.bundle().join("merged");
    std::fs::create_dir_all(&merged).unwrap();
    f.config["root"]["path"] = json!(merged.to_str().unwrap());
    f.config["annotations"] = json!({"io.tsrun.rootfs-mounts": r#"[{"type":"overlay","source":"overlay","options":["lowerdir=/nonexistent-tsrun-layer","upperdir=/nonexistent-u","workdir=/nonexistent-w"]}]"#});
    let o = f.run();
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        format!(
            "mount overlay on {}: no such file or directory\n",
            merged.display()
        )
    );
    assert_eq!(f.state()["exitCode"], 125);
}

#[test]
fn user_annotation_is_resolved_in_the_container() {
    let mut f = Fixture::new("user");
    f.config["annotations"] = json!({"io.tsrun.user": "nobody"});
    f.config["process"]["cwd"] = json!("/work/dir");
    f.args(&["sh", "-c", "id -u; id -g; echo $HOME; pwd"]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "65534\n65534\n/home/nobody\n/work/dir\n");

    let mut f = Fixture::new("nouser");
    f.config["annotations"] = json!({"io.tsrun.user": "ghost"});
    let o = f.run();
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "unable to find user ghost: no matching entries in passwd file\n"
    );
}

#[test]
fn kill_9_of_pid1_is_137() {
    let mut f = Fixture::new("kill9");
    f.args(&["sleep", "30"]);
    let mut child = f
        .command(&[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let s = wait_status(&f, "running", 10);
    let pid = s["pid"].as_i64().unwrap() as i32;
    // SAFETY: signalling the container's PID 1 by its host pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(137));
    let s = f.state();
    assert_eq!(s["exitCode"], 137);
    assert_eq!(s["signal"], 9);
}

#[test]
fn sigterm_is_forwarded() {
    let mut f = Fixture::new("term");
    f.args(&[
        "sh",
        "-c",
        "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done",
    ]);
    let child = f
        .command(&[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_status(&f, "running", 10);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f.log_lines().iter().any(|l| l["log"] == "ready\n") {
        assert!(Instant::now() < deadline, "container never got ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: signalling the shim we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(7));
    assert!(stdout(&o).contains("got-term"));
}

#[test]
fn detached_returns_and_the_monitor_records_the_exit() {
    let mut f = Fixture::new("detach");
    f.args(&["sh", "-c", "echo bg; sleep 1; exit 4"]);
    let marker = f.bundle().join("exit-command-ran");
    let t0 = Instant::now();
    // Piped stdio: output() only returns once every holder of the pipes is gone,
    // so this also proves the monitor keeps none of the caller's stdio.
    let o = f
        .command(&[
            "--detach",
            "--exit-command",
            "/bin/sh",
            "--exit-command-arg",
            "-c",
            "--exit-command-arg",
            &format!("echo ran > {}", marker.display()),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        t0.elapsed() < Duration::from_millis(900),
        "detach waited for the container: {:?}",
        t0.elapsed()
    );
    assert_eq!(stdout(&o), "");
    let s = f.state();
    assert_eq!(s["status"], "running");
    let s = wait_status(&f, "exited", 10);
    assert_eq!(s["exitCode"], 4);
    assert!(f.log_lines().iter().any(|l| l["log"] == "bg\n"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "exit command did not run");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(f.cgroup_dirs().iter().all(|d| !d.exists()));
}

#[test]
fn detached_start_failure_reports_the_code() {
    let mut f = Fixture::new("detachfail");
    f.args(&["nope"]);
    let o = f
        .command(&["--detach"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(127));
    assert_eq!(
        stderr(&o),
        "exec: \"nope\": executable file not found in $PATH\n"
    );
}

#[test]
fn stdin_is_relayed_and_closed_on_eof() {
    let mut f = Fixture::new("stdin");
    f.args(&["sh", "-c", "cat; echo end"]);
    let mut child = f
        .command(&["--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"one\ntwo").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "one\ntwoend\n");
}

#[test]
fn without_stdin_the_container_reads_dev_null() {
    let mut f = Fixture::new("nostdin");
    f.args(&["sh", "-c", "cat; echo end"]);
    // Our stdin is a pipe that never closes: the container must not see it.
    let mut child = f
        .command(&[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _keep = child.stdin.take();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert_eq!(st.code(), Some(0));
            break;
        }
        assert!(Instant::now() < deadline, "container waited on our stdin");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn tty_under_script() {
    let mut f = Fixture::new("tty");
    f.config["process"]["terminal"] = json!(true);
    f.args(&[
        "sh",
        "-c",
        "[ -t 0 ] && [ -t 1 ] && echo TTY-YES; read line; echo got:$line; exit 6",
    ]);
    let cmd = format!(
        "{SHIM} run --bundle {} --state-dir {} --id {} --stdin",
        f.bundle().display(),
        f.state_dir().display(),
        f.name
    );
    f.command(&[]); // writes config.json
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    wait_status(&f, "running", 10);
    input.write_all(b"typed\r").unwrap();
    let o = child.wait_with_output().unwrap();
    let out = stdout(&o);
    assert!(out.contains("TTY-YES"), "{out:?}");
    assert!(out.contains("got:typed"), "{out:?}");
    assert_eq!(o.status.code(), Some(6), "{out:?}");
    let log = f.log_lines();
    assert!(log.iter().all(|l| l["stream"] == "stdout"));
    assert!(log.iter().any(|l| l["log"] == "TTY-YES\r\n"), "{log:?}");
}

#[test]
fn oom_kill_is_recorded() {
    let mut f = Fixture::new("oom");
    f.config["linux"]["resources"] = json!({"memory": {"limit": 16777216, "swap": 16777216}});
    f.args(&[
        "sh",
        "-c",
        "a=$(head -c 200000000 /dev/zero | tr '\\0' x); echo survived",
    ]);
    let o = f.run();
    assert_eq!(o.status.code(), Some(137), "{}", stdout(&o));
    let s = f.state();
    assert_eq!(s["oomKilled"], true);
    assert_eq!(s["signal"], 9);
}
