//! Resolve the `io.tsrun.user` annotation (`1000`, `1000:1000`, `nobody`,
//! `nobody:nogroup`, `1000:wheel`) against the container's `/etc/passwd` and
//! `/etc/group`, after pivot_root, the way Docker does: numeric values need no
//! entry; a named or known user brings its primary group and home; without an
//! explicit group, the groups listing the user become supplementary groups.
use crate::error::{Result, SysError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// The identity the container process runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub home: String,
}

/// `name:x:uid:gid:gecos:home:shell` lines; malformed lines and comments are skipped.
pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some(PasswdEntry {
                name: f.first()?.to_string(),
                uid: f.get(2)?.trim().parse().ok()?,
                gid: f.get(3)?.trim().parse().ok()?,
                home: f.get(5).map(|s| s.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

/// `name:x:gid:member,member` lines.
pub fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some(GroupEntry {
                name: f.first()?.to_string(),
                gid: f.get(2)?.trim().parse().ok()?,
                members: f
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn numeric(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Resolve `spec` (`user[:group]`) against parsed passwd/group entries.
pub fn resolve(spec: &str, passwd: &[PasswdEntry], groups: &[GroupEntry]) -> Result<ResolvedUser> {
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let entry = match numeric(user_part) {
        Some(uid) => passwd.iter().find(|p| p.uid == uid),
        None => Some(passwd.iter().find(|p| p.name == user_part).ok_or_else(|| {
            SysError::invalid(
                "unable to find user",
                user_part,
                "no matching entries in passwd file",
            )
        })?),
    };
    let mut out = ResolvedUser {
        uid: numeric(user_part).or(entry.map(|e| e.uid)).unwrap_or(0),
        gid: entry.map(|e| e.gid).unwrap_or(0),
        additional_gids: Vec::new(),
        home: entry
            .map(|e| e.home.clone())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "/".to_string()),
    };
    match group_part.filter(|g| !g.is_empty()) {
        Some(g) => {
            out.gid = match numeric(g) {
                Some(gid) => gid,
                None => groups
                    .iter()
                    .find(|e| e.name == g)
                    .map(|e| e.gid)
                    .ok_or_else(|| {
                        SysError::invalid(
                            "unable to find group",
                            g,
                            "no matching entries in group file",
                        )
                    })?,
            };
        }
        None => {
            if let Some(e) = entry {
                for g in groups.iter().filter(|g| g.members.contains(&e.name)) {
                    if !out.additional_gids.contains(&g.gid) {
                        out.additional_gids.push(g.gid);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// `--group-add` entries as gids: numbers as they are, names looked up in
/// `groups` (Docker's error when one is unknown).
pub fn resolve_groups(names: &[&str], groups: &[GroupEntry]) -> Result<Vec<u32>> {
    names
        .iter()
        .map(|n| match numeric(n) {
            Some(g) => Ok(g),
            None => groups
                .iter()
                .find(|e| e.name == *n)
                .map(|e| e.gid)
                .ok_or_else(|| {
                    SysError::invalid(
                        "unable to find group",
                        *n,
                        "no matching entries in group file",
                    )
                }),
        })
        .collect()
}

/// `resolve_groups` against the current root's `/etc/group` (after pivot_root).
pub fn resolve_groups_in_container(names: &[&str]) -> Result<Vec<u32>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let text = match std::fs::read("/etc/group") {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(SysError::from_io(&e, "read", "/etc/group")),
    };
    resolve_groups(names, &parse_group(&text))
}

/// Resolve against `/etc/passwd` and `/etc/group` of the current root (call
/// after pivot_root). Missing files count as empty.
pub fn resolve_in_container(spec: &str) -> Result<ResolvedUser> {
    let read = |p: &str| match std::fs::read(p) {
        Ok(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(SysError::from_io(&e, "read", p)),
    };
    let passwd = parse_passwd(&read("/etc/passwd")?);
    let groups = parse_group(&read("/etc/group")?);
    resolve(spec, &passwd, &groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n# comment\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken line\n";
    const GROUP: &str =
        "root:x:0:\nwheel:x:10:root,alice\nnogroup:x:65534:\nalice:x:1000:\naudio:x:29:alice\n";

    fn r(spec: &str) -> Result<ResolvedUser> {
        resolve(spec, &parse_passwd(PASSWD), &parse_group(GROUP))
    }

    #[test]
    fn parses_files() {
        assert_eq!(parse_passwd(PASSWD).len(), 3);
        let g = parse_group(GROUP);
        assert_eq!(g[1].members, vec!["root", "alice"]);
        assert!(g[0].members.is_empty());
    }

    #[test]
    fn named_user_brings_gid_home_and_groups() {
        let u = r("alice").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (1000, 1000, "/home/alice"));
        assert_eq!(u.additional_gids, vec![10, 29]);
    }

    #[test]
    fn numeric_forms() {
        let u = r("1000").unwrap();
        assert_eq!((u.uid, u.gid), (1000, 1000));
        let u = r("4242").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (4242, 0, "/"));
        assert!(u.additional_gids.is_empty());
        let u = r("4242:77").unwrap();
        assert_eq!((u.uid, u.gid), (4242, 77));
        let u = r("1000:wheel").unwrap();
        assert_eq!((u.uid, u.gid), (1000, 10));
        assert!(
            u.additional_gids.is_empty(),
            "explicit group: no supplementary groups"
        );
    }

    #[test]
    fn group_add_names_and_numbers() {
        let g = parse_group(GROUP);
        assert_eq!(
            resolve_groups(&["audio", "4000", "wheel"], &g).unwrap(),
            vec![29, 4000, 10]
        );
        assert_eq!(
            resolve_groups(&["nope"], &g).unwrap_err().to_string(),
            "unable to find group nope: no matching entries in group file"
        );
    }

    #[test]
    fn named_pairs_and_errors() {
        let u = r("nobody:nogroup").unwrap();
        assert_eq!((u.uid, u.gid), (65534, 65534));
        let e = r("bob").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find user bob: no matching entries in passwd file"
        );
        let e = r("alice:nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find group nope: no matching entries in group file"
        );
    }
}
