//! Wall-clock timestamps in Docker's fixed RFC 3339 nano format
//! (`2026-11-28T04:07:10.123456789Z`, always 9 digits, UTC), hand-rolled to
//! stay dependency-free.

/// Seconds and nanoseconds since the epoch (CLOCK_REALTIME).
pub fn now() -> (i64, u32) {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    (ts.tv_sec, ts.tv_nsec as u32)
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Format as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub fn rfc3339_nano(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The current time, formatted.
pub fn now_rfc3339() -> String {
    let (s, n) = now();
    rfc3339_nano(s, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_nano(0, 0), "1970-01-01T00:00:00.000000000Z");
        // 2000-02-29 (leap day) 12:34:56
        assert_eq!(
            rfc3339_nano(951_827_696, 5),
            "2000-02-29T12:34:56.000000005Z"
        );
        // date -u -d @1795838830 → 2026-11-28T04:07:10Z
        assert_eq!(
            rfc3339_nano(1_795_838_830, 123_456_789),
            "2026-11-28T04:07:10.123456789Z"
        );
        assert_eq!(rfc3339_nano(-1, 0), "1969-12-31T23:59:59.000000000Z");
    }

    #[test]
    fn now_is_sane() {
        let s = now_rfc3339();
        assert_eq!(s.len(), 30);
        assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T');
    }
}
