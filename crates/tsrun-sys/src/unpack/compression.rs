//! Opening a layer blob as a plain tar stream: gzip, zstd or none, given or
//! sniffed from the magic bytes (`auto`). Registries serve all three media
//! types (`tar`, `tar+gzip`, `tar+zstd`), and a layer's media type is not
//! always trustworthy, so `auto` is the default.
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Result, SysError};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// How the layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    Auto,
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// From the contract's names: `auto`, `none`, `gzip`, `zstd`.
    pub fn parse(name: &str) -> Result<Compression> {
        match name {
            "auto" => Ok(Compression::Auto),
            "none" => Ok(Compression::None),
            "gzip" => Ok(Compression::Gzip),
            "zstd" => Ok(Compression::Zstd),
            other => Err(SysError::invalid(
                "compression",
                other,
                "expected auto, none, gzip or zstd",
            )),
        }
    }
}

/// Opens `path` and returns a reader of the decompressed tar bytes.
pub fn open(path: &Path, compression: Compression) -> Result<Box<dyn Read + Send>> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| SysError::from_io(&e, "open", shown.clone()))?;
    decompress(file, compression, &shown)
}

/// A reader of the decompressed tar bytes of `input` (a file, or a pipe such
/// as `tsrun cp -`'s stdin), sniffing the compression when `Auto`.
pub fn decompress<R: Read + Send + 'static>(
    mut input: R,
    compression: Compression,
    shown: &str,
) -> Result<Box<dyn Read + Send>> {
    let (kind, head) = match compression {
        Compression::Auto => {
            let head = read_head(&mut input).map_err(|e| SysError::from_io(&e, "read", shown))?;
            (sniff(&head), head)
        }
        given => (given, Vec::new()),
    };
    // The sniffed bytes go back in front of the rest of the stream.
    let reader = BufReader::with_capacity(128 * 1024, std::io::Cursor::new(head).chain(input));
    Ok(match kind {
        // Multi-member gzip (concatenated streams) is valid gzip; read them all.
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(reader)
                .map_err(|e| SysError::from_io(&e, "zstd", shown))?,
        ),
        Compression::None | Compression::Auto => Box::new(reader),
    })
}

/// The first bytes (as many as the longest magic), however a pipe splits them.
fn read_head<R: Read>(input: &mut R) -> std::io::Result<Vec<u8>> {
    let mut head = vec![0u8; ZSTD_MAGIC.len()];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok(head)
}

fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
}
