//! Safe OCI layer extraction (contract: docs/runtime-contract.md, "Unpacking
//! rules"). Layers come from registries and are hostile input: nothing in an
//! archive may write outside dest, whatever its paths, symlinks or hard links.
//!
//! How (one purpose per submodule):
//! - `compression`: gzip / zstd / plain, sniffed from the magic bytes.
//! - `digest`: the diff_id (sha256 of the uncompressed tar), hashed while
//!   the unpack reads, so the caller can check it before using the layer.
//! - `secure_path`: every parent directory is opened with `openat2`
//!   `RESOLVE_IN_ROOT` from a dest fd, so `..` and symlinks stay inside dest.
//! - `entry`: files, dirs, symlinks, hard links, devices and fifos made with
//!   `*at()` calls on that parent fd, never following the last component.
//! - `metadata`: owner, mode (setuid included), times, xattrs.
//! - `whiteout`: overlay markers or deletions, per [`Whiteouts`].
//! - `remove`: recursive removal that never follows symlinks.
//!
//! The `tar` crate only parses headers; its `unpack()` is never used.
mod compression;
mod digest;
mod entry;
mod metadata;
mod remove;
mod secure_path;
mod stream;
mod whiteout;

use std::io::Read;
use std::path::Path;

use crate::error::{Result, SysError};

pub use compression::Compression;
pub use digest::{decompress_layer, layer_digest, TarDigest};
pub use stream::unpack_stream;

/// What a whiteout entry becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whiteouts {
    /// Overlay markers, for a layer directory used as an overlayfs lower/upper.
    Overlay,
    /// Deletions in dest, for a flattened rootfs built layer after layer.
    Apply,
    /// None: `.wh.` names are ordinary files (a `tsrun cp` tar is not a layer).
    Literal,
}

impl Whiteouts {
    /// From the contract's names: `overlay`, `apply`.
    pub fn parse(name: &str) -> Result<Whiteouts> {
        match name {
            "overlay" => Ok(Whiteouts::Overlay),
            "apply" => Ok(Whiteouts::Apply),
            other => Err(SysError::invalid(
                "whiteouts",
                other,
                "expected overlay or apply",
            )),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub whiteouts: Whiteouts,
    pub compression: Compression,
}

/// What an unpack did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Archive entries handled (whiteouts included; PAX global headers not).
    pub entries: u64,
    /// Bytes of regular-file content written.
    pub bytes: u64,
    /// sha256 and length of the whole uncompressed tar stream: the diff_id.
    pub digest: TarDigest,
}

/// Unpacks the layer at `tar_path` into `dest` (created if missing), and
/// answers the diff_id it read (in `Stats::digest`).
///
/// A failure leaves dest half-written but never touches anything outside it;
/// the caller unpacks into a temporary directory, checks the digest, and
/// renames it when both are good.
/// An input whose first header does not parse fails with `EINVAL` and
/// `layer TAR_PATH: not a tar archive`; an empty input is an empty layer
/// (as Go's archive/tar, and so Docker, read it).
pub fn unpack_layer(tar_path: &Path, dest: &Path, opts: &Options) -> Result<Stats> {
    let reader = digest::HashingReader::new(compression::open(tar_path, opts.compression)?);
    let root = secure_path::Root::open(dest)?;
    let mut unpacker = entry::Unpacker::new(root, opts.whiteouts);
    let shown = tar_path.display().to_string();
    let mut archive = tar::Archive::new(reader);
    unpack_entries(&mut archive, &mut unpacker, &shown, "layer")?;
    let digest = archive
        .into_inner()
        .finish()
        .map_err(|e| digest::read_error(&e, &shown))?;
    Ok(Stats {
        digest,
        ..unpacker.stats
    })
}

/// Feeds every entry of `archive` to `unpacker`, then sets directory times.
/// `what` names the input in messages (`layer`, `cp`).
pub(crate) fn unpack_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    unpacker: &mut entry::Unpacker,
    shown: &str,
    what: &str,
) -> Result<()> {
    let not_tar = || SysError::invalid(what, shown, "not a tar archive");
    let entries = archive.entries().map_err(|_| not_tar())?;
    let mut first = true;
    for entry in entries {
        let mut entry = entry.map_err(|e| match (first, e.raw_os_error()) {
            (_, Some(errno)) => SysError::from_errno(errno, "read", shown),
            (true, None) => not_tar(),
            (false, None) => SysError::invalid(what, shown, format!("corrupt tar archive: {e}")),
        })?;
        first = false;
        unpacker.entry(&mut entry)?;
    }
    unpacker.finish()
}
