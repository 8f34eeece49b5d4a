//! tsrun-shim: creates a container from an OCI bundle and stays its parent
//! (the monitor). Contract: docs/runtime-contract.md §1. Single-threaded on
//! purpose: it forks and clones, which is only safe with one thread.
//!
//! Flow: parse args → (detach: fork, launcher waits) → block signals → load
//! config.json → create cgroup → clone + init + exec → shim.json running →
//! monitor loop → drain, kill and remove the cgroup → shim.json exited →
//! exit command → exit with the container's code. A foreground run whose
//! terminal detached (detach keys) goes on as a detached monitor. Creating
//! the container itself (clone, the init, exec into it) is tsrun-container's,
//! or, with `--runtime PATH`, another OCI runtime's driven through runc's
//! command line (runtime_start.rs): the rest of the flow is the same.
mod args;
mod attach;
mod clock;
mod cp;
mod detach;
mod escape;
mod events;
mod exec_args;
mod exec_session;
mod journal;
mod logfile;
mod monitor;
mod relay;
mod restart;
mod rootfs;
mod runtime_cli;
mod runtime_exec;
mod runtime_spec;
mod runtime_start;
mod console_socket;
mod state;

use std::path::Path;

use tsrun_sys::cgroup::{Busy, Cgroup};
use tsrun_sys::oci::Spec;
use tsrun_sys::tty;

use args::RunArgs;
use detach::Reporter;
use state::ShimState;
use tsrun_container::stdio::StdioPlan;
use tsrun_container::{create, signals, Failure};

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    tsrun_container::internal_entry(&argv);
    if argv.get(1).map(String::as_str) == Some("exec") {
        std::process::exit(exec_session::main(argv[2..].to_vec()));
    }
    if std::env::args().nth(1).as_deref() == Some("cp") {
        std::process::exit(cp::main(std::env::args().skip(2)));
    }
    if let Some(verb @ ("changes" | "export")) = argv.get(1).map(String::as_str) {
        std::process::exit(rootfs::main(verb, argv[2..].to_vec()));
    }
    let a = match args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(125);
        }
    };
    let reporter = if a.detach {
        detach::fork_monitor()
    } else {
        Reporter::Foreground
    };
    std::process::exit(run(&a, reporter));
}

/// Fork+exec the exit command with /dev/null stdio; not waited for.
fn run_exit_command(a: &RunArgs) {
    let Some(cmd) = &a.exit_command else { return };
    let mut c = std::process::Command::new(cmd);
    c.args(&a.exit_command_args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // The child must not inherit our blocked signal mask.
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            libc::setsid();
            // After `--runtime`: run it in the host's mount namespace, not ours.
            runtime_start::back_to_host_mounts();
            Ok(())
        });
    }
    let _ = c.spawn();
}

/// Record a start failure: clean up, write shim.json exited, report, exit command.
fn fail(
    a: &RunArgs,
    st: &mut ShimState,
    rep: &mut Reporter,
    cg: Option<&Cgroup>,
    f: Failure,
) -> i32 {
    if let Some(cg) = cg {
        let _ = cg.remove();
    }
    st.status = "exited";
    st.finished_at = Some(clock::now_rfc3339());
    st.exit_code = Some(f.code);
    st.error = Some(f.message.clone());
    let _ = state::write(&a.state_dir, st);
    rep.failed(f.code, &f.message);
    // A foreground caller sees the failure and cleans up itself.
    if !matches!(rep, Reporter::Foreground) {
        run_exit_command(a);
    }
    f.code
}

/// The window size to give a new pty: our terminal's in the foreground,
/// else `process.consoleSize`.
fn initial_winsize(spec: &Spec, foreground: bool) -> Option<(u16, u16)> {
    if foreground {
        for fd in [0, 1] {
            // A pty nobody sized (0x0) is no better than the config's size.
            if let Some(ws) = tty::get_winsize(fd).filter(|w| w.ws_row > 0 && w.ws_col > 0) {
                return Some((ws.ws_row, ws.ws_col));
            }
        }
    }
    spec.process.console_size.map(|c| (c.height, c.width))
}

fn run(a: &RunArgs, mut rep: Reporter) -> i32 {
    let foreground = matches!(rep, Reporter::Foreground);
    // Set when a foreground run detached (the detach keys): the exit command is then ours to run.
    let mut detached = false;
    detach::cloexec(a.detach_fd);
    let mut st = ShimState {
        status: "created",
        monitor_pid: std::process::id() as i32,
        ..Default::default()
    };
    let sigfd = match signals::block_and_open() {
        Ok(fd) => fd,
        Err(e) => return fail(a, &mut st, &mut rep, None, e.into()),
    };
    let spec = match Spec::load(&a.bundle) {
        Ok(s) => s,
        Err(e) => return fail(a, &mut st, &mut rep, None, e.into()),
    };
    let cgroup = match spec
        .linux
        .cgroups_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(Cgroup::for_host)
        .transpose()
    {
        Ok(c) => c,
        Err(e) => return fail(a, &mut st, &mut rep, None, e.into()),
    };
    let mut log =
        match logfile::LogFile::from_spec(&spec, &a.state_dir.join("container.log"), &a.id) {
            Ok(l) => l,
            Err(e) => return fail(a, &mut st, &mut rep, None, e.into()),
        };
    let journal = events::Journal::from_spec(&spec, &a.id);
    // With another OCI runtime: our own mount namespace holding the rootfs.
    let runtime = a.runtime.as_ref().map(|path| runtime_cli::Runtime {
        path: path.clone(),
        root: a.runtime_root.clone(),
        id: a.id.clone(),
        log: a.state_dir.join("runtime.log"),
        rro: runtime_spec::runtime_knows_rro(path),
    });
    let rootfs = match runtime.as_ref().map(|_| runtime_start::enter_private_root(&spec, Path::new(&a.bundle))).transpose() {
        Ok(r) => r,
        Err(f) => return fail(a, &mut st, &mut rep, None, f),
    };
    // Restart policies apply to detached containers only: a foreground run
    // ends with its container, as the caller waits for its exit code.
    let policy = restart::Policy::from_spec(&spec).filter(|_| !foreground);
    // A detached container can be attached to later (`tsrun attach`); one
    // socket for its whole life, across restarts.
    let mut attach = if foreground {
        None
    } else {
        attach::AttachServer::bind(&a.state_dir, spec.process.terminal)
    };
    let exit = loop {
        // With another runtime, the runtime makes the cgroup.
        if let Some(cg) = cgroup.as_ref().filter(|_| runtime.is_none()) {
            // What is not enforced was warned about by the engine at create.
            let path = spec.linux.cgroups_path.as_deref().unwrap_or_default();
            if let Err(e) =
                tsrun_sys::cgroup::prepare(cg, path, spec.linux.resources.as_ref(), Busy::Allow)
            {
                return fail(a, &mut st, &mut rep, Some(cg), e.into());
            }
        }
        let opts = create::StartOpts {
            bundle: Path::new(&a.bundle),
            stdio: StdioPlan::Relay {
                keep_stdin: a.stdin,
                winsize: initial_winsize(&spec, foreground),
            },
            cgroup: cgroup.as_ref(),
            created: None,
        };
        st.started_at = Some(clock::now_rfc3339());
        let began = std::time::Instant::now();
        let made = match (&runtime, &rootfs) {
            (Some(rt), Some(root)) => runtime_start::start(
                rt,
                &runtime_start::StartOpts {
                    engine_bundle: Path::new(&a.bundle),
                    state_dir: &a.state_dir,
                    spec: &spec,
                    root,
                    keep_stdin: a.stdin,
                    winsize: initial_winsize(&spec, foreground),
                },
            ),
            _ => create::start(&spec, &opts),
        };
        let started = match made {
            Ok(s) => s,
            Err(f) => return fail(a, &mut st, &mut rep, cgroup.as_ref(), f),
        };
        st.status = "running";
        st.pid = Some(started.pid);
        st.pid_start_time = tsrun_sys::procfs::child_start_time(started.pid).ok();
        if let Err(e) = state::write(&a.state_dir, &st) {
            // The engine cannot track a container without its state: stop it.
            // SAFETY: signalling our own child.
            unsafe { libc::kill(started.pid, libc::SIGKILL) };
            return fail(a, &mut st, &mut rep, cgroup.as_ref(), e.into());
        }
        rep.started();
        if st.restart_count > 0 {
            journal.emit("start", &[]);
        }

        let tty_mode = spec.process.terminal;
        let mut raw = if foreground && tty_mode && a.stdin && tty::is_tty(0) {
            tty::RawMode::enter(0).ok()
        } else {
            None
        };
        let mopts = monitor::MonitorOpts {
            pid: started.pid,
            foreground,
            relay_stdin: foreground && a.stdin,
            tty: tty_mode,
            // As Docker's CLI: detach keys only where our stdin is the container's terminal.
            detach_keys: a
                .detach_keys
                .clone()
                .filter(|_| foreground && tty_mode && a.stdin),
        };
        // The detach keys: give the terminal back as it was, leave it, and
        // from now on serve `tsrun attach` as a detached monitor does.
        let mut on_detach = || {
            raw = None;
            detach::leave_terminal(a.detach_fd);
            detached = true;
            attach::AttachServer::bind(&a.state_dir, tty_mode)
        };
        let exit = monitor::run(
            &sigfd,
            started
                .stdio
                .expect("a relayed container has our side of its stdio"),
            &mut log,
            &mopts,
            cgroup.as_ref(),
            attach.as_mut(),
            &mut on_detach,
        );
        drop(raw);

        let oom = cgroup.as_ref().is_some_and(|c| c.oom_killed());
        st.oom_killed = Some(oom);
        // The runtime's state and cgroup go with its `delete`; ours below
        // takes whatever it left.
        if let Some(rt) = &runtime {
            rt.delete();
        }
        if let Some(cg) = &cgroup {
            if let Err(e) = cg.remove() {
                st.error = Some(e.to_string());
            }
        }
        if oom {
            journal.emit("oom", &[]);
        }
        journal.emit("die", &[("exitCode", exit.code.to_string())]);
        let again = policy.is_some_and(|p| p.wants(exit.code, st.restart_count))
            && !restart::stop_requested(&a.state_dir);
        if !again {
            break exit;
        }
        st.status = "restarting";
        st.finished_at = Some(clock::now_rfc3339());
        st.exit_code = Some(exit.code);
        st.signal = exit.signal;
        let _ = state::write(&a.state_dir, &st);
        let ran = began.elapsed().as_millis() as u64;
        if !restart::wait(restart::backoff_ms(st.restart_count, ran), &a.state_dir) {
            break exit;
        }
        st.restart_count += 1;
        st.exit_code = None;
        st.signal = None;
        st.finished_at = None;
        journal.emit("restart", &[]);
    };

    st.status = "exited";
    st.finished_at = Some(clock::now_rfc3339());
    st.exit_code = Some(exit.code);
    st.signal = exit.signal;
    let _ = state::write(&a.state_dir, &st);
    // In the foreground the caller acts on the exit (removes a --rm
    // container); after a detach nobody waits any more, so we do.
    if !foreground || detached {
        run_exit_command(a);
    }
    if foreground {
        exit.code
    } else {
        0
    }
}
