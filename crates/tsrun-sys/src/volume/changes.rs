//! A container's changes against its image, for `tsrun diff` and `tsrun
//! commit`, in Docker's words and order (`A`dded, `C`hanged, `D`eleted):
//!
//! - `overlay_changes`: the overlay driver's writable layer (`upper`) read
//!   against the image's layer dirs, as Docker's overlay2 reports it: an
//!   overlay whiteout (char 0/0) or an opaque directory is `D`; an entry
//!   some lower layer has is `C` (a directory only when its mode, size or
//!   mtime differ), else `A`; the parent of an `A` or `D` is `C` once.
//! - `tree_changes`: a full rootfs (the bind driver's copy) against the
//!   image flattened into a directory, as Docker's naive diff compares
//!   them: mode, owner, device, file capabilities and (not for
//!   directories) size and mtime; a directory with changes inside is `C`.
//! - `overlay_layer` / `tree_layer`: the same changes as an OCI layer tar
//!   (whiteouts `.wh.NAME`, opaque markers `.wh..wh..opq`).
//!
//! A running container can change the trees while we read them, so both
//! are walked with `*at()` calls on directory fds opened `O_NOFOLLOW`: a
//! symlink is reported and archived as a symlink, and nothing outside the
//! trees given is ever looked at or read, whatever the container swaps in.
use std::cell::Cell;
use std::collections::HashSet;
use std::ffi::{CStr, CString};
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::rc::Rc;

use crate::error::{Result, SysError};

use super::copy::{is_opaque, lstat_at, open_at, open_dir, read_names};
use super::cp_tar::{is_mount_target, write_err, TarWriter};

/// What happened to a path (Docker's `ChangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Modified,
    Added,
    Deleted,
}

impl ChangeKind {
    /// Docker's letter for it.
    pub fn letter(self) -> &'static str {
        match self {
            ChangeKind::Modified => "C",
            ChangeKind::Added => "A",
            ChangeKind::Deleted => "D",
        }
    }
}

/// One change: an absolute path inside the container (`/etc/passwd`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: String,
}

fn dir_flags() -> i32 {
    libc::O_RDONLY | libc::O_DIRECTORY
}

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

fn is_whiteout(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0
}

fn child_path(parent: &str, name: &CStr) -> String {
    let n = name.to_string_lossy();
    if parent == "/" {
        format!("/{n}")
    } else {
        format!("{parent}/{n}")
    }
}

fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// Docker's overlay2 changes of `upper` over `lowers` (layer dirs, top first).
///
/// `skip`: paths (`/etc/hosts`) the engine made as mount targets for its own
/// binds; an empty regular file there is not a change (Docker keeps them in
/// an init layer below the container's).
pub fn overlay_changes(
    upper: &Path,
    lowers: &[&Path],
    skip: &HashSet<String>,
) -> Result<Vec<Change>> {
    let up = open_dir(upper)?;
    let mut low = Vec::new();
    for l in lowers {
        low.push(Some(open_dir(l)?));
    }
    let mut walk = OverlayWalk {
        changes: Vec::new(),
        changed_dirs: HashSet::new(),
        skip,
    };
    walk.dir(up.as_raw_fd(), "/", &low)?;
    Ok(walk.changes)
}

struct OverlayWalk<'a> {
    changes: Vec<Change>,
    changed_dirs: HashSet<String>,
    skip: &'a HashSet<String>,
}

impl OverlayWalk<'_> {
    /// The children of the upper dir `fd` (container path `path`); `lowers`
    /// are the same directory in each layer, top first, `None` where a
    /// layer has none there (or a higher one hides it).
    fn dir(&mut self, fd: RawFd, path: &str, lowers: &[Option<OwnedFd>]) -> Result<()> {
        for name in read_names(fd, path)? {
            // A name gone since the listing is skipped.
            let Ok(st) = lstat_at(fd, &name) else {
                continue;
            };
            let p = child_path(path, &name);
            if is_mount_target(&st) && self.skip.contains(&p) {
                continue;
            }
            let child_fd = if is_dir(&st) {
                open_child_dir(fd, &name, &p)?
            } else {
                None
            };
            let opaque = child_fd.as_ref().is_some_and(|f| is_opaque(f.as_raw_fd()));
            let below = lower_entry(lowers, &name);
            let mut kind = if is_whiteout(&st) || opaque {
                Some(ChangeKind::Deleted)
            } else {
                match &below {
                    None => Some(ChangeKind::Added),
                    Some(l) if is_dir(l) && is_dir(&st) && same_dir(l, &st) => None,
                    Some(_) => Some(ChangeKind::Modified),
                }
            };
            // A directory whose mtime moved only because the runtime made
            // mount targets in it (`/etc` for /etc/hosts) is a change only
            // if something else inside it is: decided after its walk.
            let deferred = kind == Some(ChangeKind::Modified)
                && below
                    .as_ref()
                    .is_some_and(|l| is_dir(l) && l.st_mode == st.st_mode)
                && child_fd
                    .as_ref()
                    .is_some_and(|f| self.holds_mount_target(f.as_raw_fd(), &p));
            if deferred {
                kind = None;
                self.changed_dirs.insert(p.clone());
            }
            let at_entry = self.changes.len();
            if let Some(kind) = kind {
                if is_dir(&st) {
                    self.changed_dirs.insert(p.clone());
                }
                if kind != ChangeKind::Modified {
                    let parent = parent_of(&p);
                    if parent != "/" && !self.changed_dirs.contains(parent) {
                        self.changes.push(Change {
                            kind: ChangeKind::Modified,
                            path: parent.to_string(),
                        });
                        self.changed_dirs.insert(parent.to_string());
                    }
                }
                self.changes.push(Change {
                    kind,
                    path: p.clone(),
                });
            }
            if let Some(cfd) = child_fd {
                // Below an opaque directory no lower layer shows.
                let next = if opaque {
                    Vec::new()
                } else {
                    lower_dirs(lowers, &name, &p)?
                };
                self.dir(cfd.as_raw_fd(), &p, &next)?;
            }
            if deferred && self.changes.len() > at_entry {
                self.changes.insert(
                    at_entry,
                    Change {
                        kind: ChangeKind::Modified,
                        path: p.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    /// Whether the upper dir `fd` (container path `path`) holds one of the
    /// engine's mount targets.
    fn holds_mount_target(&self, fd: RawFd, path: &str) -> bool {
        self.skip.iter().any(|s| {
            parent_of(s) == path
                && CString::new(&s[s.rfind('/').map_or(0, |i| i + 1)..])
                    .ok()
                    .and_then(|n| lstat_at(fd, &n).ok())
                    .is_some_and(|st| is_mount_target(&st))
        })
    }
}

/// The directory `name` in `dir` to walk into: `None` when it went away
/// or stopped being a directory since it was listed (a running container
/// changes its files while we read them); any other failure (EMFILE, EIO)
/// is an error, so a walk never answers fewer changes than there are.
fn open_child_dir(dir: RawFd, name: &CStr, shown: &str) -> Result<Option<OwnedFd>> {
    match open_at(dir, name, dir_flags(), 0) {
        Ok(fd) => Ok(Some(fd)),
        Err(libc::ENOENT | libc::ENOTDIR | libc::ELOOP) => Ok(None),
        Err(e) => Err(SysError::from_errno(e, "open", shown)),
    }
}

/// Docker's test for a directory that only looks changed because something
/// inside it changed: same mode, size and mtime as in the layer below.
fn same_dir(a: &libc::stat, b: &libc::stat) -> bool {
    a.st_mode == b.st_mode
        && a.st_size == b.st_size
        && a.st_mtime == b.st_mtime
        && a.st_mtime_nsec == b.st_mtime_nsec
}

/// `name` as the image's layers show it under `lowers`: the topmost entry,
/// `None` when no layer has it or the topmost one is a whiteout.
fn lower_entry(lowers: &[Option<OwnedFd>], name: &CStr) -> Option<libc::stat> {
    for fd in lowers.iter().flatten() {
        if let Ok(st) = lstat_at(fd.as_raw_fd(), name) {
            return if is_whiteout(&st) { None } else { Some(st) };
        }
    }
    None
}

/// The directory `name` in each of `lowers`, as overlay merges them: a layer
/// whose entry there is not a directory, or an opaque one, hides the rest.
fn lower_dirs(
    lowers: &[Option<OwnedFd>],
    name: &CStr,
    shown: &str,
) -> Result<Vec<Option<OwnedFd>>> {
    let mut out = Vec::with_capacity(lowers.len());
    let mut hidden = false;
    for fd in lowers {
        let got = match (hidden, fd) {
            (false, Some(fd)) => match lstat_at(fd.as_raw_fd(), name) {
                Ok(st) if is_dir(&st) => {
                    let d = open_child_dir(fd.as_raw_fd(), name, shown)?;
                    if d.as_ref().is_some_and(|d| is_opaque(d.as_raw_fd())) {
                        hidden = true;
                    }
                    d
                }
                Ok(_) => {
                    hidden = true;
                    None
                }
                Err(_) => None,
            },
            _ => None,
        };
        out.push(got);
    }
    Ok(out)
}

/// Docker's naive changes of the tree `root` against the tree `base`.
/// `skip` as for overlay_changes: an empty regular file there that the
/// base does not have is not an addition.
pub fn tree_changes(root: &Path, base: &Path, skip: &HashSet<String>) -> Result<Vec<Change>> {
    let new = open_dir(root)?;
    let old = open_dir(base)?;
    let mut changes = Vec::new();
    tree_dir(
        new.as_raw_fd(),
        Some(old.as_raw_fd()),
        "/",
        skip,
        &mut changes,
    )?;
    Ok(changes)
}

/// Changes under the directory `new` against `old` (the same directory in
/// the base, or `None` when it was not a directory there).
fn tree_dir(
    new: RawFd,
    old: Option<RawFd>,
    path: &str,
    skip: &HashSet<String>,
    out: &mut Vec<Change>,
) -> Result<()> {
    let mut old_names: Vec<CString> = match old {
        Some(o) => read_names(o, path)?,
        None => Vec::new(),
    };
    for name in read_names(new, path)? {
        let Ok(st) = lstat_at(new, &name) else {
            continue;
        };
        let p = child_path(path, &name);
        let at_entry = out.len();
        let old_st = match (old, old_names.binary_search(&name)) {
            (Some(o), Ok(i)) => {
                old_names.remove(i);
                lstat_at(o, &name).ok()
            }
            _ => None,
        };
        let recorded = match &old_st {
            None if is_mount_target(&st) && skip.contains(&p) => continue,
            None => {
                out.push(Change {
                    kind: ChangeKind::Added,
                    path: p.clone(),
                });
                true
            }
            Some(o)
                if stat_differs(o, &st)
                    || capability(old, &name, o) != capability(Some(new), &name, &st) =>
            {
                out.push(Change {
                    kind: ChangeKind::Modified,
                    path: p.clone(),
                });
                true
            }
            Some(_) => false,
        };
        if is_dir(&st) {
            let Some(nfd) = open_child_dir(new, &name, &p)? else {
                continue;
            };
            // Only a directory in the base is looked into: a file replaced
            // by a directory makes every child an addition.
            let ofd = match (&old_st, old) {
                (Some(o), Some(od)) if is_dir(o) => open_at(od, &name, dir_flags(), 0).ok(),
                _ => None,
            };
            tree_dir(
                nfd.as_raw_fd(),
                ofd.as_ref().map(|f| f.as_raw_fd()),
                &p,
                skip,
                out,
            )?;
            if out.len() > at_entry && !recorded {
                out.insert(
                    at_entry,
                    Change {
                        kind: ChangeKind::Modified,
                        path: p.clone(),
                    },
                );
            }
        }
    }
    for gone in old_names {
        out.push(Change {
            kind: ChangeKind::Deleted,
            path: child_path(path, &gone),
        });
    }
    Ok(())
}

/// Docker's `statDifferent`: mode, owner, device; size and mtime but for directories.
fn stat_differs(a: &libc::stat, b: &libc::stat) -> bool {
    a.st_mode != b.st_mode
        || a.st_uid != b.st_uid
        || a.st_gid != b.st_gid
        || a.st_rdev != b.st_rdev
        || (!is_dir(a)
            && (a.st_mtime != b.st_mtime
                || a.st_mtime_nsec != b.st_mtime_nsec
                || a.st_size != b.st_size))
}

/// The `security.capability` xattr of the regular file `name` in `dir`
/// (empty when none, or when it is not a regular file), opened without
/// following a symlink and without blocking should it turn into a fifo.
fn capability(dir: Option<RawFd>, name: &CStr, st: &libc::stat) -> Vec<u8> {
    let Some(dir) = dir else {
        return Vec::new();
    };
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Vec::new();
    }
    let Ok(fd) = open_at(dir, name, libc::O_RDONLY | libc::O_NONBLOCK, 0) else {
        return Vec::new();
    };
    let attr = CString::new("security.capability").expect("no nul");
    let mut v = vec![0u8; 256];
    // SAFETY: valid fd, C string and buffer.
    let n = unsafe {
        libc::fgetxattr(
            fd.as_raw_fd(),
            attr.as_ptr(),
            v.as_mut_ptr().cast(),
            v.len(),
        )
    };
    if n <= 0 {
        return Vec::new();
    }
    v.truncate(n as usize);
    v
}

/// The overlay driver's writable layer as an OCI layer tar on `out`
/// (entries relative, no root entry); answers the entries written.
/// `skip` as for overlay_changes.
pub fn overlay_layer<W: Write>(upper: &Path, skip: &HashSet<String>, out: W) -> Result<u64> {
    let up = open_dir(upper)?;
    let open = Rc::new(Cell::new(true));
    let mut w = TarWriter::new(out, open.clone(), true);
    w.skip = skip
        .iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    if let Err(e) = w.children(up, "./") {
        open.set(false);
        return Err(e);
    }
    finish(w)
}

/// `changes` of the tree `root` as an OCI layer tar on `out`: each added
/// or changed path as it is now (a directory without its children: they
/// are changes of their own), each deleted one as a whiteout; sorted by
/// path, so a directory comes before what is in it.
pub fn tree_layer<W: Write>(root: &Path, changes: &[Change], out: W) -> Result<u64> {
    let rootfd = open_dir(root)?;
    let open = Rc::new(Cell::new(true));
    let mut w = TarWriter::new(out, open.clone(), false);
    w.shallow = true;
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for c in sorted {
        let arc = c.path.trim_start_matches('/');
        if arc.is_empty() {
            continue;
        }
        let done = if c.kind == ChangeKind::Deleted {
            w.whiteout(arc, now)
        } else {
            match parent_fd(rootfd.as_raw_fd(), arc) {
                // A path that is gone (or became a symlink on the way) since
                // the changes were listed is left out, as tar does.
                None => Ok(()),
                Some((dir, name)) => match lstat_at(dir.as_raw_fd(), &name) {
                    Ok(st) => w.node(dir.as_raw_fd(), &name, &st, arc),
                    Err(_) => Ok(()),
                },
            }
        };
        if let Err(e) = done {
            open.set(false);
            return Err(e);
        }
    }
    finish(w)
}

fn finish<W: Write>(w: TarWriter<W>) -> Result<u64> {
    let (entries, mut out) = w.finish()?;
    out.flush().map_err(|e| write_err(&e))?;
    Ok(entries)
}

/// The directory holding `rel` (`a/b/c` -> the fd of `a/b`, `c`), each
/// component opened `O_NOFOLLOW` from `root`; `None` when one is missing or
/// is not a directory.
fn parent_fd(root: RawFd, rel: &str) -> Option<(OwnedFd, CString)> {
    let mut parts: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    let last = CString::new(parts.pop()?).ok()?;
    let dot = CString::new(".").expect("no nul");
    let mut dir = open_at(root, &dot, dir_flags(), 0).ok()?;
    for part in parts {
        let c = CString::new(part).ok()?;
        dir = open_at(dir.as_raw_fd(), &c, dir_flags(), 0).ok()?;
    }
    Some((dir, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn letters(c: &[Change]) -> Vec<String> {
        c.iter()
            .map(|c| format!("{} {}", c.kind.letter(), c.path))
            .collect()
    }

    #[test]
    fn tree_changes_follow_dockers_rules_and_never_follow_links() {
        let t = tempfile::tempdir().unwrap();
        let (base, root) = (t.path().join("base"), t.path().join("root"));
        std::fs::create_dir_all(base.join("etc")).unwrap();
        std::fs::create_dir_all(base.join("gone/sub")).unwrap();
        std::fs::write(base.join("etc/keep"), "k").unwrap();
        std::fs::write(base.join("etc/edit"), "1").unwrap();
        // A copy keeps mtimes, as the bind driver's unpack of the same layers does.
        let ok = std::process::Command::new("cp")
            .arg("-a")
            .arg(&base)
            .arg(&root)
            .status()
            .unwrap();
        assert!(ok.success());
        std::fs::remove_dir_all(root.join("gone")).unwrap();
        std::fs::write(root.join("etc/edit"), "22").unwrap();
        std::fs::write(root.join("etc/new"), "n").unwrap();
        symlink("/", root.join("out")).unwrap();
        let got = letters(&tree_changes(&root, &base, &HashSet::new()).unwrap());
        assert_eq!(
            got,
            ["C /etc", "C /etc/edit", "A /etc/new", "A /out", "D /gone"]
        );
        let mut tar = Vec::new();
        let c = tree_changes(&root, &base, &HashSet::new()).unwrap();
        tree_layer(&root, &c, &mut tar).unwrap();
        let mut a = tar::Archive::new(std::io::Cursor::new(tar));
        let names: Vec<String> = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["etc/", "etc/edit", "etc/new", ".wh.gone", "out"]);
    }

    fn names_of(tar: Vec<u8>) -> Vec<String> {
        let mut a = tar::Archive::new(std::io::Cursor::new(tar));
        a.entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    }

    /// Needs root: overlay whiteouts are char 0/0 nodes, opaque dirs a trusted.* xattr.
    #[test]
    fn overlay_upper_reads_as_dockers_changes_and_an_oci_layer() {
        let t = tempfile::tempdir().unwrap();
        let (lower, upper) = (t.path().join("lower"), t.path().join("upper"));
        for d in ["etc", "opq/old", "var/cache"] {
            std::fs::create_dir_all(lower.join(d)).unwrap();
        }
        std::fs::write(lower.join("etc/passwd"), "root").unwrap();
        std::fs::write(lower.join("etc/shadow"), "x").unwrap();
        std::fs::create_dir_all(upper.join("etc")).unwrap();
        std::fs::create_dir_all(upper.join("opq")).unwrap();
        std::fs::write(upper.join("etc/passwd"), "root2").unwrap();
        std::fs::write(upper.join("opq/fresh"), "f").unwrap();
        std::fs::write(upper.join("new"), "n").unwrap();
        // The engine's mount target for /etc/hosts: not a change.
        std::fs::write(upper.join("etc/hosts"), "").unwrap();
        let skip: HashSet<String> = ["/etc/hosts".to_string()].into();
        let c = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: valid C strings.
        unsafe {
            assert_eq!(
                libc::mknod(
                    c(&upper.join("etc/shadow")).as_ptr(),
                    libc::S_IFCHR | 0o600,
                    0
                ),
                0
            );
            let n = CString::new("trusted.overlay.opaque").unwrap();
            assert_eq!(
                libc::setxattr(
                    c(&upper.join("opq")).as_ptr(),
                    n.as_ptr(),
                    b"y".as_ptr().cast(),
                    1,
                    0
                ),
                0
            );
        }
        // A copied-up directory whose mtime moved is itself a change.
        let ok = std::process::Command::new("touch")
            .args(["-d", "2001-01-01"])
            .arg(upper.join("etc"))
            .status()
            .unwrap();
        assert!(ok.success());
        let got = letters(&overlay_changes(&upper, &[&lower], &skip).unwrap());
        assert_eq!(
            got,
            [
                "C /etc",
                "C /etc/passwd",
                "D /etc/shadow",
                "A /new",
                "D /opq",
                "A /opq/fresh"
            ]
        );
        let mut tar = Vec::new();
        overlay_layer(&upper, &skip, &mut tar).unwrap();
        assert_eq!(
            names_of(tar),
            [
                "etc/",
                "etc/passwd",
                "etc/.wh.shadow",
                "new",
                "opq/",
                "opq/.wh..wh..opq",
                "opq/fresh"
            ]
        );
    }

    #[test]
    fn a_directory_changed_only_by_mount_targets_is_no_change() {
        let t = tempfile::tempdir().unwrap();
        let (lower, upper) = (t.path().join("lower"), t.path().join("upper"));
        std::fs::create_dir_all(lower.join("etc")).unwrap();
        std::fs::create_dir_all(upper.join("etc")).unwrap();
        std::fs::write(upper.join("etc/hosts"), "").unwrap();
        let ok = std::process::Command::new("touch")
            .args(["-d", "2001-01-01"])
            .arg(upper.join("etc"))
            .status()
            .unwrap();
        assert!(ok.success());
        let skip: HashSet<String> = ["/etc/hosts".to_string()].into();
        assert!(overlay_changes(&upper, &[&lower], &skip)
            .unwrap()
            .is_empty());
        std::fs::write(upper.join("etc/motd"), "hi").unwrap();
        let got = letters(&overlay_changes(&upper, &[&lower], &skip).unwrap());
        assert_eq!(got, ["C /etc", "A /etc/motd"]);
    }

    #[test]
    fn parent_fd_refuses_a_symlink_on_the_way() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("real")).unwrap();
        std::fs::write(t.path().join("real/f"), "x").unwrap();
        symlink("real", t.path().join("link")).unwrap();
        let root = open_dir(t.path()).unwrap();
        assert!(parent_fd(root.as_raw_fd(), "real/f").is_some());
        assert!(parent_fd(root.as_raw_fd(), "link/f").is_none());
    }
}
