//! The str methods beyond the ones `strops` runs: searching from the right and failing loudly
//! (`index`, `rfind`, `rindex`), the character-class tests (`isdigit`, `isupper`, …), case
//! (`capitalize`, `title`), padding (`zfill`, `ljust`, `rjust`, `center`), `partition`,
//! `rpartition` and `splitlines`, each one C call as in CPython, with its errors. The tests and
//! case changes whose Unicode tables differ from Rust's are modelled for ASCII text; on other
//! text the run stops as not modelled.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::strops::{no_args, py_space, str_arg, type_error, StrMethod};
use super::value::{ExcKind, Exception, Value};

/// Calls `s.m(args)` for the methods here (`None` for the others).
pub(super) fn call(
    heap: &mut Heap,
    m: StrMethod,
    s: &str,
    args: &[Value],
    fp: &mut Footprint,
) -> Option<Result<Value, Exception>> {
    use StrMethod as M;
    Some(match m {
        M::Index | M::RFind | M::RIndex => search(heap, m, s, args),
        M::IsDigit | M::IsAlpha | M::IsAlnum | M::IsSpace | M::IsUpper | M::IsLower => test(m, s, args),
        M::Capitalize | M::Title => case(m, s, args),
        M::ZFill | M::LJust | M::RJust | M::Center => pad(heap, m, s, args),
        M::Partition | M::RPartition => partition(heap, m, s, args),
        M::SplitLines => split_lines(heap, s, args, fp),
        _ => return None,
    })
}

/// The position, in characters, of the byte offset `b` of `s`.
fn chars_before(s: &str, b: usize) -> i64 {
    s[..b].chars().count() as i64
}

fn search(heap: &Heap, m: StrMethod, s: &str, args: &[Value]) -> Result<Value, Exception> {
    let [sub] = args else {
        return match args.len() {
            0 => Err(type_error(format!("{}() takes at least 1 argument (0 given)", m.name()))),
            _ => Err(unsupported(format!("{}() with start and end positions", m.qualname()))),
        };
    };
    let sub = str_arg(sub, |t| format!("must be str, not {t}"), heap)?;
    let found = if m == StrMethod::Index { s.find(sub) } else { s.rfind(sub) };
    match (found, m) {
        (Some(b), _) => Ok(Value::Int(chars_before(s, b))),
        (None, StrMethod::RFind) => Ok(Value::Int(-1)),
        (None, _) => Err(err(ExcKind::ValueError, "substring not found")),
    }
}

/// Text whose Unicode properties Rust and CPython could tell apart is not modelled here.
fn ascii(m: StrMethod, s: &str) -> Result<(), Exception> {
    match s.is_ascii() {
        true => Ok(()),
        false => Err(unsupported(format!("{}() of a str that is not ASCII", m.qualname()))),
    }
}

fn test(m: StrMethod, s: &str, args: &[Value]) -> Result<Value, Exception> {
    no_args(m, args)?;
    if m != StrMethod::IsSpace {
        ascii(m, s)?;
    }
    let all = |f: fn(&char) -> bool| !s.is_empty() && s.chars().all(|c| f(&c));
    let any = |f: fn(&char) -> bool| s.chars().any(|c| f(&c));
    Ok(Value::Bool(match m {
        StrMethod::IsDigit => all(char::is_ascii_digit),
        StrMethod::IsAlpha => all(char::is_ascii_alphabetic),
        StrMethod::IsAlnum => all(char::is_ascii_alphanumeric),
        StrMethod::IsSpace => !s.is_empty() && s.chars().all(py_space),
        // At least one cased character, and none of the other case.
        StrMethod::IsUpper => any(char::is_ascii_uppercase) && !any(char::is_ascii_lowercase),
        _ => any(char::is_ascii_lowercase) && !any(char::is_ascii_uppercase),
    }))
}

fn case(m: StrMethod, s: &str, args: &[Value]) -> Result<Value, Exception> {
    no_args(m, args)?;
    ascii(m, s)?;
    let mut out = String::with_capacity(s.len());
    if m == StrMethod::Capitalize {
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    } else {
        // A cased character after another is lowered, any other is raised (`do_title`).
        let mut previous_cased = false;
        for c in s.chars() {
            out.push(if previous_cased { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() });
            previous_cased = c.is_ascii_alphabetic();
        }
    }
    Ok(Value::Str(out.into()))
}

/// A width argument: an int (CPython's `TypeError` otherwise).
fn width(heap: &Heap, v: &Value) -> Result<i64, Exception> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Big(_) => Err(super::step::checker_limit("a str padded to a width beyond the checker's 64-bit ints")),
        other => Err(type_error(format!("'{}' object cannot be interpreted as an integer", heap.type_name(other)))),
    }
}

fn pad(heap: &Heap, m: StrMethod, s: &str, args: &[Value]) -> Result<Value, Exception> {
    let (w, fill) = match (m, args) {
        (StrMethod::ZFill, [w]) => (w, '0'),
        (StrMethod::ZFill, _) => {
            return Err(type_error(format!("str.zfill() takes exactly one argument ({} given)", args.len())))
        }
        (_, [w]) => (w, ' '),
        (_, [w, Value::Str(f)]) if f.chars().count() == 1 => (w, f.chars().next().expect("one char")),
        (_, [_, Value::Str(_)]) => {
            return Err(type_error("The fill character must be exactly one character long".into()))
        }
        (_, [_, other]) => {
            return Err(type_error(format!(
                "The fill character must be a unicode character, not {}",
                heap.type_name(other)
            )))
        }
        (_, []) => return Err(type_error(format!("{} expected at least 1 argument, got 0", m.name()))),
        (_, _) => return Err(type_error(format!("{} expected at most 2 arguments, got {}", m.name(), args.len()))),
    };
    let width = width(heap, w)?;
    let len = s.chars().count() as i64;
    if width <= len {
        return Ok(Value::Str(s.into()));
    }
    let marg = width - len;
    super::value::room((marg as u64).saturating_mul(4).saturating_add(s.len() as u64))?;
    let fill_n = |n: i64| std::iter::repeat_n(fill, n as usize).collect::<String>();
    let out = match m {
        StrMethod::ZFill => match s.chars().next() {
            Some(sign @ ('+' | '-')) => format!("{sign}{}{}", fill_n(marg), &s[1..]),
            _ => format!("{}{s}", fill_n(marg)),
        },
        StrMethod::LJust => format!("{s}{}", fill_n(marg)),
        StrMethod::RJust => format!("{}{s}", fill_n(marg)),
        _ => {
            // `unicode_center`'s split of the margin.
            let left = marg / 2 + (marg & width & 1);
            format!("{}{s}{}", fill_n(left), fill_n(marg - left))
        }
    };
    Ok(Value::Str(out.into()))
}

fn partition(heap: &Heap, m: StrMethod, s: &str, args: &[Value]) -> Result<Value, Exception> {
    let [sep] = args else {
        return Err(type_error(format!("{}() takes exactly one argument ({} given)", m.qualname(), args.len())));
    };
    let sep = str_arg(sep, |t| format!("must be str, not {t}"), heap)?;
    if sep.is_empty() {
        return Err(err(ExcKind::ValueError, "empty separator"));
    }
    let text = |t: &str| Value::Str(t.into());
    let found = if m == StrMethod::Partition { s.find(sep) } else { s.rfind(sep) };
    let parts = match (found, m) {
        (Some(b), _) => [text(&s[..b]), text(sep), text(&s[b + sep.len()..])],
        (None, StrMethod::Partition) => [text(s), text(""), text("")],
        (None, _) => [text(""), text(""), text(s)],
    };
    Ok(Value::Tuple(parts.into_iter().collect()))
}

/// `s.splitlines([keepends])`: at `\n`, `\r`, `\r\n`, `\v`, `\f`, `\x1c`–`\x1e`, `\x85`,
/// U+2028 and U+2029, as `str.splitlines` breaks lines.
fn split_lines(heap: &mut Heap, s: &str, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let keep = match args {
        [] => false,
        [v] => heap.truthy(v, fp),
        _ => return Err(type_error(format!("splitlines() takes at most 1 argument ({} given)", args.len()))),
    };
    let is_break =
        |c: char| matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let mut lines = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().is_some_and(|&(_, d)| d == '\n') {
            it.next();
            end += 1;
        }
        lines.push(Value::Str(s[start..if keep { end } else { i }].into()));
        start = end;
    }
    if start < s.len() {
        lines.push(Value::Str(s[start..].into()));
    }
    super::value::room((lines.len() * 48 + s.len()) as u64)?;
    Ok(Value::Obj(heap.alloc(HeapObj::List(lines), fp)))
}
