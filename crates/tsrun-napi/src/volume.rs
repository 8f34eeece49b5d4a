//! Volume work for `volume:local`: `createVolumeDir`, `copyUp`, `diskUsage`.
//! Copying and walking run on the libuv thread pool, never the JS thread.
use std::path::{Path, PathBuf};

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use tsrun_sys::error::SysError;
use tsrun_sys::volume::{
    copy_up as sys_copy_up, create_data_dir, disk_usage as sys_disk_usage, CopyUpResult,
};

use crate::errors::{to_js, to_js_rejection, Result};

/// Create a volume's data directory (mode 0755, root-owned). EEXIST if it exists.
#[napi]
pub fn create_volume_dir(path: String) -> Result<()> {
    create_data_dir(Path::new(&path)).map_err(to_js)
}

#[napi(object)]
pub struct NativeCopyUpResult {
    /// False when nothing was copied: the volume was not empty, or the image
    /// has no directory at that path (or it is a symlink there).
    pub copied: bool,
    /// Inodes created.
    pub entries: i64,
    /// Bytes of file content written.
    pub bytes: i64,
}

pub struct CopyUpTask {
    layers: Vec<PathBuf>,
    subpath: String,
    dest: PathBuf,
}

impl Task for CopyUpTask {
    type Output = std::result::Result<CopyUpResult, SysError>;
    type JsValue = NativeCopyUpResult;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let layers: Vec<&Path> = self.layers.iter().map(|p| p.as_path()).collect();
        Ok(sys_copy_up(&layers, &self.subpath, &self.dest))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(r) => Ok(NativeCopyUpResult {
                copied: r.copied,
                entries: r.stats.entries as i64,
                bytes: r.stats.bytes as i64,
            }),
            Err(err) => Err(to_js_rejection(env, err)),
        }
    }
}

/// Copy what the image holds at `subpath` (the merged view of `layers`, top
/// first, overlay whiteouts honoured) into `dest` when `dest` is an empty
/// directory, keeping ownership, modes, xattrs and symlinks; `dest` takes the
/// owner and mode of the image's directory. Never follows a symlink.
#[napi(ts_return_type = "Promise<NativeCopyUpResult>")]
pub fn copy_up(layers: Vec<String>, subpath: String, dest: String) -> AsyncTask<CopyUpTask> {
    AsyncTask::new(CopyUpTask {
        layers: layers.into_iter().map(PathBuf::from).collect(),
        subpath,
        dest: dest.into(),
    })
}

pub struct UsageTask {
    dir: PathBuf,
}

impl Task for UsageTask {
    type Output = std::result::Result<u64, SysError>;
    type JsValue = i64;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(sys_disk_usage(&self.dir))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output
            .map(|n| n as i64)
            .map_err(|err| to_js_rejection(env, err))
    }
}

/// Apparent bytes of the regular files under `dir` (each inode once, no
/// symlink followed, no other filesystem entered).
#[napi(ts_return_type = "Promise<number>")]
pub fn disk_usage(dir: String) -> AsyncTask<UsageTask> {
    AsyncTask::new(UsageTask { dir: dir.into() })
}
