//! tsrun-runtime: an OCI runtime with runc's command line, over
//! tsrun-container (docs/runtime-contract.md §4). Single-threaded: it
//! clones and forks.
//!
//! ```text
//! tsrun-runtime [--root DIR] [--log FILE] [--log-format text|json] [--debug]
//!               [--systemd-cgroup] COMMAND [FLAGS] ID ...
//! ```
//!
//! Commands: create, start, state, kill, delete, run, exec, ps, pause,
//! resume, update, features, spec, list. Errors: one line on stderr (and in
//! `--log`, in its format), exit 1, as runc.
mod args;
mod cmd;
mod console;
mod hooks;
mod log;
mod signals;
mod state;

use args::{flag, FlagSpec};

/// Flags every command takes before its name.
const GLOBAL: &[FlagSpec] = &[
    flag(&["root"], true),
    flag(&["log"], true),
    flag(&["log-format"], true),
    flag(&["debug"], false),
    flag(&["systemd-cgroup"], false),
    flag(&["criu"], true),
    flag(&["rootless"], true),
    flag(&["help", "h"], false),
    flag(&["version", "v"], false),
];

/// What every command gets.
pub struct Ctx {
    pub store: state::Store,
    pub log: log::Log,
}

const USAGE: &str =
    "usage: tsrun-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [FLAGS] ID
commands: create start state kill delete run exec ps pause resume update features spec list";

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    tsrun_container::internal_entry(&argv);
    // The command's own name splits global flags from its own.
    let words = &argv[1..];
    let at = words
        .iter()
        .position(|w| !w.starts_with('-') && !is_global_value(words, w))
        .unwrap_or(words.len());
    let global = match args::parse(&words[..at], GLOBAL, 0) {
        Ok(g) => g,
        Err(e) => fail(&log::Log::stderr_only(), &e),
    };
    if global.bool("version") {
        println!(
            "tsrun-runtime version {}\nspec: {}",
            env!("CARGO_PKG_VERSION"),
            state::OCI_VERSION
        );
        return;
    }
    let log = log::Log::open(
        global.get("log"),
        global.get("log-format").unwrap_or("text"),
        global.bool("debug"),
    );
    if global.bool("help") || at == words.len() {
        println!("{USAGE}");
        return;
    }
    if global.bool("systemd-cgroup") {
        fail(&log, "--systemd-cgroup is not supported: tsrun-runtime manages cgroupfs itself (leave the flag out)");
    }
    let ctx = Ctx {
        store: state::Store::new(std::path::Path::new(
            global.get("root").unwrap_or("/run/tsrun-runtime"),
        )),
        log,
    };
    let name = words[at].as_str();
    let rest = &words[at + 1..];
    let result = match name {
        "create" => cmd::create::main(&ctx, rest),
        "start" => cmd::start::main(&ctx, rest),
        "state" => cmd::state::main(&ctx, rest),
        "kill" => cmd::kill::main(&ctx, rest),
        "delete" => cmd::delete::main(&ctx, rest),
        "run" => cmd::run::main(&ctx, rest),
        "exec" => cmd::exec::main(&ctx, rest),
        "ps" => cmd::ps::main(&ctx, rest),
        "pause" => cmd::pause::main(&ctx, rest, true),
        "resume" => cmd::pause::main(&ctx, rest, false),
        "update" => cmd::update::main(&ctx, rest),
        "features" => cmd::features::main(&ctx, rest),
        "spec" => cmd::spec::main(&ctx, rest),
        "list" => cmd::list::main(&ctx, rest),
        other => Err(format!("No help topic for '{other}'\n{USAGE}")),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => fail(&ctx.log, &e),
    }
}

/// Whether `w` is the value of a global flag given as a separate word.
fn is_global_value(words: &[String], w: &String) -> bool {
    let i = words.iter().position(|x| std::ptr::eq(x, w)).unwrap_or(0);
    i > 0
        && GLOBAL.iter().any(|s| {
            s.takes_value
                && s.names
                    .iter()
                    .any(|n| words[i - 1] == format!("--{n}") || words[i - 1] == format!("-{n}"))
        })
}

fn fail(log: &log::Log, msg: &str) -> ! {
    log.error(msg);
    std::process::exit(1)
}
