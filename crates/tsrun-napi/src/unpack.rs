//! `unpackLayer(tarPath, dest, opts): Promise<{ entries, bytes }>`.
use std::path::PathBuf;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use tsrun_sys::error::SysError;
use tsrun_sys::unpack::{unpack_layer as unpack, Compression, Options, Stats, Whiteouts};

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
