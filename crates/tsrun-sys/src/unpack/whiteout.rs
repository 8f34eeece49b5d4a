//! OCI whiteouts: `.wh.NAME` hides NAME of lower layers, `.wh..wh..opq` hides
//! every lower-layer child of its directory.
//!
//! - `overlay` mode (one directory per layer, stacked by overlayfs): a
//!   whiteout becomes overlayfs's own marker, a char device 0/0 named NAME;
//!   an opaque marker becomes the xattr `trusted.overlay.opaque=y` on the
//!   directory. Neither marker file itself is written.
//! - `apply` mode (layers unpacked in order into one flattened rootfs): a
//!   whiteout removes NAME (recursively, never following a symlink); an
//!   opaque marker removes every child of its directory that this layer has
//!   not written itself. Keeping this layer's own paths (rather than clearing
//!   the directory when the marker is seen) is correct whatever the order of
//!   the marker and its siblings in the archive.
//!
//! Other `.wh..wh.` names (aufs metadata such as `.wh..wh.plnk`) are skipped.
use std::os::fd::AsRawFd;

use crate::error::{Result, SysError};

use super::entry::Unpacker;
use super::remove::{clear_dir, remove_all_at};
use super::secure_path::{cstr, join, last_errno, Component};
use super::Whiteouts;

const PREFIX: &[u8] = b".wh.";
const META_PREFIX: &[u8] = b".wh..wh.";
const OPAQUE: &[u8] = b".wh..wh..opq";
const OPAQUE_XATTR: &std::ffi::CStr = c"trusted.overlay.opaque";

impl Unpacker {
    /// Handles the entry `parent/name` whose name starts with `.wh.`.
    pub fn whiteout(&mut self, parent: &[Component], name: &[u8]) -> Result<()> {
        // `entry` never sends a `.wh.` name here in literal mode.
        if self.whiteouts == Whiteouts::Literal {
            return Ok(());
        }
        if name == OPAQUE {
            return self.opaque(parent);
        }
        if name.starts_with(META_PREFIX) {
            return Ok(());
        }
        let target = &name[PREFIX.len()..];
        let mut comps = parent.to_vec();
        comps.push(target.to_vec());
        let shown = self.root.show(&join(&comps));
        if target.is_empty() || target == b"." || target == b".." {
            return Err(SysError::invalid("layer", shown, "invalid whiteout name"));
        }
        let ctarget = cstr(target, &shown)?;
        match self.whiteouts {
            Whiteouts::Overlay => {
                self.mark_written(&comps);
                let dir = self.root.dir(parent, true)?.expect("created");
                self.clear_slot(dir.as_raw_fd(), &ctarget, false, &shown)?;
                // SAFETY: valid fd and C string.
                if unsafe {
                    libc::mknodat(
                        dir.as_raw_fd(),
                        ctarget.as_ptr(),
                        libc::S_IFCHR,
                        libc::makedev(0, 0),
                    )
                } != 0
                {
                    return Err(SysError::last("mknodat", shown));
                }
                Ok(())
            }
            Whiteouts::Apply => {
                let Some(dir) = self.existing_dir(parent)? else {
                    return Ok(());
                };
                remove_all_at(dir.as_raw_fd(), &ctarget)
                    .map_err(|errno| SysError::from_errno(errno, "unlinkat", shown))
            }
            Whiteouts::Literal => Ok(()),
        }
    }

    fn opaque(&mut self, parent: &[Component]) -> Result<()> {
        let rel = join(parent);
        let shown = self.root.show(&rel);
        match self.whiteouts {
            Whiteouts::Overlay => {
                self.mark_written(parent);
                let dir = self.root.dir(parent, true)?.expect("created");
                let value = b"y";
                // SAFETY: valid fd, C string and buffer.
                let rc = unsafe {
                    libc::fsetxattr(
                        dir.as_raw_fd(),
                        OPAQUE_XATTR.as_ptr(),
                        value.as_ptr().cast(),
                        value.len(),
                        0,
                    )
                };
                if rc != 0 {
                    return Err(SysError::from_errno(
                        last_errno(),
                        "fsetxattr",
                        format!("{shown} trusted.overlay.opaque"),
                    ));
                }
                Ok(())
            }
            Whiteouts::Apply => {
                let Some(dir) = self.existing_dir(parent)? else {
                    return Ok(());
                };
                let written = &self.written;
                let keep = |child: &[u8]| {
                    let mut path = rel.clone();
                    if !path.is_empty() {
                        path.push(b'/');
                    }
                    path.extend_from_slice(child);
                    written.contains(&path)
                };
                clear_dir(dir.as_raw_fd(), keep)
                    .map_err(|errno| SysError::from_errno(errno, "unlinkat", shown))
            }
            Whiteouts::Literal => Ok(()),
        }
    }

    /// The directory `parent` when it exists (as a directory) in dest; in
    /// `apply` mode a whiteout under a missing directory has nothing to hide.
    fn existing_dir(&self, parent: &[Component]) -> Result<Option<std::os::fd::OwnedFd>> {
        match self.root.dir(parent, false) {
            Err(SysError {
                errno: libc::ENOTDIR,
                ..
            }) => Ok(None),
            other => other,
        }
    }
}
