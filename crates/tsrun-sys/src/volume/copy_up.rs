//! A volume's first content: what the image holds at the path the volume is
//! mounted over (Docker's copy-up), copied with ownership, modes, xattrs and
//! symlinks as they are.
//!
//! The image is given as its layer directories, top first (an overlay
//! container: its upper dir then the lower layers; a flattened rootfs: that
//! one directory). The path is walked one component at a time in each layer
//! with `O_NOFOLLOW`: a mount path that is a symlink in the image is not
//! copied up (the runtime resolves it inside the rootfs at mount time; a
//! copy from the host side would have to guess), and nothing outside the
//! layers is ever read.
use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use crate::error::{Result, SysError};

use super::copy::{
    cname, copy_contents, copy_dir_meta, is_opaque, lstat_at, open_at, open_dir, read_names,
    CopyOpts, CopyStats, Owner,
};

/// What `copy_up` did.
#[derive(Debug, Default)]
pub struct CopyUpResult {
    /// False when nothing was copied: the volume was not empty, or the image
    /// has no directory at that path.
    pub copied: bool,
    pub stats: CopyStats,
}

/// Create a volume's data directory (mode 0755, owned by root), failing if
/// it exists: two drivers must never share one directory.
pub fn create_data_dir(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let c = cname(path.as_os_str().as_encoded_bytes(), &shown)?;
    // SAFETY: valid C string.
    if unsafe { libc::mkdir(c.as_ptr(), 0o755) } != 0 {
        return Err(SysError::last("mkdir", shown));
    }
    // mkdir applies the umask; the mode must not depend on the caller's.
    if unsafe { libc::chmod(c.as_ptr(), 0o755) } != 0 {
        return Err(SysError::last("chmod", shown));
    }
    Ok(())
}

/// Copy the merged content of `layers` (top first) at `subpath` into `dest`
/// when `dest` is an empty directory. `dest` then takes the owner and mode of
/// the image's directory.
pub fn copy_up(layers: &[&Path], subpath: &str, dest: &Path) -> Result<CopyUpResult> {
    let shown = dest.display().to_string();
    let dst = open_dir(dest)?;
    if !read_names(dst.as_raw_fd(), &shown)?.is_empty() {
        return Ok(CopyUpResult::default());
    }
    let stack = source_stack(layers, subpath)?;
    if stack.is_empty() {
        return Ok(CopyUpResult::default());
    }
    let opts = CopyOpts {
        owner: Owner::Keep,
        layers: true,
    };
    let mut stats = CopyStats::default();
    copy_contents(&stack, dst.as_raw_fd(), &shown, &opts, &mut stats)?;
    copy_dir_meta(stack[0].as_raw_fd(), dst.as_raw_fd(), Owner::Keep, &shown)?;
    Ok(CopyUpResult {
        copied: true,
        stats,
    })
}

/// The directory at `subpath` in each layer that shows through, top first.
/// Empty when the merged view has no directory there.
fn source_stack(layers: &[&Path], subpath: &str) -> Result<Vec<OwnedFd>> {
    let comps: Vec<&str> = subpath
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if comps.iter().any(|c| *c == "..") {
        return Err(SysError::invalid(
            "copy-up",
            subpath,
            "path must not contain ..",
        ));
    }
    let mut stack = Vec::new();
    for layer in layers {
        let (found, hides_lower) = walk(layer, &comps)?;
        let top_is_first = stack.is_empty();
        match found {
            Walk::Dir(fd) => stack.push(fd),
            // The topmost layer with the path decides: a non-directory (or a
            // symlink) there means no copy-up at all.
            Walk::Other if top_is_first => return Ok(Vec::new()),
            Walk::Other | Walk::Missing => {}
        }
        if hides_lower {
            break;
        }
    }
    Ok(stack)
}

enum Walk {
    Dir(OwnedFd),
    Other,
    Missing,
}

/// Walk `comps` inside one layer. Answers what is there, and whether this
/// layer hides the path in the layers below (a whiteout, an opaque
/// directory, or a non-directory on the way).
fn walk(layer: &Path, comps: &[&str]) -> Result<(Walk, bool)> {
    let shown = layer.display().to_string();
    let mut dir = open_dir(layer)?;
    let mut hides = false;
    for c in comps {
        let name: CString = cname(c.as_bytes(), &shown)?;
        let st = match lstat_at(dir.as_raw_fd(), &name) {
            Ok(st) => st,
            Err(libc::ENOENT) => return Ok((Walk::Missing, hides)),
            Err(e) => return Err(SysError::from_errno(e, "lstat", format!("{shown}/{c}"))),
        };
        let kind = st.st_mode & libc::S_IFMT;
        if kind == libc::S_IFCHR && st.st_rdev == 0 {
            return Ok((Walk::Missing, true));
        }
        if kind != libc::S_IFDIR {
            return Ok((Walk::Other, true));
        }
        dir = open_at(
            dir.as_raw_fd(),
            &name,
            libc::O_RDONLY | libc::O_DIRECTORY,
            0,
        )
        .map_err(|e| SysError::from_errno(e, "open", format!("{shown}/{c}")))?;
        if is_opaque(dir.as_raw_fd()) {
            hides = true;
        }
    }
    Ok((Walk::Dir(dir), hides))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

    fn root() -> bool {
        unsafe { libc::geteuid() == 0 }
    }

    fn whiteout(p: &Path) {
        let c = CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(
            unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o600, 0) },
            0
        );
    }

    #[test]
    fn merges_layers_with_whiteouts_owner_and_modes() {
        if !root() {
            eprintln!("skipped: needs root (chown, mknod)");
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let (upper, lower, dest) = (
            t.path().join("upper"),
            t.path().join("lower"),
            t.path().join("dest"),
        );
        std::fs::create_dir_all(lower.join("data/sub")).unwrap();
        std::fs::create_dir_all(upper.join("data")).unwrap();
        std::fs::write(lower.join("data/a"), "lower a").unwrap();
        std::fs::write(lower.join("data/gone"), "bye").unwrap();
        std::fs::write(lower.join("data/sub/x"), "x").unwrap();
        std::fs::write(upper.join("data/a"), "upper a").unwrap();
        whiteout(&upper.join("data/gone"));
        symlink("/etc/passwd", upper.join("data/link")).unwrap();
        std::os::unix::fs::chown(upper.join("data"), Some(1000), Some(1001)).unwrap();
        std::fs::set_permissions(upper.join("data"), std::fs::Permissions::from_mode(0o750))
            .unwrap();
        std::os::unix::fs::chown(lower.join("data/sub/x"), Some(7), Some(8)).unwrap();
        std::fs::set_permissions(
            lower.join("data/sub/x"),
            std::fs::Permissions::from_mode(0o4711),
        )
        .unwrap();
        create_data_dir(&dest).unwrap();

        let r = copy_up(&[&upper, &lower], "/data", &dest).unwrap();
        assert!(r.copied);
        assert_eq!(std::fs::read_to_string(dest.join("a")).unwrap(), "upper a");
        assert!(!dest.join("gone").exists());
        assert_eq!(
            std::fs::read_link(dest.join("link")).unwrap(),
            Path::new("/etc/passwd")
        );
        let m = std::fs::metadata(dest.join("sub/x")).unwrap();
        assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (7, 8, 0o4711));
        let d = std::fs::metadata(&dest).unwrap();
        assert_eq!((d.uid(), d.gid(), d.mode() & 0o7777), (1000, 1001, 0o750));

        // A second copy-up into a volume that has data does nothing.
        std::fs::write(dest.join("mine"), "keep").unwrap();
        assert!(!copy_up(&[&upper, &lower], "/data", &dest).unwrap().copied);
    }

    #[test]
    fn a_symlinked_mount_path_is_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let (layer, dest, outside) = (
            t.path().join("l"),
            t.path().join("dest"),
            t.path().join("outside"),
        );
        std::fs::create_dir_all(&layer).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret"), "no").unwrap();
        symlink(&outside, layer.join("data")).unwrap();
        std::fs::create_dir(&dest).unwrap();
        let r = copy_up(&[&layer], "data", &dest).unwrap();
        assert!(!r.copied);
        assert!(!dest.join("secret").exists());
        assert!(copy_up(&[&layer], "../x", &dest).is_err());
    }
}
