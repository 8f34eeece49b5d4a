//! `unpackLayer(tarPath, dest, opts): Promise<{ entries, bytes, diffId, size }>`
//! and `layerDiffId(tarPath): Promise<{ diffId, size }>`.
use std::path::PathBuf;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use tsrun_sys::error::SysError;
use tsrun_sys::unpack::{
    decompress_layer as decompress, layer_digest, unpack_layer as unpack, Compression, Options,
    Stats, TarDigest, Whiteouts,
};

use crate::errors::to_js_rejection;

#[napi(object)]
pub struct NativeUnpackOptions {
    /// 'overlay': whiteouts become overlay whiteouts (char 0/0, opaque xattr);
    /// 'apply': whiteouts delete the path in dest (a flattened rootfs).
    #[napi(ts_type = "'overlay' | 'apply'")]
    pub whiteouts: String,
    /// Defaults to 'auto' (sniffs gzip / zstd magic, else plain tar).
    #[napi(ts_type = "'auto' | 'none' | 'gzip' | 'zstd'")]
    pub compression: Option<String>,
}

#[napi(object)]
pub struct NativeUnpackResult {
    /// Archive entries handled (whiteouts included).
    pub entries: i64,
    /// Bytes of regular-file content written.
    pub bytes: i64,
    /// `sha256:...` of the whole uncompressed tar stream (the layer's
    /// diff_id), hashed while unpacking; the caller compares it with the one
    /// the image config names before using dest.
    pub diff_id: String,
    /// Bytes of the uncompressed tar stream.
    pub size: i64,
}

/// The unpack, run on a libuv worker thread.
pub struct UnpackTask {
    tar_path: PathBuf,
    dest: PathBuf,
    whiteouts: String,
    compression: Option<String>,
}

impl UnpackTask {
    fn run(&self) -> Result<Stats, SysError> {
        let opts = Options {
            whiteouts: Whiteouts::parse(&self.whiteouts)?,
            compression: Compression::parse(self.compression.as_deref().unwrap_or("auto"))?,
        };
        unpack(&self.tar_path, &self.dest, &opts)
    }
}

impl Task for UnpackTask {
    // The SysError travels to `resolve`, on the JS thread, where the JS error
    // carrying our errno code can be built.
    type Output = Result<Stats, SysError>;
    type JsValue = NativeUnpackResult;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.run())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(stats) => Ok(NativeUnpackResult {
                entries: stats.entries as i64,
                bytes: stats.bytes as i64,
                diff_id: stats.digest.to_oci(),
                size: stats.digest.size as i64,
            }),
            Err(err) => Err(to_js_rejection(env, err)),
        }
    }
}

/// Unpack one layer tarball into dest (created if missing). Hostile input safe.
/// Bad options reject with EINVAL; the work runs off the JS thread.
#[napi(ts_return_type = "Promise<NativeUnpackResult>")]
pub fn unpack_layer(
    tar_path: String,
    dest: String,
    opts: NativeUnpackOptions,
) -> AsyncTask<UnpackTask> {
    AsyncTask::new(UnpackTask {
        tar_path: tar_path.into(),
        dest: dest.into(),
        whiteouts: opts.whiteouts,
        compression: opts.compression,
    })
}

#[napi(object)]
pub struct NativeLayerDigest {
    /// `sha256:...` of the whole uncompressed tar stream.
    pub diff_id: String,
    /// Bytes of the uncompressed tar stream.
    pub size: i64,
}

fn digest_to_js(env: Env, output: Result<TarDigest, SysError>) -> napi::Result<NativeLayerDigest> {
    match output {
        Ok(d) => Ok(NativeLayerDigest {
            diff_id: d.to_oci(),
            size: d.size as i64,
        }),
        Err(err) => Err(to_js_rejection(env, err)),
    }
}

/// Decompress-and-hash only, on a libuv worker thread.
pub struct DigestTask {
    tar_path: PathBuf,
    compression: Option<String>,
}

impl Task for DigestTask {
    type Output = Result<TarDigest, SysError>;
    type JsValue = NativeLayerDigest;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(
            Compression::parse(self.compression.as_deref().unwrap_or("auto"))
                .and_then(|c| layer_digest(&self.tar_path, c)),
        )
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        digest_to_js(env, output)
    }
}

/// The diff_id (and uncompressed size) of a layer blob, gzip, zstd or plain,
/// without unpacking it: for a layer whose directory exists already, or a
/// storage driver that unpacks only when a container is made.
/// `compression` defaults to 'auto'.
#[napi(ts_return_type = "Promise<NativeLayerDigest>")]
pub fn layer_diff_id(
    tar_path: String,
    #[napi(ts_arg_type = "'auto' | 'none' | 'gzip' | 'zstd'")] compression: Option<String>,
) -> AsyncTask<DigestTask> {
    AsyncTask::new(DigestTask {
        tar_path: tar_path.into(),
        compression,
    })
}

/// Decompress-to-a-file, on a libuv worker thread.
pub struct DecompressTask {
    blob_path: PathBuf,
    out_path: PathBuf,
}

impl Task for DecompressTask {
    type Output = Result<TarDigest, SysError>;
    type JsValue = NativeLayerDigest;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(decompress(
            &self.blob_path,
            Compression::Auto,
            &self.out_path,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        digest_to_js(env, output)
    }
}

/// Write the uncompressed tar of a layer blob (gzip, zstd or plain) to
/// `outPath`, a new file, and answer its diff_id and size.
#[napi(ts_return_type = "Promise<NativeLayerDigest>")]
pub fn decompress_layer(blob_path: String, out_path: String) -> AsyncTask<DecompressTask> {
    AsyncTask::new(DecompressTask {
        blob_path: blob_path.into(),
        out_path: out_path.into(),
    })
}
