//! Ownership, mode (setuid/setgid/sticky included), times and xattrs of an
//! entry, read from its tar header and PAX records, and applied to what the
//! entry created.
//!
//! Order matters: data is written first, then `chown` (which clears setuid and
//! `security.capability`), then `chmod`, then xattrs, then times.
use std::ffi::{CStr, CString};
use std::io::Read;
use std::os::fd::RawFd;

use crate::error::{Result, SysError};

use super::secure_path::last_errno;

/// PAX key prefix of extended attributes (GNU tar, bsdtar, Go, Docker).
const XATTR_PREFIX: &[u8] = b"SCHILY.xattr.";

/// Xattrs we restore: user ones, and file capabilities (`ping`'s cap_net_raw).
/// `trusted.*` (overlay's own metadata), `security.selinux` and ACLs are
/// dropped: a layer must not forge overlay whiteouts/redirects or labels.
fn xattr_allowed(name: &[u8]) -> bool {
    name.starts_with(b"user.") || name == b"security.capability"
}

/// What an entry says about the inode it makes.
pub struct Meta {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits plus setuid/setgid/sticky (`& 0o7777`).
    pub mode: u32,
    /// `[atime, mtime]`, as `utimensat` wants them.
    pub times: [libc::timespec; 2],
    pub xattrs: Vec<(CString, Vec<u8>)>,
}

impl Meta {
    pub fn from_entry<R: Read>(entry: &mut tar::Entry<R>, shown: &str) -> Result<Meta> {
        let bad =
            |what: &str| SysError::invalid("layer", shown, format!("bad {what} in tar header"));
        let header = entry.header();
        // The tar crate already applied PAX `uid`/`gid` over the header fields.
        let uid = header.uid().map_err(|_| bad("uid"))?;
        let gid = header.gid().map_err(|_| bad("gid"))?;
        let uid = u32::try_from(uid).map_err(|_| bad("uid"))?;
        let gid = u32::try_from(gid).map_err(|_| bad("gid"))?;
        let mode = header.mode().map_err(|_| bad("mode"))? & 0o7777;
        let mtime = header.mtime().map_err(|_| bad("mtime"))?;
        let mut mtime = libc::timespec {
            tv_sec: mtime.min(i64::MAX as u64) as libc::time_t,
            tv_nsec: 0,
        };
        let mut atime = None;
        let mut xattrs = Vec::new();
        if let Some(exts) = entry.pax_extensions().map_err(|_| bad("pax records"))? {
            for ext in exts {
                let ext = ext.map_err(|_| bad("pax records"))?;
                let key = ext.key_bytes();
                if let Some(name) = key.strip_prefix(XATTR_PREFIX) {
                    if xattr_allowed(name) {
                        let name = CString::new(name).map_err(|_| bad("xattr name"))?;
                        xattrs.push((name, ext.value_bytes().to_vec()));
                    }
                } else if key == b"mtime" {
                    mtime = pax_time(ext.value_bytes()).ok_or_else(|| bad("PAX mtime"))?;
                } else if key == b"atime" {
                    atime = Some(pax_time(ext.value_bytes()).ok_or_else(|| bad("PAX atime"))?);
                } else if key == b"ctime" {
                    pax_time(ext.value_bytes()).ok_or_else(|| bad("PAX ctime"))?;
                } else if matches!(key, b"size" | b"uid" | b"gid")
                    && !pax_number(ext.value_bytes(), key)
                {
                    // The tar crate falls back to the header field when a
                    // record does not parse; Go's archive/tar (Docker) and
                    // GNU tar refuse the archive, and so do we.
                    return Err(bad(&format!("PAX {}", String::from_utf8_lossy(key))));
                }
            }
        }
        Ok(Meta {
            uid,
            gid,
            mode,
            times: [atime.unwrap_or(mtime), mtime],
            xattrs,
        })
    }

    /// On an open file or directory: owner, mode, xattrs (times separately).
    pub fn apply_fd(&self, fd: RawFd, shown: &str) -> Result<()> {
        // SAFETY: fd is valid for the duration of the calls.
        if unsafe { libc::fchown(fd, self.uid, self.gid) } != 0 {
            return Err(SysError::last("fchown", shown));
        }
        if unsafe { libc::fchmod(fd, self.mode) } != 0 {
            return Err(SysError::last("fchmod", shown));
        }
        for (name, value) in &self.xattrs {
            let rc = unsafe {
                libc::fsetxattr(fd, name.as_ptr(), value.as_ptr().cast(), value.len(), 0)
            };
            // A filesystem without xattr support loses them rather than failing the layer.
            if rc != 0 && last_errno() != libc::EOPNOTSUPP {
                return Err(SysError::last(
                    "fsetxattr",
                    format!("{shown} {}", name.to_string_lossy()),
                ));
            }
        }
        Ok(())
    }

    pub fn apply_times_fd(&self, fd: RawFd, shown: &str) -> Result<()> {
        // SAFETY: fd valid, times is a two-element array.
        if unsafe { libc::futimens(fd, self.times.as_ptr()) } != 0 {
            return Err(SysError::last("futimens", shown));
        }
        Ok(())
    }

    /// On `name` in `parent` without following it (symlinks, devices, fifos).
    /// `chmod` is skipped for symlinks (their mode means nothing on Linux).
    pub fn apply_at(&self, parent: RawFd, name: &CStr, chmod: bool, shown: &str) -> Result<()> {
        // SAFETY: valid fd and C string.
        if unsafe {
            libc::fchownat(
                parent,
                name.as_ptr(),
                self.uid,
                self.gid,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        } != 0
        {
            return Err(SysError::last("fchownat", shown));
        }
        // fchmodat follows a final symlink, but `name` is the device or fifo we
        // made an instant ago in a directory fd nobody else writes to.
        if chmod && unsafe { libc::fchmodat(parent, name.as_ptr(), self.mode, 0) } != 0 {
            return Err(SysError::last("fchmodat", shown));
        }
        if unsafe {
            libc::utimensat(
                parent,
                name.as_ptr(),
                self.times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        } != 0
        {
            return Err(SysError::last("utimensat", shown));
        }
        Ok(())
    }
}

/// A PAX time: `seconds[.fraction]`, possibly negative.
/// A PAX `size` (any u64), `uid` or `gid` (a u32) record: plain decimal digits.
fn pax_number(value: &[u8], key: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match key {
        b"size" => text.parse::<u64>().is_ok(),
        _ => text.parse::<u32>().is_ok(),
    }
}

fn pax_time(value: &[u8]) -> Option<libc::timespec> {
    let s = std::str::from_utf8(value).ok()?;
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let tv_sec: i64 = secs.parse().ok()?;
    let digits: String = frac.chars().take(9).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let tv_nsec: i64 = if digits.is_empty() {
        0
    } else {
        format!("{digits:0<9}").parse().ok()?
    };
    // A negative time with a fraction means "secs - fraction"; keep it simple
    // and drop the fraction there (pre-1970 files are vanishingly rare).
    let tv_nsec = if tv_sec < 0 || secs.starts_with('-') {
        0
    } else {
        tv_nsec
    };
    Some(libc::timespec {
        tv_sec: tv_sec as libc::time_t,
        tv_nsec: tv_nsec as _,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_numbers_are_plain_decimals() {
        assert!(pax_number(b"0", b"size") && pax_number(b"18446744073709551615", b"size"));
        assert!(
            !pax_number(b"-5", b"size")
                && !pax_number(b"", b"size")
                && !pax_number(b"1e3", b"size")
        );
        assert!(pax_number(b"4294967295", b"uid") && !pax_number(b"4294967296", b"gid"));
    }

    #[test]
    fn pax_time_parses_fractions() {
        let t = pax_time(b"1700000000.5").unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (1700000000, 500_000_000));
        let t = pax_time(b"12").unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (12, 0));
        assert!(pax_time(b"x").is_none());
    }

    #[test]
    fn only_user_and_capability_xattrs_pass() {
        assert!(xattr_allowed(b"user.foo"));
        assert!(xattr_allowed(b"security.capability"));
        assert!(!xattr_allowed(b"trusted.overlay.opaque"));
        assert!(!xattr_allowed(b"security.selinux"));
    }
}
