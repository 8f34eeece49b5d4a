//! Command lines in runc's style (urfave/cli): `--flag value`,
//! `--flag=value`, `-f value`, boolean flags without a value, flags and
//! positional words in any order until `--`. Each command declares its
//! flags; anything else is "flag provided but not defined", as runc says.
use std::collections::HashMap;

/// One flag a command takes: its names (long first) and whether it has a value.
pub struct FlagSpec {
    pub names: &'static [&'static str],
    pub takes_value: bool,
}

/// `FlagSpec` shorthand: `flag(&["bundle", "b"], true)`.
pub const fn flag(names: &'static [&'static str], takes_value: bool) -> FlagSpec {
    FlagSpec { names, takes_value }
}

/// Parsed flags (by their first name; a repeated flag keeps every value) and positionals.
#[derive(Debug, Default)]
pub struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    pub positional: Vec<String>,
}

impl Parsed {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
    /// A boolean flag: given bare, or `=true`.
    pub fn bool(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.is_empty() || v == "true" || v == "1")
    }
}

/// Parse `argv` against `specs`. With `stop_at_first_positional` (exec,
/// run's command), every word after the first positional is positional.
pub fn parse(argv: &[String], specs: &[FlagSpec], stop_after: usize) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut i = 0;
    let mut rest_positional = false;
    while i < argv.len() {
        let w = &argv[i];
        i += 1;
        if rest_positional || !w.starts_with('-') || w == "-" {
            out.positional.push(w.clone());
            if stop_after > 0 && out.positional.len() >= stop_after {
                rest_positional = true;
            }
            continue;
        }
        if w == "--" {
            rest_positional = true;
            continue;
        }
        let body = w.trim_start_matches('-');
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let spec = specs
            .iter()
            .find(|s| s.names.contains(&name))
            .ok_or_else(|| format!("flag provided but not defined: -{name}"))?;
        let value = if spec.takes_value {
            match inline {
                Some(v) => v,
                None => {
                    let v = argv
                        .get(i)
                        .ok_or_else(|| format!("flag needs an argument: -{name}"))?;
                    i += 1;
                    v.clone()
                }
            }
        } else {
            inline.unwrap_or_default()
        };
        out.values.entry(spec.names[0]).or_default().push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runc_forms() {
        let specs = [
            flag(&["bundle", "b"], true),
            flag(&["detach", "d"], false),
            flag(&["env", "e"], true),
        ];
        let p = parse(
            &v(&["--bundle=/b", "id1", "-d", "-e", "A=1", "--env", "B=2"]),
            &specs,
            0,
        )
        .unwrap();
        assert_eq!(p.get("bundle"), Some("/b"));
        assert!(p.bool("detach"));
        assert_eq!(p.all("env"), vec!["A=1", "B=2"]);
        assert_eq!(p.positional, vec!["id1"]);
        let p = parse(&v(&["id", "sh", "-c", "echo"]), &specs, 1).unwrap();
        assert_eq!(p.positional, vec!["id", "sh", "-c", "echo"]);
        assert_eq!(
            parse(&v(&["--nope"]), &specs, 0).unwrap_err(),
            "flag provided but not defined: -nope"
        );
        assert_eq!(
            parse(&v(&["-b"]), &specs, 0).unwrap_err(),
            "flag needs an argument: -b"
        );
    }
}
