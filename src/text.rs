//! Numbers and words for people, shared by every stage that writes text (reports, notes of the
//! reductions, graph labels, the session): one place, so they read the same everywhere.

use num_bigint::BigUint;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A big count for people: exact with separators up to 15 digits, else `≈ 1.23e45 (10^45.09)`.
pub fn big_count(n: &BigUint) -> String {
    let digits = n.to_string();
    if digits.len() <= 15 {
        return thousands(digits.parse().unwrap_or(0));
    }
    let lead: f64 = digits[..6].parse::<f64>().unwrap_or(0.0) / 1e5;
    let exp = digits.len() - 1;
    format!("≈ {lead:.2}e{exp} (10^{:.2})", exp as f64 + lead.log10())
}

/// `n` and `word`, pluralised with an `s` unless `n` is 1: `1 step`, `1,024 steps`.
pub fn plural(n: u64, word: &str) -> String {
    format!("{} {word}{}", thousands(n), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_separators_and_plurals() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "step"), "1 step");
        assert_eq!(plural(2_000, "step"), "2,000 steps");
        assert_eq!(big_count(&BigUint::from(123_456u32)), "123,456");
        assert_eq!(big_count(&(BigUint::from(10u32).pow(20) * 3u32)), "≈ 3.00e20 (10^20.48)");
    }
}
