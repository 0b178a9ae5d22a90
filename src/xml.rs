//! XML text escaping, shared by the SVG timeline and the GraphML export.

use std::fmt::Write;

/// `s` escaped for XML text and attribute values; characters XML 1.0 does not allow are
/// written as `\xNN`, and a carriage return as a character reference (so it survives parsing).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_carriage_returns_and_forbidden_characters() {
        assert_eq!(super::escape("<a & 'b'>\"\r\u{1}"), "&lt;a &amp; &apos;b&apos;&gt;&quot;&#13;\\x01");
    }
}
