//! Small text helpers shared by the widget, the report page and the cards (the app re-exports
//! them from `app::reports`). Numbers are written by hand: `format!` and `to_string` would
//! pull `core::fmt` into the bundle.

/// `s` cut to `max` characters, the last one an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The stylesheet class of a verdict (`v-safu`…), which sets the colour the report page and
/// the widget paint it in.
pub fn verdict_class(verdict: &str) -> &'static str {
    match verdict {
        "SAFU" => "v-safu",
        "DYOR" => "v-dyor",
        "RISKY" => "v-risky",
        "SCAM" => "v-scam",
        _ => "v-unknown",
    }
}

/// A flag's severity as a rank, worst highest.
pub fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The decimal digits of `n`.
pub fn num(n: u32) -> String {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| char::from(d)).collect()
}

/// `a` followed by `b`.
pub fn concat(a: &str, b: &str) -> String {
    let mut out = String::with_capacity(a.len() + b.len());
    out.push_str(a);
    out.push_str(b);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_cuts() {
        assert_eq!(num(0), "0");
        assert_eq!(num(7), "7");
        assert_eq!(num(100), "100");
        assert_eq!(num(u32::MAX), "4294967295");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("ééééé", 2), "é…");
        assert_eq!(concat("pill ", verdict_class("SCAM")), "pill v-scam");
        assert!(severity_rank("critical") > severity_rank("high") && severity_rank("x") == 0);
    }
}
