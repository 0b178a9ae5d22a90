//! `format(value, spec)` as f-strings apply it (FORMAT_VALUE): CPython's format-spec
//! mini-language `[[fill]align][sign][z][#][0][width][grouping][.precision][type]` for ints,
//! bools, floats and strs, with CPython's results and `ValueError`s.

use super::arith::OpResult;
use super::value::{ExcKind, Exception, Value};
use crate::pyfloat;
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

fn value_error(message: impl Into<String>) -> Exception {
    Exception::new(ExcKind::ValueError, message)
}

/// A parsed format spec.
#[derive(Debug, Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    no_neg_zero: bool,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse(spec: &str, type_name: &str) -> Result<Spec, Exception> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|c| is_align(*c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'z') {
        s.no_neg_zero = true;
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        s.zero = true;
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        let text: String = chars[start..*i].iter().collect();
        (!text.is_empty()).then(|| text.parse::<usize>().unwrap_or(usize::MAX))
    };
    if let Some(w) = digits(&mut i) {
        s.width = w;
    }
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        match digits(&mut i) {
            Some(p) => s.precision = Some(p),
            None => return Err(value_error("Format specifier missing precision")),
        }
    }
    match chars.len() - i {
        0 => {}
        1 => s.ty = Some(chars[i]),
        _ => return Err(value_error(format!("Invalid format specifier '{spec}' for object of type '{type_name}'"))),
    }
    if s.width > 1 << 20 || s.precision.is_some_and(|p| p > 1 << 16) {
        return Err(Exception::new(
            ExcKind::CheckerLimit,
            format!("the format spec '{spec}' asks for more than the checker's limit of characters"),
        ));
    }
    if s.zero && s.align.is_none() {
        s.fill = s.fill.or(Some('0'));
        s.align = Some('=');
    }
    Ok(s)
}

/// `format(v, spec)` for the values FORMAT_VALUE hands over (the conversion already applied;
/// heap objects already turned into strs when no spec was given).
pub fn format_value(v: &Value, spec: Option<&str>) -> OpResult {
    let spec = spec.unwrap_or("");
    if spec.is_empty() {
        return Ok(Value::Str(v.to_str().into()));
    }
    let text = match v {
        Value::Str(s) => format_str(s, &parse(spec, "str")?)?,
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => {
            format_int(&v.as_bigint().unwrap_or_default(), &parse(spec, "int")?)?
        }
        Value::Float(f) => format_float(f.0, &parse(spec, "float")?)?,
        other => {
            return Err(Exception::new(
                ExcKind::TypeError,
                format!("unsupported format string passed to {}.__format__", other.type_name()),
            ))
        }
    };
    super::arith::room(2 * text.len() as u64)?;
    Ok(Value::Str(text.into()))
}

/// One conversion of printf-style formatting (`%-08.3f`): its flags, width, precision and type.
#[derive(Debug, Default)]
pub(super) struct PrintfSpec {
    /// `-`: left-justify.
    pub left: bool,
    /// `+`: a sign for positive numbers too.
    pub plus: bool,
    /// ` `: a space before positive numbers.
    pub space: bool,
    /// `0`: pad numbers with zeros.
    pub zero: bool,
    /// `#`: the alternate form (`0x`, `0o` prefixes; a float keeps its point).
    pub alt: bool,
    /// The minimum width.
    pub width: usize,
    /// The precision.
    pub precision: Option<usize>,
    /// The conversion type (`s r a d i u f F e E g G x X o c`).
    pub ty: char,
}

/// The text of one printf-style conversion of `v` (for `%s`/`%r`, `v` is already the str).
pub(super) fn printf_spec(
    v: &Value,
    p: &PrintfSpec,
    type_name: impl Fn(&Value) -> String,
) -> Result<String, Exception> {
    let type_error = |m: String| Exception::new(ExcKind::TypeError, m);
    let numeric = Spec {
        fill: (p.zero && !p.left).then_some('0'),
        align: Some(if p.left {
            '<'
        } else if p.zero {
            '='
        } else {
            '>'
        }),
        sign: if p.plus {
            Some('+')
        } else if p.space {
            Some(' ')
        } else {
            None
        },
        alt: p.alt,
        width: p.width,
        ..Spec::default()
    };
    let text_spec = Spec { align: Some(if p.left { '<' } else { '>' }), width: p.width, ..Spec::default() };
    match p.ty {
        's' | 'r' | 'a' => {
            let s = v.to_str();
            format_str(&s, &Spec { precision: p.precision, ..text_spec })
        }
        'c' => match v {
            Value::Str(s) if s.chars().count() == 1 => format_str(s, &text_spec),
            Value::Int(_) | Value::Bool(_) | Value::Big(_) => {
                format_int(&v.as_bigint().unwrap_or_default(), &Spec { ty: Some('c'), ..text_spec })
            }
            other => Err(type_error(format!("%c requires int or char, not {}", type_name(other)))),
        },
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let int_only = matches!(p.ty, 'x' | 'X' | 'o');
            let x = match v {
                Value::Int(_) | Value::Bool(_) | Value::Big(_) => v.as_bigint().unwrap_or_default(),
                Value::Float(f) if !int_only => pyfloat::to_int(f.0).map_err(super::arith::float_error)?,
                other if int_only => {
                    return Err(type_error(format!(
                        "%{} format: an integer is required, not {}",
                        p.ty,
                        type_name(other)
                    )))
                }
                other => {
                    return Err(type_error(format!(
                        "%{} format: a real number is required, not {}",
                        p.ty,
                        type_name(other)
                    )))
                }
            };
            if p.precision.is_some() {
                return Err(Exception::new(
                    ExcKind::Unsupported,
                    format!("a precision with %{} in printf-style formatting", p.ty),
                ));
            }
            let ty = if int_only { p.ty } else { 'd' };
            format_int(&x, &Spec { ty: Some(ty), ..numeric })
        }
        _ => {
            let f = match v {
                Value::Float(f) => f.0,
                Value::Int(_) | Value::Bool(_) | Value::Big(_) => {
                    pyfloat::from_int(&v.as_bigint().unwrap_or_default()).map_err(super::arith::float_error)?
                }
                other => return Err(type_error(format!("must be real number, not {}", type_name(other)))),
            };
            format_float(f, &Spec { ty: Some(p.ty), precision: Some(p.precision.unwrap_or(6)), ..numeric })
        }
    }
}

fn format_str(s: &str, spec: &Spec) -> Result<String, Exception> {
    match spec.ty {
        None | Some('s') => {}
        Some(t) => return Err(value_error(format!("Unknown format code '{t}' for object of type 'str'"))),
    }
    if spec.sign.is_some() {
        return Err(value_error("Sign not allowed in string format specifier"));
    }
    if spec.alt {
        return Err(value_error("Alternate form (#) not allowed in string format specifier"));
    }
    if spec.align == Some('=') {
        return Err(value_error("'=' alignment not allowed in string format specifier"));
    }
    if let Some(g) = spec.grouping {
        return Err(value_error(format!("Cannot specify '{g}' with 's'.")));
    }
    let body: String = match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    Ok(pad("", "", &body, spec, '<'))
}

fn format_int(x: &BigInt, spec: &Spec) -> Result<String, Exception> {
    match spec.ty {
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => {
            let f = pyfloat::from_int(x).map_err(super::arith::float_error)?;
            return format_float(f, spec);
        }
        None | Some('d' | 'n' | 'b' | 'o' | 'x' | 'X' | 'c') => {}
        Some(t) => return Err(value_error(format!("Unknown format code '{t}' for object of type 'int'"))),
    }
    if spec.precision.is_some() {
        return Err(value_error("Precision not allowed in integer format specifier"));
    }
    let ty = spec.ty.unwrap_or('d');
    if let Some(g) = spec.grouping {
        let ok = match g {
            ',' => ty == 'd',
            _ => matches!(ty, 'd' | 'b' | 'o' | 'x' | 'X'),
        };
        if !ok {
            return Err(value_error(format!("Cannot specify '{g}' with '{ty}'.")));
        }
    }
    if ty == 'c' {
        if spec.sign.is_some() {
            return Err(value_error("Sign not allowed with integer format specifier 'c'"));
        }
        let ch = x
            .to_u32()
            .and_then(char::from_u32)
            .ok_or_else(|| Exception::new(ExcKind::OverflowError, "%c arg not in range(0x110000)"))?;
        return Ok(pad("", "", &ch.to_string(), spec, '>'));
    }
    let (radix, prefix) = match ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = x.magnitude().to_str_radix(radix);
    if ty == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = sign_text(x.sign() == Sign::Minus, spec);
    let prefix = if spec.alt { prefix } else { "" };
    let group_size = if radix == 10 { 3 } else { 4 };
    Ok(pad_number(sign, prefix, &digits, "", spec, group_size))
}

fn sign_text(negative: bool, spec: &Spec) -> &'static str {
    match (negative, spec.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

fn format_float(x: f64, spec: &Spec) -> Result<String, Exception> {
    let ty = match spec.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => spec.ty,
        Some(t) => return Err(value_error(format!("Unknown format code '{t}' for object of type 'float'"))),
    };
    let mut x = x;
    if spec.no_neg_zero && x == 0.0 {
        x = 0.0;
    }
    let negative = x.is_sign_negative() && !x.is_nan();
    let a = x.abs();
    let upper = matches!(ty, Some('E' | 'F' | 'G'));
    let body = if !a.is_finite() {
        let t = if a.is_nan() { "nan" } else { "inf" };
        let t = if upper { t.to_uppercase() } else { t.to_string() };
        if ty == Some('%') {
            format!("{t}%")
        } else {
            t
        }
    } else {
        match ty {
            Some('f' | 'F') => fixed(a, spec.precision.unwrap_or(6), spec.alt),
            Some('e' | 'E') => {
                let s = sci(a, spec.precision.unwrap_or(6), spec.alt);
                if upper {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            Some('%') => format!("{}%", fixed(a * 100.0, spec.precision.unwrap_or(6), spec.alt)),
            Some('g' | 'G' | 'n') => {
                let s = general(a, spec.precision.unwrap_or(6), spec.alt, false);
                if upper {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            _ => match spec.precision {
                None => pyfloat::repr(a),
                Some(p) => general(a, p, spec.alt, true),
            },
        }
    };
    let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => body.split_at(i),
        None => (body.as_str(), ""),
    };
    if !a.is_finite() {
        return Ok(pad_number(sign_text(negative, spec), "", "", &body, spec, 3));
    }
    Ok(pad_number(sign_text(negative, spec), "", int_part, rest, spec, 3))
}

/// Fixed notation with `p` decimals (correctly rounded, ties to even on the exact value).
fn fixed(a: f64, p: usize, alt: bool) -> String {
    let s = format!("{a:.p$}");
    if alt && p == 0 {
        format!("{s}.")
    } else {
        s
    }
}

/// Scientific notation with `p` decimals and CPython's exponent (`e+05`).
fn sci(a: f64, p: usize, alt: bool) -> String {
    let s = format!("{a:.p$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let dot = if alt && p == 0 { "." } else { "" };
    format!("{mantissa}{dot}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// The `g` presentation with `p` significant digits (`repr_style`: the presentation of an
/// empty type with a precision, which keeps a `.0` and switches to scientific one digit
/// sooner).
fn general(a: f64, p: usize, alt: bool, repr_style: bool) -> String {
    let p = p.max(1);
    let probe = format!("{a:.*e}", p - 1);
    let exp: i64 = probe.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let limit = if repr_style { p as i64 - 1 } else { p as i64 };
    let strip = |s: String| {
        if alt || !s.contains('.') {
            s
        } else {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    if a == 0.0 || (-4 <= exp && exp < limit) {
        let decimals = (p as i64 - 1 - exp).max(0) as usize;
        let s = strip(format!("{a:.decimals$}"));
        if repr_style && !s.contains('.') {
            format!("{s}.0")
        } else {
            s
        }
    } else {
        let s = sci(a, p - 1, alt);
        let (mantissa, e) = s.split_once('e').unwrap_or((&s, ""));
        format!("{}e{e}", strip(mantissa.to_string()))
    }
}

/// Inserts `sep` every `size` digits from the right.
fn group(digits: &str, sep: char, size: usize) -> String {
    let n = digits.chars().count();
    let mut out = String::with_capacity(n + n / size);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(size) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// Lays out a number: sign, prefix, integer digits (grouped), the rest (fraction, exponent),
/// with the spec's fill, alignment and width; `=` (and `0`) pads between sign and digits.
fn pad_number(sign: &str, prefix: &str, int_digits: &str, rest: &str, spec: &Spec, group_size: usize) -> String {
    let grouped = |d: &str| match spec.grouping {
        Some(sep) if !d.is_empty() => group(d, sep, group_size),
        _ => d.to_string(),
    };
    if spec.align == Some('=') {
        let fill = spec.fill.unwrap_or(' ');
        let fixed_len = sign.chars().count() + prefix.chars().count() + rest.chars().count();
        if fill == '0' && spec.grouping.is_some() && !int_digits.is_empty() {
            // Zeros are digits: they are grouped with the number.
            let mut d = int_digits.to_string();
            loop {
                let g = grouped(&d);
                if fixed_len + g.chars().count() >= spec.width {
                    return format!("{sign}{prefix}{g}{rest}");
                }
                d.insert(0, '0');
            }
        }
        let g = grouped(int_digits);
        let len = fixed_len + g.chars().count();
        let padding: String = std::iter::repeat_n(fill, spec.width.saturating_sub(len)).collect();
        return format!("{sign}{prefix}{padding}{g}{rest}");
    }
    let body = grouped(int_digits);
    pad(&format!("{sign}{prefix}"), "", &format!("{body}{rest}"), spec, '>')
}

/// Pads `head + body + tail` to the spec's width with its fill and alignment (`default` when
/// none is given).
fn pad(head: &str, tail: &str, body: &str, spec: &Spec, default: char) -> String {
    let text = format!("{head}{body}{tail}");
    let len = text.chars().count();
    if len >= spec.width {
        return text;
    }
    let fill = spec.fill.unwrap_or(' ');
    let total = spec.width - len;
    let (left, right) = match spec.align.unwrap_or(default) {
        '<' => (0, total),
        '^' => (total / 2, total - total / 2),
        _ => (total, 0),
    };
    let l: String = std::iter::repeat_n(fill, left).collect();
    let r: String = std::iter::repeat_n(fill, right).collect();
    format!("{l}{text}{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: Value, spec: &str) -> String {
        match format_value(&v, Some(spec)) {
            Ok(Value::Str(s)) => s.to_string(),
            Ok(other) => panic!("not a str: {other:?}"),
            Err(e) => format!("{}: {}", e.kind.name(), e.message),
        }
    }

    /// Each case's expected text is what `format(value, spec)` gives in python3.11.
    #[test]
    fn specs_format_as_cpython_does() {
        let fl = Value::float;
        let cases: Vec<(Value, &str, &str)> = vec![
            (fl(12.0), ".2", "1.2e+01"),
            (fl(1234.5), ".3", "1.23e+03"),
            (fl(1.0), ".3", "1.0"),
            (fl(0.0001), ".2", "0.0001"),
            (fl(1e16), ",", "1e+16"),
            (fl(1234567.5), ",", "1,234,567.5"),
            (Value::Int(1234), "08,", "0,001,234"),
            (Value::Int(1234), "010,", "00,001,234"),
            (Value::Int(-1234), "010,", "-0,001,234"),
            (fl(-0.0), "z.1f", "0.0"),
            (fl(-0.0), ".1f", "-0.0"),
            (Value::Int(255), "#x", "0xff"),
            (Value::Int(255), "#06x", "0x00ff"),
            (Value::Int(255), "_b", "1111_1111"),
            (fl(1e-5), "g", "1e-05"),
            (Value::Int(123456789), "g", "1.23457e+08"),
            (fl(100000.0), "g", "100000"),
            (fl(1000000.0), "g", "1e+06"),
            (fl(0.5), ".0f", "0"),
            (fl(2.5), ".0f", "2"),
            (Value::Int(3), "e", "3.000000e+00"),
            (fl(1e100), ".2e", "1.00e+100"),
            (fl(f64::INFINITY), "010", "0000000inf"),
            (fl(f64::NAN), "+f", "+nan"),
            (fl(0.25), "%", "25.000000%"),
            (fl(0.12345), ".1%", "12.3%"),
            (Value::Str("ab".into()), ".1", "a"),
            (Value::Str("ab".into()), "*^7", "**ab***"),
            (Value::Bool(true), "d", "1"),
            (Value::Int(12), "+", "+12"),
            (fl(3.0), "n", "3"),
            (fl(1234.5), "_.2f", "1_234.50"),
            (Value::Int(-5), "=+8", "-      5"),
            (fl(7.5), "10.3f", "     7.500"),
            (fl(7.5), "<10.3f", "7.500     "),
            (fl(1e20), ".2f", "100000000000000000000.00"),
            (fl(10.0), ".1", "1e+01"),
            (fl(0.1), ".17g", "0.10000000000000001"),
            (fl(1.0), "#g", "1.00000"),
            (fl(1.0), "#.0f", "1."),
            (fl(1.25), ".1f", "1.2"),
            (fl(1.35), ".1f", "1.4"),
            (fl(1.5), "d", "ValueError: Unknown format code 'd' for object of type 'float'"),
            (Value::Str("a".into()), "+", "ValueError: Sign not allowed in string format specifier"),
            (Value::Int(1), ".2", "ValueError: Precision not allowed in integer format specifier"),
            (Value::Int(1), ",x", "ValueError: Cannot specify ',' with 'x'."),
            (Value::Int(1), "xx", "ValueError: Invalid format specifier 'xx' for object of type 'int'"),
            (Value::None, ">3", "TypeError: unsupported format string passed to NoneType.__format__"),
        ];
        for (v, spec, want) in cases {
            assert_eq!(f(v.clone(), spec), want, "format({v:?}, {spec:?})");
        }
    }
}
