//! What `tsrun stats` shows of a container's cgroup, gathered over every
//! hierarchy (the first that knows a figure wins: on a hybrid host the v1
//! controllers answer and the bare unified tree adds nothing). A figure no
//! hierarchy offers stays `None`, so the caller can print `--`.
use super::blkio::BlkBytes;
use super::memory::MemoryStats;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Total CPU time used, nanoseconds.
    pub cpu_usage_ns: Option<u64>,
    pub memory: Option<MemoryStats>,
    /// Processes (tasks) in the cgroup.
    pub pids: Option<u64>,
    /// Block I/O (read, written) bytes.
    pub blkio: Option<BlkBytes>,
}
