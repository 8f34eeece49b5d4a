//! Block I/O bytes read and written, for stats: v1 `blkio` (the throttle
//! file counts I/O even under the default cfq/bfq-less schedulers; the
//! `io_service_bytes` one is the fallback) and v2 `io.stat`.
use std::path::Path;

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
}
