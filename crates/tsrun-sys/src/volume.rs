//! Volume and copy work for the engine: the `volume:local` driver's data
//! directories, copy-up of image content into a new volume, disk usage, and
//! `tsrun cp` into and out of a container's root.
//!
//! One copier (`copy`) serves all of them. It walks its source with `*at()`
//! calls on directory fds and never follows a symlink: a symlink is copied as
//! a symlink, so nothing outside the source is ever read, and nothing outside
//! the destination is ever written. Where the source or destination is a
//! container's root, its paths are first resolved with openat2
//! `RESOLVE_IN_ROOT` (`mount::open_in_root`), so `..` and absolute symlinks
//! stay inside that root.
//!
//! - `copy`: the tree copier (layers with overlay whiteouts, ownership, modes,
//!   xattrs, times, devices, fifos, symlinks).
//! - `copy_up`: a volume's first content, from the image layers at a path.
//! - `cp`: `tsrun cp` path rules (Docker's), on a container root fd.
//! - `cp_tar`: `tsrun cp` with a tar stream (`-`) on the host side.
//! - `changes`: a container's changes against its image (`diff`, `commit`).
//! - `usage`: bytes under a directory, for `volume ls`/`system df`.
mod changes;
mod copy;
mod copy_up;
mod cp;
mod cp_tar;
mod hard_links;
mod usage;

pub use changes::{overlay_changes, overlay_layer, tree_changes, tree_layer, Change, ChangeKind};
pub use copy::{CopyOpts, CopyStats, Owner};
pub use copy_up::{copy_up, create_data_dir, CopyUpResult};
pub use cp::{copy_in, copy_out};
pub use cp_tar::{tar_in, tar_out};
pub use usage::disk_usage;
