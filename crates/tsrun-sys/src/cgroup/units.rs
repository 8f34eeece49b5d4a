//! Value conversions between the OCI runtime spec and the cgroup files, kept
//! pure so they are unit-tested without a cgroup tree: shares ↔ weight (v1's
//! `cpu.shares` 2..262144 vs v2's `cpu.weight` 1..10000), `cpu.max`, v2's
//! swap-only limit from OCI's memory+swap total, and reading `max` / v1's
//! "unlimited" sentinel as no limit.

/// v1 reports "no limit" as the largest page-aligned i64 (or more).
const V1_UNLIMITED: u64 = 0x7FFF_FFFF_FFFF_F000;

/// OCI cpu.shares (2..262144) to cgroup v2 cpu.weight (1..10000), as runc and
/// crun do, so the default 1024 maps to 39 on both.
pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 0;
    }
    1 + ((shares.clamp(2, 262_144) - 2) * 9999) / 262_142
}

/// The inverse of [`shares_to_weight`] (rounded), for showing a v2 weight as shares.
pub fn weight_to_shares(weight: u64) -> u64 {
    if weight == 0 {
        return 0;
    }
    2 + ((weight.clamp(1, 10_000) - 1) * 262_142 + 9999 / 2) / 9999
}

/// The `cpu.max` line for a quota/period (`max` when the quota is unset or negative).
pub fn cpu_max(quota: Option<i64>, period: Option<u64>) -> String {
    let period = period.unwrap_or(100_000);
    match quota {
        Some(q) if q > 0 => format!("{q} {period}"),
        _ => format!("max {period}"),
    }
}

/// `memory.swap.max` from OCI's `memory.swap`, which (like v1's
/// `memsw.limit_in_bytes`) counts memory plus swap: the swap alone is the
/// difference. -1 (or no memory limit) is `max`.
pub fn v2_swap_max(limit: Option<i64>, swap: i64) -> String {
    match limit {
        Some(l) if l > 0 && swap > 0 => (swap - l).max(0).to_string(),
        _ => "max".to_string(),
    }
}

/// A limit file's value: `max`, `-1`, v1's huge sentinel and garbage are no limit.
pub fn parse_limit(text: &str) -> Option<u64> {
    let t = text.trim();
    if t == "max" || t == "-1" {
        return None;
    }
    t.parse::<u64>().ok().filter(|v| *v < V1_UNLIMITED)
}

/// A pids/memory limit value for a file: `max` for unlimited (<= 0).
pub fn limit_value(v: i64) -> String {
    if v > 0 {
        v.to_string()
    } else {
        "max".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_weight_round_trip() {
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(262_144), 10_000);
        assert_eq!(shares_to_weight(1), 1, "below the range clamps");
        assert_eq!(shares_to_weight(0), 0, "unset stays unset");
        assert_eq!(weight_to_shares(1), 2);
        assert_eq!(weight_to_shares(10_000), 262_144);
        // 1024 → 39 → close to 1024 again (weight is coarser than shares)
        let back = weight_to_shares(shares_to_weight(1024));
        assert!((990..=1050).contains(&back), "{back}");
    }

    #[test]
    fn cpu_max_lines() {
        assert_eq!(cpu_max(Some(50_000), None), "50000 100000");
        assert_eq!(cpu_max(Some(150_000), Some(100_000)), "150000 100000");
        assert_eq!(cpu_max(Some(-1), Some(20_000)), "max 20000");
        assert_eq!(cpu_max(None, None), "max 100000");
    }

    #[test]
    fn swap_is_the_part_above_memory() {
        assert_eq!(
            v2_swap_max(Some(64 << 20), 128 << 20),
            (64u64 << 20).to_string()
        );
        assert_eq!(v2_swap_max(Some(64 << 20), 64 << 20), "0");
        assert_eq!(v2_swap_max(Some(64 << 20), -1), "max");
        assert_eq!(v2_swap_max(None, 128 << 20), "max");
    }

    #[test]
    fn limits_read_back() {
        assert_eq!(parse_limit("max\n"), None);
        assert_eq!(parse_limit("9223372036854771712"), None);
        assert_eq!(parse_limit("67108864\n"), Some(67_108_864));
        assert_eq!(parse_limit("-1"), None);
        assert_eq!(limit_value(50), "50");
        assert_eq!(limit_value(0), "max");
        assert_eq!(limit_value(-1), "max");
    }
}
