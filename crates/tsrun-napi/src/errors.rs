//! Crossing the boundary with an errno code, as Node's own system errors do.
use napi::bindgen_prelude::{JsError, Unknown};
use napi::Env;
use tsrun_sys::error::SysError;

/// What sync exports return: `Err` is thrown with `code` = the errno name.
/// (Named `Result` because `#[napi]` recognises fallible returns by that name.)
pub type Result<T> = napi::Result<T, String>;

/// A napi error whose JS `code` is the errno name and message the SysError's.
pub fn to_js(err: SysError) -> napi::Error<String> {
    napi::Error::new(err.code().to_string(), err.to_string())
}

/// The same error as a JS value, for an async task to reject with: an
/// `AsyncTask` can only fail with `napi::Error<Status>`, which would put the
/// napi status (`GenericFailure`) in `code`; wrapping a ready-made JS error
/// keeps our errno name.
pub fn to_js_rejection(env: Env, err: SysError) -> napi::Error {
    let value: Unknown = JsError::from(to_js(err)).into_unknown(env);
    napi::Error::from(value)
}
