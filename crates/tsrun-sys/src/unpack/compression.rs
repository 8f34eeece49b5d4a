//! Opening a layer blob as a plain tar stream: gzip, zstd or none, given or
//! sniffed from the magic bytes (`auto`). Registries serve all three media
//! types (`tar`, `tar+gzip`, `tar+zstd`), and a layer's media type is not
//! always trustworthy, so `auto` is the default.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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
    let mut reader = BufReader::with_capacity(128 * 1024, file);
    let kind = match compression {
        Compression::Auto => {
            sniff(&mut reader).map_err(|e| SysError::from_io(&e, "read", shown.clone()))?
        }
        given => given,
    };
    Ok(match kind {
        // Multi-member gzip (concatenated streams) is valid gzip; read them all.
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(reader)
                .map_err(|e| SysError::from_io(&e, "zstd", shown.clone()))?,
        ),
        Compression::None | Compression::Auto => Box::new(reader),
    })
}

/// Peeks at the first bytes without consuming them.
fn sniff(reader: &mut BufReader<File>) -> std::io::Result<Compression> {
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    })
}
