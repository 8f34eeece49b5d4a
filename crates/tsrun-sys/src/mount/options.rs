//! OCI mount options → mount(2) flags, propagation and filesystem data.
//! Known flag words become `MS_*` bits (in order, so `ro` then `rw` ends rw);
//! propagation words become a separate propagation change (mount(2) cannot
//! combine both); everything else is filesystem data, passed as is (`mode=755`,
//! overlay's `lowerdir=...`).
use libc::c_ulong;

/// What a list of OCI mount options means to mount(2).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MountOptions {
    /// `MS_*` flags for the mount itself (including `MS_BIND`/`MS_REC` for binds).
    pub flags: c_ulong,
    /// `MS_PRIVATE`/`MS_SHARED`/... (with `MS_REC` for the `r` forms), 0 if none.
    pub propagation: c_ulong,
    /// Comma-joined filesystem-specific options.
    pub data: String,
}

impl MountOptions {
    pub fn is_bind(&self) -> bool {
        self.flags & libc::MS_BIND != 0
    }
    /// Flags a bind mount only honours on a second, remount pass.
    pub fn remount_flags(&self) -> c_ulong {
        self.flags
            & (libc::MS_RDONLY
                | libc::MS_NOSUID
                | libc::MS_NODEV
                | libc::MS_NOEXEC
                | libc::MS_NOATIME
                | libc::MS_NODIRATIME
                | libc::MS_RELATIME
                | libc::MS_STRICTATIME)
    }
}

/// The propagation word (`rprivate`, `shared`, ...) as mount(2) flags.
pub fn propagation_flags(word: &str) -> Option<c_ulong> {
    Some(match word {
        "private" => libc::MS_PRIVATE,
        "rprivate" => libc::MS_PRIVATE | libc::MS_REC,
        "shared" => libc::MS_SHARED,
        "rshared" => libc::MS_SHARED | libc::MS_REC,
        "slave" => libc::MS_SLAVE,
        "rslave" => libc::MS_SLAVE | libc::MS_REC,
        "unbindable" => libc::MS_UNBINDABLE,
        "runbindable" => libc::MS_UNBINDABLE | libc::MS_REC,
        _ => return None,
    })
}

/// Parse OCI `options` (as in config.json) for one mount.
pub fn parse_options<S: AsRef<str>>(options: &[S]) -> MountOptions {
    let mut out = MountOptions::default();
    let mut data: Vec<&str> = Vec::new();
    for opt in options {
        let opt = opt.as_ref();
        if let Some(p) = propagation_flags(opt) {
            out.propagation = p;
            continue;
        }
        let (set, clear): (c_ulong, c_ulong) = match opt {
            "defaults" => (0, 0),
            "ro" => (libc::MS_RDONLY, 0),
            "rw" => (0, libc::MS_RDONLY),
            "bind" => (libc::MS_BIND, 0),
            "rbind" => (libc::MS_BIND | libc::MS_REC, 0),
            "nosuid" => (libc::MS_NOSUID, 0),
            "suid" => (0, libc::MS_NOSUID),
            "nodev" => (libc::MS_NODEV, 0),
            "dev" => (0, libc::MS_NODEV),
            "noexec" => (libc::MS_NOEXEC, 0),
            "exec" => (0, libc::MS_NOEXEC),
            "sync" => (libc::MS_SYNCHRONOUS, 0),
            "async" => (0, libc::MS_SYNCHRONOUS),
            "dirsync" => (libc::MS_DIRSYNC, 0),
            "remount" => (libc::MS_REMOUNT, 0),
            "mand" => (libc::MS_MANDLOCK, 0),
            "nomand" => (0, libc::MS_MANDLOCK),
            "atime" => (0, libc::MS_NOATIME),
            "noatime" => (libc::MS_NOATIME, 0),
            "diratime" => (0, libc::MS_NODIRATIME),
            "nodiratime" => (libc::MS_NODIRATIME, 0),
            "relatime" => (libc::MS_RELATIME, 0),
            "norelatime" => (0, libc::MS_RELATIME),
            "strictatime" => (libc::MS_STRICTATIME, 0),
            "nostrictatime" => (0, libc::MS_STRICTATIME),
            // Runtime-level words with no kernel meaning here (runc extensions).
            "tmpcopyup" | "notmpcopyup" | "idmap" | "ridmap" | "copy-symlink" => (0, 0),
            _ => {
                data.push(opt);
                (0, 0)
            }
        };
        out.flags = (out.flags | set) & !clear;
    }
    out.data = data.join(",");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_data_and_propagation() {
        let o = parse_options(&["nosuid", "strictatime", "mode=755", "size=65536k"]);
        assert_eq!(o.flags, libc::MS_NOSUID | libc::MS_STRICTATIME);
        assert_eq!(o.data, "mode=755,size=65536k");
        assert_eq!(o.propagation, 0);

        let o = parse_options(&["rbind", "ro", "rprivate"]);
        assert!(o.is_bind());
        assert_eq!(o.flags, libc::MS_BIND | libc::MS_REC | libc::MS_RDONLY);
        assert_eq!(o.propagation, libc::MS_PRIVATE | libc::MS_REC);
        assert_eq!(o.remount_flags(), libc::MS_RDONLY);
        assert_eq!(o.data, "");
    }

    #[test]
    fn later_words_win() {
        let o = parse_options(&["ro", "rw"]);
        assert_eq!(o.flags & libc::MS_RDONLY, 0);
    }

    #[test]
    fn long_overlay_data_is_kept_whole() {
        let lower: Vec<String> = (0..200)
            .map(|i| format!("/var/lib/tsrun/layers/{i:064}"))
            .collect();
        let opt = format!("lowerdir={}", lower.join(":"));
        let o = parse_options(&[opt.as_str(), "upperdir=/u", "workdir=/w", "index=off"]);
        assert_eq!(o.flags, 0);
        assert!(o.data.starts_with("lowerdir=/var"));
        assert!(o.data.ends_with(",upperdir=/u,workdir=/w,index=off"));
    }

    #[test]
    fn devpts_options() {
        let o = parse_options(&[
            "nosuid",
            "noexec",
            "newinstance",
            "ptmxmode=0666",
            "mode=0620",
            "gid=5",
        ]);
        assert_eq!(o.flags, libc::MS_NOSUID | libc::MS_NOEXEC);
        assert_eq!(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    }
}
