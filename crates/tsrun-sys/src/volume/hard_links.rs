//! Hard links kept as hard links by a copy (volume copy-up, `tsrun cp`), as
//! tar and Docker keep them: the first name of a multiply-linked file is
//! copied, the later ones are linked to that copy.
use std::collections::HashMap;
use std::ffi::CStr;
use std::os::fd::{AsRawFd, OwnedFd};

use super::copy::{open_at, Target};

/// At most this many first copies are remembered: each holds an O_PATH fd,
/// so a quarter of the open-file limit (at least 256), the rest left to the
/// walk and the process. Past it, further links are copied as separate files.
/// (Node raises its soft limit to the hard one; `tsrun-shim cp` does too.)
fn remembered() -> usize {
    static CAP: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        // SAFETY: a zeroed rlimit is a valid out-buffer.
        let mut rl: libc::rlimit = unsafe { std::mem::zeroed() };
        let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) } == 0 {
            rl.rlim_cur as usize
        } else {
            0
        };
        (soft / 4).max(256)
    })
}

/// The first copy of each multiply-linked source file, by (device, inode).
#[derive(Debug, Default)]
pub struct HardLinks {
    copies: HashMap<(u64, u64), OwnedFd>,
}

impl HardLinks {
    /// Link `to` to the copy already made of the source `st`, if there is
    /// one. False: copy it (first name, or the link could not be made).
    pub fn link_existing(&self, st: &libc::stat, to: &Target) -> bool {
        let Some(first) = self.copies.get(&(st.st_dev, st.st_ino)) else {
            return false;
        };
        // SAFETY: an O_PATH fd we hold, an empty path, a directory fd and a C string.
        unsafe {
            libc::linkat(
                first.as_raw_fd(),
                c"".as_ptr(),
                to.dir,
                to.name.as_ptr(),
                libc::AT_EMPTY_PATH,
            ) == 0
        }
    }

    /// Remember the copy just made at `to` of the source `st`, when the
    /// source has other names still to come.
    pub fn remember(&mut self, st: &libc::stat, to_dir: i32, to_name: &CStr) {
        if st.st_nlink < 2 || self.copies.len() >= remembered() {
            return;
        }
        if let Ok(fd) = open_at(to_dir, to_name, libc::O_PATH | libc::O_NOFOLLOW, 0) {
            self.copies.insert((st.st_dev, st.st_ino), fd);
        }
    }
}
