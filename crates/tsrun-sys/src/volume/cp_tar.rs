//! `tsrun cp` with a tar stream on one side, as `docker cp` has:
//!
//! - `tar_out` (`cp CONTAINER:SRC -`): SRC as a tar on a writer (stdout).
//!   Entries are named from SRC's last name (`etc/`, `etc/passwd`), or `./`
//!   for `SRC/.` and `/`. Owners, modes, times and xattrs (but overlay's
//!   own) are the container's; symlinks stay symlinks (`-L` follows SRC
//!   itself); a multiply-linked file's later names are hard link entries to
//!   its first. Sockets are skipped, as tar does.
//! - `tar_in` (`cp - CONTAINER:DEST`): a tar read from stdin unpacked into
//!   the directory DEST, which must exist. The archive is hostile input: it
//!   goes through `unpack::unpack_stream` (every path resolved inside DEST).
//!
//! The container side is reached as in `cp`: RESOLVE_IN_ROOT from the root
//! fd, then no-follow `*at()` calls.
use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::{CStr, OsStr};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::rc::Rc;

use crate::error::{Result, SysError};
use crate::mount::open_in_root;
use crate::unpack::{unpack_stream, Stats};

use super::copy::{fstat, lstat_at, open_at, read_link, read_names, xattrs};
use super::cp::{container_source, Source};

/// Writes `src` (inside the container root `root`) as a tar to `out`, and
/// answers the number of entries. `follow` (`-L`): a symlink named as SRC is
/// archived as what it points to, under SRC's name.
pub fn tar_out<W: Write>(root: RawFd, src: &str, follow: bool, out: W) -> Result<u64> {
    let source = container_source(root, src, follow)?;
    let open = Rc::new(Cell::new(true));
    let mut w = TarWriter::new(out, open.clone(), false);
    let walked = match source {
        Source::Contents(dir) => {
            let st = fstat(dir.as_raw_fd(), src)?;
            w.directory(dir, &st, "./")
        }
        Source::Entry {
            parent,
            name,
            st,
            as_name,
        } => {
            let arc = String::from_utf8_lossy(as_name.as_bytes()).into_owned();
            w.node(parent.as_raw_fd(), &name, &st, &arc)
        }
    };
    if let Err(e) = walked {
        // The builder ends the archive when dropped: shut the gate first, so
        // a failed copy never looks like a complete (shorter) archive.
        open.set(false);
        return Err(e);
    }
    let (entries, mut out) = w.finish()?;
    out.flush().map_err(|e| write_err(&e))?;
    Ok(entries)
}

/// A writer that drops everything once `open` is false.
pub(crate) struct Gate<W: Write> {
    inner: W,
    open: Rc<Cell<bool>>,
}

impl<W: Write> Write for Gate<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.open.get() {
            self.inner.write(buf)
        } else {
            Ok(buf.len())
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.open.get() {
            self.inner.flush()
        } else {
            Ok(())
        }
    }
}

/// Unpacks the tar read from `input` into the directory `dest` inside the
/// container root. Owned by root unless `archive` (the archive's ids).
pub fn tar_in<R: Read + Send + 'static>(
    input: R,
    root: RawFd,
    dest: &str,
    archive: bool,
) -> Result<Stats> {
    let dir = match open_in_root(root, dest, libc::O_RDONLY | libc::O_DIRECTORY, 0) {
        Ok(d) => d,
        Err(e) if e.errno == libc::ENOTDIR => {
            return Err(SysError::invalid(
                "cp",
                dest,
                "destination must be a directory",
            ))
        }
        Err(e) => return Err(SysError::from_errno(e.errno, "cp", dest)),
    };
    unpack_stream(input, dir, dest, if archive { None } else { Some((0, 0)) })
}

pub(crate) fn write_err(e: &std::io::Error) -> SysError {
    SysError::from_io(e, "write", "-")
}

/// The tar writer of `cp -` and of image layers (`volume::changes`).
pub(crate) struct TarWriter<W: Write> {
    tar: tar::Builder<Gate<W>>,
    /// Archive name of the first copy of each multiply-linked file.
    first_names: HashMap<(u64, u64), String>,
    entries: u64,
    /// An overlay upper dir read as an image layer: its whiteouts (char
    /// 0/0) become `.wh.NAME` entries and an opaque directory gets a
    /// `.wh..wh..opq` entry, as the OCI image spec writes them.
    overlay: bool,
    /// Directories are written without their children (a layer made from a
    /// list of changes names every child it wants).
    pub(crate) shallow: bool,
    /// Archive names (`etc/hosts`) left out when they are empty regular
    /// files: the mount targets the engine made for its own binds.
    pub(crate) skip: std::collections::HashSet<String>,
}

/// Prefix of an OCI whiteout entry's name.
pub(crate) const WHITEOUT_PREFIX: &str = ".wh.";
/// Name of the OCI opaque-directory marker.
pub(crate) const OPAQUE_MARKER: &str = ".wh..wh..opq";

impl<W: Write> TarWriter<W> {
    /// A writer onto `out` that writes nothing more once `open` is false.
    pub(crate) fn new(out: W, open: Rc<Cell<bool>>, overlay: bool) -> Self {
        TarWriter {
            tar: tar::Builder::new(Gate { inner: out, open }),
            first_names: HashMap::new(),
            entries: 0,
            overlay,
            shallow: false,
            skip: Default::default(),
        }
    }

    /// Ends the archive and answers the entries written and the writer.
    pub(crate) fn finish(self) -> Result<(u64, W)> {
        let entries = self.entries;
        let gate = self.tar.into_inner().map_err(|e| write_err(&e))?;
        Ok((entries, gate.inner))
    }

    /// An OCI whiteout for `arc` (`dir/name` becomes `dir/.wh.name`).
    pub(crate) fn whiteout(&mut self, arc: &str, mtime: u64) -> Result<()> {
        let (dir, base) = match arc.rsplit_once('/') {
            Some((d, b)) => (format!("{d}/"), b),
            None => (String::new(), arc),
        };
        self.marker(&format!("{dir}{WHITEOUT_PREFIX}{base}"), mtime)
    }

    /// An empty regular file entry: a whiteout or an opaque marker.
    fn marker(&mut self, arc: &str, mtime: u64) -> Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_mtime(mtime);
        h.set_size(0);
        self.append(&mut h, arc, std::io::empty(), &[])
    }

    /// The entry `name` of `dir` (its lstat `st`), as `arc` in the archive.
    pub(crate) fn node(
        &mut self,
        dir: RawFd,
        name: &CStr,
        st: &libc::stat,
        arc: &str,
    ) -> Result<()> {
        if self.overlay && st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0 {
            return self.whiteout(arc, st.st_mtime.max(0) as u64);
        }
        match st.st_mode & libc::S_IFMT {
            libc::S_IFDIR => {
                let fd = open_at(dir, name, libc::O_RDONLY | libc::O_DIRECTORY, 0)
                    .map_err(|e| SysError::from_errno(e, "open", arc))?;
                self.directory(fd, st, &format!("{arc}/"))
            }
            libc::S_IFREG => self.file(dir, name, st, arc),
            libc::S_IFLNK => {
                let target = read_link(dir, name, arc)?;
                let mut h = header(st, tar::EntryType::Symlink);
                // A target is written as it is: the tar crate's own link-name
                // setter tidies paths (`/` became `//`, `./x` became `x`).
                // One too long for the header goes as a GNU long link record,
                // which carries the bytes unchanged.
                if target.as_bytes().len() < 100 {
                    h.set_link_name_literal(target.as_bytes())
                        .map_err(|e| write_err(&e))?;
                    return self.append(&mut h, arc, std::io::empty(), &[]);
                }
                self.tar
                    .append_link(&mut h, arc, OsStr::from_bytes(target.as_bytes()))
                    .map_err(|e| write_err(&e))?;
                self.entries += 1;
                Ok(())
            }
            kind @ (libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO) => {
                let mut h = header(
                    st,
                    match kind {
                        libc::S_IFCHR => tar::EntryType::Char,
                        libc::S_IFBLK => tar::EntryType::Block,
                        _ => tar::EntryType::Fifo,
                    },
                );
                if kind != libc::S_IFIFO {
                    let (major, minor) = (libc::major(st.st_rdev), libc::minor(st.st_rdev));
                    h.set_device_major(major).map_err(|e| write_err(&e))?;
                    h.set_device_minor(minor).map_err(|e| write_err(&e))?;
                }
                self.append(&mut h, arc, std::io::empty(), &[])
            }
            // Sockets mean nothing without their process: skipped, as tar does.
            _ => Ok(()),
        }
    }

    /// A directory (open as `fd`) then its children, sorted; `arc` ends in `/`.
    fn directory(&mut self, fd: OwnedFd, st: &libc::stat, arc: &str) -> Result<()> {
        let mut h = header(st, tar::EntryType::Directory);
        let x = xattrs(fd.as_raw_fd(), arc)?;
        self.append(&mut h, arc, std::io::empty(), &x)?;
        if self.overlay && super::copy::is_opaque(fd.as_raw_fd()) {
            self.marker(&format!("{arc}{OPAQUE_MARKER}"), st.st_mtime.max(0) as u64)?;
        }
        if self.shallow {
            return Ok(());
        }
        self.children(fd, arc)
    }

    /// The children of the directory `fd` (archived as `arc`, ending in `/`), sorted.
    pub(crate) fn children(&mut self, fd: OwnedFd, arc: &str) -> Result<()> {
        // Children of `./` are plain `name` (the tar crate drops a leading
        // `./` from entry names but not from hard link targets: keep both alike).
        let prefix = if arc == "./" { "" } else { arc };
        for child in read_names(fd.as_raw_fd(), arc)? {
            let child_arc = format!("{prefix}{}", child.to_string_lossy());
            // A name gone since the listing is skipped, as tar does.
            let Ok(cst) = lstat_at(fd.as_raw_fd(), &child) else {
                continue;
            };
            if is_mount_target(&cst) && self.skip.contains(&child_arc) {
                continue;
            }
            self.node(fd.as_raw_fd(), &child, &cst, &child_arc)?;
        }
        Ok(())
    }

    fn file(&mut self, dir: RawFd, name: &CStr, st: &libc::stat, arc: &str) -> Result<()> {
        if st.st_nlink > 1 {
            let key = (st.st_dev, st.st_ino);
            if let Some(first) = self.first_names.get(&key) {
                let mut h = header(st, tar::EntryType::Link);
                let first = first.clone();
                self.tar
                    .append_link(&mut h, arc, &first)
                    .map_err(|e| write_err(&e))?;
                self.entries += 1;
                return Ok(());
            }
        }
        let f = open_at(dir, name, libc::O_RDONLY, 0)
            .map_err(|e| SysError::from_errno(e, "open", arc))?;
        let x = xattrs(f.as_raw_fd(), arc)?;
        let size = st.st_size.max(0) as u64;
        let mut h = header(st, tar::EntryType::Regular);
        h.set_size(size);
        let data = Exactly {
            inner: std::fs::File::from(f).take(size),
            left: size,
        };
        self.append(&mut h, arc, data, &x)?;
        if st.st_nlink > 1 {
            self.first_names
                .insert((st.st_dev, st.st_ino), arc.to_string());
        }
        Ok(())
    }

    /// One entry, preceded by a PAX header carrying its xattrs (as GNU tar,
    /// bsdtar and Docker write them) when it has any.
    fn append<R: Read>(
        &mut self,
        h: &mut tar::Header,
        arc: &str,
        data: R,
        xattrs: &[(std::ffi::CString, Vec<u8>)],
    ) -> Result<()> {
        if !xattrs.is_empty() {
            let mut records = Vec::new();
            for (name, value) in xattrs {
                pax_record(&mut records, b"SCHILY.xattr.", name.as_bytes(), value);
            }
            let mut ph = tar::Header::new_ustar();
            ph.set_entry_type(tar::EntryType::XHeader);
            ph.set_mode(0o644);
            ph.set_size(records.len() as u64);
            self.tar
                .append_data(&mut ph, "PaxHeader", &records[..])
                .map_err(|e| write_err(&e))?;
        }
        self.tar
            .append_data(h, Path::new(arc), data)
            .map_err(|e| write_err(&e))?;
        self.entries += 1;
        Ok(())
    }
}

/// An empty regular file: what the engine creates for a bind mount of a file.
pub(crate) fn is_mount_target(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_size == 0
}

/// A header for `st`: mode, owner, mtime, type (size 0 until set).
fn header(st: &libc::stat, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(st.st_mode & 0o7777);
    h.set_uid(st.st_uid as u64);
    h.set_gid(st.st_gid as u64);
    h.set_mtime(st.st_mtime.max(0) as u64);
    h.set_size(0);
    h
}

/// One PAX record: `LEN PREFIXNAME=VALUE\n`, LEN counting itself.
fn pax_record(out: &mut Vec<u8>, prefix: &[u8], name: &[u8], value: &[u8]) {
    let body = prefix.len() + name.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    out.extend_from_slice(len.to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(prefix);
    out.extend_from_slice(name);
    out.push(b'=');
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// Exactly `left` bytes: a file that shrank while being archived is padded
/// with zeros (one that grew is cut), so the header's size stays true and
/// the archive stays readable.
struct Exactly<R: Read> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exactly<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(self.left as usize);
        let n = match self.inner.read(&mut buf[..want])? {
            0 => {
                buf[..want].fill(0);
                want
            }
            n => n,
        };
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mount::open_in_root as oir;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn round_trip_keeps_hard_links_and_symlinks() {
        let t = tempfile::tempdir().unwrap();
        let (src, dst) = (t.path().join("src"), t.path().join("dst"));
        std::fs::create_dir_all(src.join("d/sub")).unwrap();
        std::fs::create_dir_all(&dst).unwrap();
        std::fs::write(src.join("d/sub/a"), "one").unwrap();
        std::fs::hard_link(src.join("d/sub/a"), src.join("d/b")).unwrap();
        std::os::unix::fs::symlink("/etc", src.join("d/l")).unwrap();
        let open = |p: &Path| {
            let d = super::super::copy::open_dir(p).unwrap();
            oir(d.as_raw_fd(), "/", libc::O_PATH | libc::O_DIRECTORY, 0).unwrap()
        };
        let mut buf = Vec::new();
        tar_out(open(&src).as_raw_fd(), "/d", false, &mut buf).unwrap();
        tar_in(std::io::Cursor::new(buf), open(&dst).as_raw_fd(), "/", true).unwrap();
        let (a, b) = (
            std::fs::metadata(dst.join("d/sub/a")).unwrap(),
            std::fs::metadata(dst.join("d/b")).unwrap(),
        );
        assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
        assert_eq!(
            std::fs::read_link(dst.join("d/l")).unwrap(),
            Path::new("/etc")
        );
        // A failed archive writes nothing that looks complete.
        let mut none = Vec::new();
        assert!(tar_out(open(&src).as_raw_fd(), "/missing", false, &mut none).is_err());
        assert!(none.is_empty());
    }

    #[test]
    fn symlink_targets_are_written_as_they_are() {
        let t = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/", t.path().join("root")).unwrap();
        std::os::unix::fs::symlink("./x", t.path().join("dot")).unwrap();
        let d = super::super::copy::open_dir(t.path()).unwrap();
        let root = oir(d.as_raw_fd(), "/", libc::O_PATH | libc::O_DIRECTORY, 0).unwrap();
        let mut buf = Vec::new();
        tar_out(root.as_raw_fd(), "/", false, &mut buf).unwrap();
        let mut a = tar::Archive::new(std::io::Cursor::new(buf));
        let mut links: Vec<(String, Vec<u8>)> = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.header().entry_type() == tar::EntryType::Symlink)
            .map(|e| {
                (
                    e.path().unwrap().display().to_string(),
                    e.header().link_name_bytes().unwrap().into_owned(),
                )
            })
            .collect();
        links.sort();
        assert_eq!(
            links,
            [
                ("dot".to_string(), b"./x".to_vec()),
                ("root".to_string(), b"/".to_vec())
            ]
        );
    }

    #[test]
    fn pax_record_length_counts_itself() {
        let mut out = Vec::new();
        pax_record(&mut out, b"SCHILY.xattr.", b"user.a", b"1");
        let s = String::from_utf8(out).unwrap();
        let (len, _) = s.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), s.len());
        // 9 -> 10 digits boundary.
        let mut out = Vec::new();
        pax_record(&mut out, b"", b"k", &[b'v'; 94]);
        let s = String::from_utf8(out).unwrap();
        let (len, _) = s.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), s.len());
    }
}
