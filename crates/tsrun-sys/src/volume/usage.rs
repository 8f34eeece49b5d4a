//! Bytes under a directory, as `du --apparent-size` counts them: regular file
//! sizes, each inode once (hard links), symlinks not followed, other
//! filesystems not entered (a mount inside a volume is not the volume's).
use std::collections::HashSet;
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::Result;

use super::copy::{fstat, lstat_at, open_at, open_dir, read_names};

/// Total apparent size of the regular files under `dir`.
pub fn disk_usage(dir: &Path) -> Result<u64> {
    let shown = dir.display().to_string();
    let fd = open_dir(dir)?;
    let dev = fstat(fd.as_raw_fd(), &shown)?.st_dev;
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut stack = vec![(fd, shown)];
    while let Some((d, shown)) = stack.pop() {
        for name in read_names(d.as_raw_fd(), &shown)? {
            let Ok(st) = lstat_at(d.as_raw_fd(), &name) else {
                continue;
            };
            match st.st_mode & libc::S_IFMT {
                libc::S_IFREG => {
                    if st.st_nlink <= 1 || seen.insert((st.st_dev, st.st_ino)) {
                        total += st.st_size as u64;
                    }
                }
                libc::S_IFDIR if st.st_dev == dev => {
                    if let Ok(sub) =
                        open_at(d.as_raw_fd(), &name, libc::O_RDONLY | libc::O_DIRECTORY, 0)
                    {
                        stack.push((sub, format!("{shown}/{}", name.to_string_lossy())));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_files_once() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("a/b")).unwrap();
        std::fs::write(t.path().join("a/b/f"), vec![0u8; 1000]).unwrap();
        std::fs::hard_link(t.path().join("a/b/f"), t.path().join("a/h")).unwrap();
        std::fs::write(t.path().join("g"), b"12345").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", t.path().join("l")).unwrap();
        assert_eq!(disk_usage(t.path()).unwrap(), 1005);
    }
}
