//! The events journal (`<root>/events.log`, path in the `io.tsrun.events-log`
//! annotation): one JSON object per line in Docker's events shape, appended
//! with O_APPEND in a single write so lines from the engine and from
//! monitors never interleave. The monitor writes what only it sees: `die`,
//! `oom`, and `restart` + `start` when a restart policy starts it again.
use std::io::Write;

use serde::Serialize;
use tsrun_sys::oci::Spec;

pub const ANNOTATION_LOG: &str = "io.tsrun.events-log";
pub const ANNOTATION_NAME: &str = "io.tsrun.name";

#[derive(Serialize)]
struct Actor<'a> {
    #[serde(rename = "ID")]
    id: &'a str,
    #[serde(rename = "Attributes")]
    attributes: std::collections::BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct Event<'a> {
    #[serde(rename = "Type")]
    kind: &'a str,
    #[serde(rename = "Action")]
    action: &'a str,
    #[serde(rename = "Actor")]
    actor: Actor<'a>,
    time: i64,
    #[serde(rename = "timeNano")]
    time_nano: i128,
}

/// Where this container's events go; a no-op without the annotation.
pub struct Journal {
    path: Option<String>,
    id: String,
    name: String,
}

impl Journal {
    pub fn from_spec(spec: &Spec, id: &str) -> Journal {
        Journal {
            path: spec.annotations.get(ANNOTATION_LOG).cloned(),
            id: id.to_string(),
            name: spec
                .annotations
                .get(ANNOTATION_NAME)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The JSON line for one event (with its newline).
    pub fn line(&self, action: &str, attrs: &[(&'static str, String)], now: (i64, u32)) -> String {
        let mut attributes: std::collections::BTreeMap<&str, String> =
            attrs.iter().cloned().collect();
        if !self.name.is_empty() {
            attributes.insert("name", self.name.clone());
        }
        let e = Event {
            kind: "container",
            action,
            actor: Actor {
                id: &self.id,
                attributes,
            },
            time: now.0,
            time_nano: now.0 as i128 * 1_000_000_000 + now.1 as i128,
        };
        let mut s = serde_json::to_string(&e).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Append one event; best effort (a full disk must not stop the monitor).
    pub fn emit(&self, action: &str, attrs: &[(&'static str, String)]) {
        let Some(p) = &self.path else { return };
        let line = self.line(action, attrs, crate::clock::now());
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_shape() {
        let j = Journal {
            path: None,
            id: "abc".into(),
            name: "web".into(),
        };
        let l = j.line("die", &[("exitCode", "3".into())], (1_700_000_000, 5));
        let v: serde_json::Value = serde_json::from_str(l.trim_end()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","name":"web"}},
              "time":1_700_000_000,"timeNano":1_700_000_000_000_000_005i64})
        );
        assert!(l.ends_with('\n'));
    }

    #[test]
    fn appends_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events.log");
        let j = Journal {
            path: Some(p.display().to_string()),
            id: "abc".into(),
            name: String::new(),
        };
        j.emit("die", &[]);
        j.emit("oom", &[]);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("\"Action\":\"oom\""));
    }
}
