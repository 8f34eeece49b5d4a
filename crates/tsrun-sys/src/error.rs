//! One error type for every primitive: the errno, the syscall (or step) that
//! failed, and the path or value it failed on. Messages are lower case and
//! read like Node's own system errors: `mkdirat /x/etc: permission denied`.
use std::fmt;

/// An error a person can act on: what was being done, on what, and why it failed.
#[derive(Debug, Clone)]
pub struct SysError {
    /// errno value (0 when the failure is not a system call, e.g. bad input).
    pub errno: i32,
    /// The syscall or step, e.g. `mount`, `pivot_root`, `layer`.
    pub op: String,
    /// The path or value the step was working on (may be empty).
    pub subject: String,
    /// Free text replacing the strerror part, for input errors.
    pub detail: Option<String>,
}

pub type Result<T> = std::result::Result<T, SysError>;

impl SysError {
    /// From the errno a failed syscall left behind.
    pub fn last(op: &str, subject: impl Into<String>) -> Self {
        Self::from_errno(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            op,
            subject,
        )
    }

    pub fn from_errno(errno: i32, op: &str, subject: impl Into<String>) -> Self {
        SysError {
            errno,
            op: op.to_string(),
            subject: subject.into(),
            detail: None,
        }
    }

    /// Bad input (EINVAL) with a message of our own.
    pub fn invalid(op: &str, subject: impl Into<String>, detail: impl Into<String>) -> Self {
        SysError {
            errno: libc::EINVAL,
            op: op.to_string(),
            subject: subject.into(),
            detail: Some(detail.into()),
        }
    }

    pub fn from_io(err: &std::io::Error, op: &str, subject: impl Into<String>) -> Self {
        match err.raw_os_error() {
            Some(errno) => Self::from_errno(errno, op, subject),
            None => Self::invalid(op, subject, err.to_string()),
        }
    }

    pub fn from_nix(err: nix::Error, op: &str, subject: impl Into<String>) -> Self {
        Self::from_errno(err as i32, op, subject)
    }

    /// The errno's symbolic name (`ENOENT`), used as `err.code` across napi.
    pub fn code(&self) -> &'static str {
        errno_name(self.errno)
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match &self.detail {
            Some(d) => d.clone(),
            None => strerror_lower(self.errno),
        };
        if self.subject.is_empty() {
            write!(f, "{}: {}", self.op, why)
        } else {
            write!(f, "{} {}: {}", self.op, self.subject, why)
        }
    }
}

impl std::error::Error for SysError {}

fn strerror_lower(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    // std renders "No such file or directory (os error 2)"; keep the words only.
    let words = s.split(" (os error").next().unwrap_or(&s);
    words.to_lowercase()
}

/// Symbolic errno names for the values we expect to meet.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::ENOEXEC => "ENOEXEC",
        libc::EBADF => "EBADF",
        libc::ECHILD => "ECHILD",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ENOTTY => "ENOTTY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::EROFS => "EROFS",
        libc::EMLINK => "EMLINK",
        libc::EPIPE => "EPIPE",
        libc::ERANGE => "ERANGE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ELOOP => "ELOOP",
        libc::ENODATA => "ENODATA",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        0 => "EINVAL",
        _ => "EUNKNOWN",
    }
}
