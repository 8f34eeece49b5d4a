//! Which cgroup hierarchies this host mounts, read from /proc/self/mountinfo:
//! every cgroup v1 hierarchy (with its controllers) and the cgroup2 tree. The
//! layout is `v2` (cgroup2 only), `v1` (v1 only) or `hybrid` (both, as with
//! systemd's `/sys/fs/cgroup/unified`).
use std::path::PathBuf;

/// One mounted hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hierarchy {
    /// A v1 hierarchy: its controllers (`memory`, `cpu`, `name=systemd`) and mount point.
    V1 {
        controllers: Vec<String>,
        mount: PathBuf,
    },
    /// The unified (cgroup2) tree.
    V2 { mount: PathBuf },
}

impl Hierarchy {
    pub fn mount(&self) -> &PathBuf {
        match self {
            Hierarchy::V1 { mount, .. } | Hierarchy::V2 { mount } => mount,
        }
    }
}

/// Super-block options of a v1 mount that are not controllers.
fn is_controller(opt: &str) -> bool {
    if opt.starts_with("name=") {
        return true;
    }
    !matches!(
        opt,
        "rw" | "ro" | "clone_children" | "noprefix" | "xattr" | "cpuset_v2_mode" | "favordynmods"
    ) && !opt.contains('=')
}

/// Unescape mountinfo's octal escapes (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// All cgroup hierarchies in a mountinfo text, first mount of each wins.
pub fn parse_mountinfo(text: &str) -> Vec<Hierarchy> {
    let mut out: Vec<Hierarchy> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        if fields.len() < 5 || dash + 3 > fields.len() {
            continue;
        }
        let mount = PathBuf::from(unescape(fields[4]));
        let fstype = fields[dash + 1];
        let superopts = fields.get(dash + 3).copied().unwrap_or("");
        let h = match fstype {
            "cgroup2" => Hierarchy::V2 { mount },
            "cgroup" => {
                let controllers: Vec<String> = superopts
                    .split(',')
                    .filter(|o| is_controller(o))
                    .map(String::from)
                    .collect();
                if controllers.is_empty() {
                    continue;
                }
                Hierarchy::V1 { controllers, mount }
            }
            _ => continue,
        };
        let dup = out.iter().any(|o| match (o, &h) {
            (Hierarchy::V2 { .. }, Hierarchy::V2 { .. }) => true,
            (Hierarchy::V1 { controllers: a, .. }, Hierarchy::V1 { controllers: b, .. }) => a == b,
            _ => false,
        });
        if !dup {
            out.push(h);
        }
    }
    out
}

/// `v1`, `v2`, `hybrid`, or `none` when no cgroup filesystem is mounted.
pub fn layout(h: &[Hierarchy]) -> &'static str {
    let v1 = h.iter().any(|h| matches!(h, Hierarchy::V1 { .. }));
    let v2 = h.iter().any(|h| matches!(h, Hierarchy::V2 { .. }));
    match (v1, v2) {
        (true, true) => "hybrid",
        (true, false) => "v1",
        (false, true) => "v2",
        (false, false) => "none",
    }
}

/// The hierarchies of the running host.
pub fn host_hierarchies() -> crate::error::Result<Vec<Hierarchy>> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| crate::error::SysError::from_io(&e, "read", "/proc/self/mountinfo"))?;
    Ok(parse_mountinfo(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
99 31 0:32 / /mnt/again rw,relatime - cgroup cgroup rw,memory
";

    #[test]
    fn hybrid_host() {
        let h = parse_mountinfo(HYBRID);
        assert_eq!(h.len(), 4);
        assert_eq!(
            h[0],
            Hierarchy::V1 {
                controllers: vec!["cpu".into()],
                mount: "/sys/fs/cgroup/cpu".into()
            }
        );
        assert_eq!(
            h[2],
            Hierarchy::V1 {
                controllers: vec!["name=systemd".into()],
                mount: "/sys/fs/cgroup/systemd".into()
            }
        );
        assert_eq!(
            h[3],
            Hierarchy::V2 {
                mount: "/sys/fs/cgroup/unified".into()
            }
        );
        assert_eq!(layout(&h), "hybrid");
    }

    #[test]
    fn pure_layouts() {
        let v2 = parse_mountinfo("30 23 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
        assert_eq!(layout(&v2), "v2");
        let v1 = parse_mountinfo(
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
        );
        assert_eq!(
            v1[0],
            Hierarchy::V1 {
                controllers: vec!["cpu".into(), "cpuacct".into()],
                mount: "/sys/fs/cgroup/cpu,cpuacct".into()
            }
        );
        assert_eq!(layout(&v1), "v1");
        assert_eq!(layout(&[]), "none");
    }

    #[test]
    fn unescapes_paths() {
        assert_eq!(unescape("/a\\040b"), "/a b");
    }
}
