//! Block I/O: the weight and per-device throttles (`--blkio-weight`,
//! `--device-read-bps` and friends), and the bytes read and written for
//! stats: v1 `blkio` (the throttle file counts I/O even under the default
//! cfq/bfq-less schedulers; the `io_service_bytes` one is the fallback) and
//! v2 `io.stat`.
//!
//! The weight goes to `blkio.weight` (CFQ) or `blkio.bfq.weight` (BFQ, where
//! it appears below the root only), on v2 to `io.bfq.weight` or `io.weight`
//! (runc's conversion of 10-1000 to 1-10000); throttles are one
//! `MAJ:MIN RATE` line each in v1's `blkio.throttle.*_device`, or
//! `MAJ:MIN rbps=N` in v2's `io.max`.
use std::path::Path;

use super::fsutil::write_file;
use crate::error::Result;
use crate::oci::{BlockIo, ThrottleDevice};

/// What one hierarchy handled: `blkio weight`, `blkio throttle`.
pub type Covered = Vec<&'static str>;

pub fn apply_v1(dir: &Path, b: &BlockIo) -> Result<Covered> {
    let mut done = Vec::new();
    if let Some(w) = b.weight {
        for f in ["blkio.weight", "blkio.bfq.weight"] {
            let p = dir.join(f);
            if p.exists() {
                write_file(&p, &w.to_string())?;
                done.push("blkio weight");
                break;
            }
        }
    }
    if b.throttles() && dir.join("blkio.throttle.read_bps_device").exists() {
        for (f, list) in [
            (
                "blkio.throttle.read_bps_device",
                &b.throttle_read_bps_device,
            ),
            (
                "blkio.throttle.write_bps_device",
                &b.throttle_write_bps_device,
            ),
            (
                "blkio.throttle.read_iops_device",
                &b.throttle_read_iops_device,
            ),
            (
                "blkio.throttle.write_iops_device",
                &b.throttle_write_iops_device,
            ),
        ] {
            // One device per write: the kernel parses a single line.
            for d in list {
                write_file(&dir.join(f), &format!("{}:{} {}", d.major, d.minor, d.rate))?;
            }
        }
        done.push("blkio throttle");
    }
    Ok(done)
}

/// runc's mapping of a v1 weight (10-1000) onto v2's `io.weight` (1-10000).
pub fn v2_io_weight(w: u16) -> u64 {
    1 + (u64::from(w.max(10)) - 10) * 9999 / 990
}

pub fn apply_v2(dir: &Path, b: &BlockIo) -> Result<Covered> {
    let mut done = Vec::new();
    if let Some(w) = b.weight {
        let bfq = dir.join("io.bfq.weight");
        let plain = dir.join("io.weight");
        if bfq.exists() {
            write_file(&bfq, &w.to_string())?;
            done.push("blkio weight");
        } else if plain.exists() {
            write_file(&plain, &format!("default {}", v2_io_weight(w)))?;
            done.push("blkio weight");
        }
    }
    if b.throttles() && dir.join("io.max").exists() {
        for (key, list) in [
            ("rbps", &b.throttle_read_bps_device),
            ("wbps", &b.throttle_write_bps_device),
            ("riops", &b.throttle_read_iops_device),
            ("wiops", &b.throttle_write_iops_device),
        ] {
            for d in list {
                write_file(&dir.join("io.max"), &io_max_line(d, key))?;
            }
        }
        done.push("blkio throttle");
    }
    Ok(done)
}

/// `MAJ:MIN rbps=N`; a rate of 0 lifts the limit (`max`), as in v1.
fn io_max_line(d: &ThrottleDevice, key: &str) -> String {
    let v = if d.rate == 0 {
        "max".to_string()
    } else {
        d.rate.to_string()
    };
    format!("{}:{} {key}={v}", d.major, d.minor)
}

/// (read bytes, written bytes).
pub type BlkBytes = (u64, u64);

/// Lines `MAJ:MIN Read N` / `MAJ:MIN Write N` (and `Total N`), summed over devices.
pub fn parse_v1(text: &str) -> BlkBytes {
    let mut out = (0, 0);
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() != 3 {
            continue;
        }
        let n: u64 = f[2].parse().unwrap_or(0);
        match f[1] {
            "Read" => out.0 += n,
            "Write" => out.1 += n,
            _ => {}
        }
    }
    out
}

/// Lines `MAJ:MIN rbytes=N wbytes=N rios=N ...`, summed over devices.
pub fn parse_v2(text: &str) -> BlkBytes {
    let mut out = (0, 0);
    for l in text.lines() {
        for kv in l.split_whitespace().skip(1) {
            if let Some(v) = kv.strip_prefix("rbytes=") {
                out.0 += v.parse::<u64>().unwrap_or(0);
            } else if let Some(v) = kv.strip_prefix("wbytes=") {
                out.1 += v.parse::<u64>().unwrap_or(0);
            }
        }
    }
    out
}

pub fn stats_v1(dir: &Path) -> Option<BlkBytes> {
    for f in [
        "blkio.throttle.io_service_bytes_recursive",
        "blkio.throttle.io_service_bytes",
        "blkio.io_service_bytes_recursive",
    ] {
        if let Ok(t) = std::fs::read_to_string(dir.join(f)) {
            return Some(parse_v1(&t));
        }
    }
    None
}

pub fn stats_v2(dir: &Path) -> Option<BlkBytes> {
    std::fs::read_to_string(dir.join("io.stat"))
        .ok()
        .map(|t| parse_v2(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_formats() {
        let v1 = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\n8:16 Read 1\nTotal 12289\n";
        assert_eq!(parse_v1(v1), (4097, 8192));
        let v2 =
            "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2\n";
        assert_eq!(parse_v2(v2), (101, 202));
    }

    fn dev(major: i64, minor: i64, rate: u64) -> ThrottleDevice {
        ThrottleDevice { major, minor, rate }
    }

    #[test]
    fn v1_weight_goes_to_bfq_when_cfq_is_absent_and_throttles_one_line_each() {
        let t = tempfile::tempdir().unwrap();
        for f in ["blkio.bfq.weight", "blkio.throttle.read_bps_device"] {
            std::fs::write(t.path().join(f), "").unwrap();
        }
        let b = BlockIo {
            weight: Some(300),
            throttle_read_bps_device: vec![dev(254, 0, 1 << 20)],
            throttle_write_iops_device: vec![dev(8, 16, 50)],
            ..Default::default()
        };
        assert_eq!(
            apply_v1(t.path(), &b).unwrap(),
            vec!["blkio weight", "blkio throttle"]
        );
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("blkio.bfq.weight"), "300");
        assert_eq!(rd("blkio.throttle.read_bps_device"), "254:0 1048576");
        assert_eq!(rd("blkio.throttle.write_iops_device"), "8:16 50");
        // No weight file at all: not covered, nothing written.
        let bare = tempfile::tempdir().unwrap();
        assert!(apply_v1(
            bare.path(),
            &BlockIo {
                weight: Some(10),
                ..Default::default()
            }
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn v2_weight_scale_and_io_max() {
        assert_eq!(v2_io_weight(10), 1);
        assert_eq!(v2_io_weight(1000), 10000);
        assert_eq!(v2_io_weight(500), 4950);
        let t = tempfile::tempdir().unwrap();
        for f in ["io.weight", "io.max"] {
            std::fs::write(t.path().join(f), "").unwrap();
        }
        let b = BlockIo {
            weight: Some(1000),
            throttle_read_bps_device: vec![dev(8, 0, 0)],
            ..Default::default()
        };
        assert_eq!(
            apply_v2(t.path(), &b).unwrap(),
            vec!["blkio weight", "blkio throttle"]
        );
        let rd = |f: &str| std::fs::read_to_string(t.path().join(f)).unwrap();
        assert_eq!(rd("io.weight"), "default 10000");
        assert_eq!(rd("io.max"), "8:0 rbps=max");
    }
}
