//! Creating one tar entry under its (already resolved) parent directory fd.
//!
//! Every call here takes the parent fd and a single-component name, and none
//! follows a symlink in that last component: `openat(O_CREAT|O_EXCL|
//! O_NOFOLLOW)`, `mkdirat`, `symlinkat`, `mknodat`, `linkat` without
//! `AT_SYMLINK_FOLLOW`, `fchownat(AT_SYMLINK_NOFOLLOW)`.
use std::collections::HashSet;
use std::ffi::CStr;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use tar::EntryType;

use crate::error::{Result, SysError};

use super::metadata::Meta;
use super::remove::{kind_at, remove_all_at};
use super::secure_path::{clean, cstr, join, Component, Root};
use super::{Stats, Whiteouts};

/// The state of one layer being unpacked.
pub struct Unpacker {
    pub root: Root,
    pub whiteouts: Whiteouts,
    /// Every path this layer has written, with all its parents (`a`, `a/b`):
    /// an opaque directory in `apply` mode keeps exactly these children.
    pub written: HashSet<Vec<u8>>,
    /// Directory times, set at the very end: creating children changes them.
    pub dir_times: Vec<(Vec<u8>, Meta)>,
    pub stats: Stats,
    /// Owner of everything made, whatever the headers say (`tsrun cp -`
    /// without `-a`); None keeps the archive's.
    pub owner: Option<(u32, u32)>,
    /// Refuse entries and hard link targets whose `..` climbs above the top,
    /// as Docker's untar does for `cp`, rather than clamping them inside
    /// (layers keep the clamping: images in the wild have such names).
    pub refuse_escapes: bool,
    /// The root is an existing directory of someone else's (`cp -`'s DEST):
    /// a `./` entry leaves its owner, mode and times alone, as Docker does.
    pub keep_root: bool,
}

impl Unpacker {
    pub fn new(root: Root, whiteouts: Whiteouts) -> Unpacker {
        Unpacker {
            root,
            whiteouts,
            written: HashSet::new(),
            dir_times: Vec::new(),
            stats: Stats::default(),
            owner: None,
            refuse_escapes: false,
            keep_root: false,
        }
    }

    /// Unpacks one entry of the archive.
    pub fn entry<R: Read>(&mut self, entry: &mut tar::Entry<R>) -> Result<()> {
        let mut kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            return Ok(());
        }
        let raw = entry.path_bytes().into_owned();
        self.check_escape(&raw)?;
        // Pre-POSIX archives mark directories by a trailing slash on a type-NUL entry.
        if entry.header().as_bytes()[156] == 0 && raw.ends_with(b"/") {
            kind = EntryType::Directory;
        }
        let comps = clean(&raw);
        let rel = join(&comps);
        let shown = self.root.show(&rel);
        self.stats.entries += 1;

        let Some((name, parent)) = comps.split_last() else {
            return self.root_entry(kind, entry, &shown);
        };
        if name.starts_with(b".wh.") && self.whiteouts != Whiteouts::Literal {
            return self.whiteout(parent, name);
        }
        self.mark_written(&comps);
        let meta = self.meta(entry, &shown)?;
        let parent_fd = self
            .root
            .dir(parent, true)?
            .expect("dir() with create returns a directory");
        let parent_fd = parent_fd.as_raw_fd();
        let cname = cstr(name, &shown)?;
        match kind {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                self.file(parent_fd, &cname, entry, &meta, &shown)
            }
            EntryType::Directory => self.directory(parent_fd, &cname, rel, meta, &shown),
            EntryType::Symlink => {
                let target = entry.link_name_bytes().unwrap_or_default().into_owned();
                self.symlink(parent_fd, &cname, &target, &meta, &shown)
            }
            EntryType::Link => {
                let target = entry.link_name_bytes().unwrap_or_default().into_owned();
                self.check_escape(&target)?;
                self.hardlink(parent_fd, &cname, &rel, &target, &shown)
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                self.node(parent_fd, &cname, kind, entry.header(), &meta, &shown)
            }
            other => Err(SysError::invalid(
                "layer",
                shown,
                format!("unsupported tar entry type {:?}", other.as_byte() as char),
            )),
        }
    }

    /// The entry's metadata, with the forced owner if there is one.
    fn meta<R: Read>(&self, entry: &mut tar::Entry<R>, shown: &str) -> Result<Meta> {
        let mut meta = Meta::from_entry(entry, shown)?;
        if let Some((uid, gid)) = self.owner {
            (meta.uid, meta.gid) = (uid, gid);
        }
        Ok(meta)
    }

    /// With `refuse_escapes`, an archive path that climbs out is an error.
    fn check_escape(&self, raw: &[u8]) -> Result<()> {
        if self.refuse_escapes && escapes(raw) {
            return Err(SysError::invalid(
                "tar entry",
                String::from_utf8_lossy(raw),
                format!("outside the destination {}", self.root.show(b"")),
            ));
        }
        Ok(())
    }

    /// Records `comps` and all its parents as written by this layer (only
    /// `apply` mode's opaque directories need it).
    pub fn mark_written(&mut self, comps: &[Component]) {
        if self.whiteouts != Whiteouts::Apply {
            return;
        }
        for i in 1..=comps.len() {
            self.written.insert(join(&comps[..i]));
        }
    }

    /// Sets the deferred directory times, deepest (latest) first. A directory
    /// that a later entry removed or replaced is skipped.
    pub fn finish(&mut self) -> Result<()> {
        for (rel, meta) in self.dir_times.iter().rev() {
            let shown = self.root.show(rel);
            match self
                .root
                .resolve(rel, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW)
            {
                Ok(fd) => meta.apply_times_fd(fd.as_raw_fd(), &shown)?,
                Err(libc::ENOENT | libc::ENOTDIR | libc::ELOOP) => {}
                Err(errno) => return Err(SysError::from_errno(errno, "openat2", shown)),
            }
        }
        Ok(())
    }

    /// `./` itself: a directory entry sets the root's metadata; anything else
    /// would replace the root and is refused.
    fn root_entry<R: Read>(
        &mut self,
        kind: EntryType,
        entry: &mut tar::Entry<R>,
        shown: &str,
    ) -> Result<()> {
        if kind != EntryType::Directory {
            return Err(SysError::invalid(
                "layer",
                shown,
                "entry would replace the layer root",
            ));
        }
        if self.keep_root {
            return Ok(());
        }
        let meta = self.meta(entry, shown)?;
        let fd = self.root.dir(&[], false)?.expect("the root exists");
        meta.apply_fd(fd.as_raw_fd(), shown)?;
        self.dir_times.push((Vec::new(), meta));
        Ok(())
    }

    /// Makes room for a new entry at `name`: an existing directory is kept when
    /// `keep_dir` (directories merge), anything else is removed (recursively
    /// for a directory, never following a symlink). A regular file is removed
    /// and not truncated, so other hard links to it keep their content.
    /// Returns whether an existing directory was kept.
    pub fn clear_slot(
        &self,
        parent: RawFd,
        name: &CStr,
        keep_dir: bool,
        shown: &str,
    ) -> Result<bool> {
        match kind_at(parent, name) {
            Ok(None) => Ok(false),
            Ok(Some(libc::S_IFDIR)) if keep_dir => Ok(true),
            Ok(Some(_)) => remove_all_at(parent, name)
                .map(|()| false)
                .map_err(|errno| SysError::from_errno(errno, "unlinkat", shown)),
            Err(errno) => Err(SysError::from_errno(errno, "fstatat", shown)),
        }
    }

    fn file<R: Read>(
        &mut self,
        parent: RawFd,
        name: &CStr,
        entry: &mut tar::Entry<R>,
        meta: &Meta,
        shown: &str,
    ) -> Result<()> {
        self.clear_slot(parent, name, false, shown)?;
        let flags =
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: valid fd and C string.
        let fd = unsafe { libc::openat(parent, name.as_ptr(), flags, 0o600 as libc::c_uint) };
        if fd < 0 {
            return Err(SysError::last("openat", shown));
        }
        // SAFETY: fresh fd from openat.
        let mut file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        let written = copy(entry, &mut file, shown)?;
        self.stats.bytes += written;
        meta.apply_fd(file.as_raw_fd(), shown)?;
        meta.apply_times_fd(file.as_raw_fd(), shown)
    }

    fn directory(
        &mut self,
        parent: RawFd,
        name: &CStr,
        rel: Vec<u8>,
        meta: Meta,
        shown: &str,
    ) -> Result<()> {
        if !self.clear_slot(parent, name, true, shown)? {
            // SAFETY: valid fd and C string.
            if unsafe { libc::mkdirat(parent, name.as_ptr(), 0o700) } != 0 {
                return Err(SysError::last("mkdirat", shown));
            }
        }
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: valid fd and C string.
        let fd = unsafe { libc::openat(parent, name.as_ptr(), flags) };
        if fd < 0 {
            return Err(SysError::last("openat", shown));
        }
        // SAFETY: fresh fd.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        meta.apply_fd(fd.as_raw_fd(), shown)?;
        self.dir_times.push((rel, meta));
        Ok(())
    }

    /// The target is stored as written in the archive (absolute or with
    /// `..`): inside the container's root it means what the image meant.
    fn symlink(
        &mut self,
        parent: RawFd,
        name: &CStr,
        target: &[u8],
        meta: &Meta,
        shown: &str,
    ) -> Result<()> {
        self.clear_slot(parent, name, false, shown)?;
        let target = cstr(target, shown)?;
        // SAFETY: valid fd and C strings.
        if unsafe { libc::symlinkat(target.as_ptr(), parent, name.as_ptr()) } != 0 {
            return Err(SysError::last("symlinkat", shown));
        }
        meta.apply_at(parent, name, false, shown)
    }

    /// A hard link's target is resolved inside the root like any path; it
    /// must already exist there (an earlier entry, or an earlier layer in
    /// `apply` mode), else the layer is refused with `EINVAL`.
    fn hardlink(
        &mut self,
        parent: RawFd,
        name: &CStr,
        rel: &[u8],
        target: &[u8],
        shown: &str,
    ) -> Result<()> {
        let target_comps = clean(target);
        let target_rel = join(&target_comps);
        let refuse = || {
            SysError::invalid(
                "link",
                shown,
                format!(
                    "hard link target {} is missing or outside the layer",
                    String::from_utf8_lossy(target)
                ),
            )
        };
        let Some((target_name, target_parent)) = target_comps.split_last() else {
            return Err(refuse());
        };
        if target_rel == rel {
            return Err(refuse());
        }
        let target_dir = match self.root.dir(target_parent, false) {
            Ok(Some(fd)) => fd,
            Ok(None)
            | Err(SysError {
                errno: libc::ENOTDIR,
                ..
            }) => return Err(refuse()),
            Err(e) => return Err(e),
        };
        let target_name = cstr(target_name, shown)?;
        match kind_at(target_dir.as_raw_fd(), &target_name) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(refuse()),
            Err(errno) => {
                return Err(SysError::from_errno(
                    errno,
                    "fstatat",
                    self.root.show(&target_rel),
                ))
            }
        }
        self.clear_slot(parent, name, false, shown)?;
        // Flags 0: a target that is a symlink is linked itself, never followed.
        // SAFETY: valid fds and C strings.
        if unsafe {
            libc::linkat(
                target_dir.as_raw_fd(),
                target_name.as_ptr(),
                parent,
                name.as_ptr(),
                0,
            )
        } != 0
        {
            return Err(SysError::last("linkat", shown));
        }
        Ok(())
    }

    fn node(
        &mut self,
        parent: RawFd,
        name: &CStr,
        kind: EntryType,
        header: &tar::Header,
        meta: &Meta,
        shown: &str,
    ) -> Result<()> {
        self.clear_slot(parent, name, false, shown)?;
        let file_type = match kind {
            EntryType::Char => libc::S_IFCHR,
            EntryType::Block => libc::S_IFBLK,
            _ => libc::S_IFIFO,
        };
        // A FIFO has no device number: GNU tar leaves the fields all NUL,
        // which is valid and means nothing.
        let (major, minor) = if file_type == libc::S_IFIFO {
            (0, 0)
        } else {
            device_numbers(header, shown)?
        };
        let dev = libc::makedev(major, minor);
        // SAFETY: valid fd and C string.
        if unsafe { libc::mknodat(parent, name.as_ptr(), file_type | (meta.mode & 0o777), dev) }
            != 0
        {
            return Err(SysError::last("mknodat", shown));
        }
        meta.apply_at(parent, name, true, shown)
    }
}

/// The device numbers of a char or block entry. Fields that are empty (all
/// NUL or spaces, as GNU tar and some image builders write them) mean 0, as
/// in Docker's untar; anything else must be an octal (or base-256) number.
fn device_numbers(header: &tar::Header, shown: &str) -> Result<(u32, u32)> {
    let raw = header.as_bytes();
    let blank = |r: std::ops::Range<usize>| raw[r].iter().all(|b| *b == 0 || *b == b' ');
    let bad = || SysError::invalid("layer", shown, "bad device number in tar header");
    let major = if blank(329..337) {
        0
    } else {
        header.device_major().map_err(|_| bad())?.unwrap_or(0)
    };
    let minor = if blank(337..345) {
        0
    } else {
        header.device_minor().map_err(|_| bad())?.unwrap_or(0)
    };
    Ok((major, minor))
}

/// Whether `..` in `raw` climbs above where the path starts (a leading `/`
/// means the top, as in Docker's untar, so `/etc/x` does not escape).
pub fn escapes(raw: &[u8]) -> bool {
    let mut depth = 0usize;
    for part in raw.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." if depth == 0 => return true,
            b".." => depth -= 1,
            _ => depth += 1,
        }
    }
    false
}

/// Copies an entry's data, telling a write failure (errno, e.g. ENOSPC) from
/// an archive that ends early or does not decompress (EINVAL).
fn copy<R: Read>(entry: &mut tar::Entry<R>, file: &mut File, shown: &str) -> Result<u64> {
    use std::io::Write;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(match e.raw_os_error() {
                    Some(errno) => SysError::from_errno(errno, "read", shown),
                    None => SysError::invalid("layer", shown, format!("corrupt archive: {e}")),
                })
            }
        };
        file.write_all(&buf[..n])
            .map_err(|e| SysError::from_io(&e, "write", shown))?;
        total += n as u64;
    }
    if total < entry.size() {
        return Err(SysError::invalid(
            "layer",
            shown,
            "archive ends inside this file",
        ));
    }
    Ok(total)
}
