//! Errors and warnings as runc gives them: one line on stderr, and, with
//! `--log FILE`, appended to that file too, in `--log-format` (`text`:
//! `time="..." level=error msg="..."`; `json`: `{"level":"error",
//! "msg":"...","time":"..."}`, which containerd's shim and podman read back
//! to show the runtime's own words).
use std::io::Write;

pub struct Log {
    file: Option<std::fs::File>,
    json: bool,
    debug: bool,
}

impl Log {
    pub fn stderr_only() -> Log {
        Log {
            file: None,
            json: false,
            debug: false,
        }
    }

    /// A `--log` file that cannot be opened is reported and left out.
    pub fn open(path: Option<&str>, format: &str, debug: bool) -> Log {
        let file = path.and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| eprintln!("tsrun-runtime: cannot open --log {p}: {e}"))
                .ok()
        });
        Log {
            file,
            json: format == "json",
            debug,
        }
    }

    pub fn error(&self, msg: &str) {
        self.write("error", msg);
    }

    pub fn warn(&self, msg: &str) {
        self.write("warning", msg);
    }

    pub fn debug(&self, msg: &str) {
        if self.debug {
            self.write("debug", msg);
        }
    }

    fn write(&self, level: &str, msg: &str) {
        let time = crate::state::now_rfc3339();
        let one = msg.replace('\n', " ");
        if level != "debug" || self.file.is_none() {
            eprintln!(
                "tsrun-runtime: {}{one}",
                if level == "error" { "" } else { "warning: " }
            );
        }
        if let Some(mut f) = self.file.as_ref() {
            let line = if self.json {
                serde_json::json!({"level": level, "msg": one, "time": time}).to_string()
            } else {
                format!("time={time:?} level={level} msg={one:?}")
            };
            let _ = writeln!(f, "{line}");
        }
    }
}
