//! napi-rs link set-up (undefined napi symbols resolved by Node at load time).
fn main() {
    napi_build::setup();
}
