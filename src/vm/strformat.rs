//! Formatting values into strs with CPython's rules: one field (FORMAT_VALUE of an f-string),
//! `str.format(*args, **kwargs)` and printf-style `fmt % args`. The format-spec mini-language
//! itself is in [`super::format`].

use super::footprint::Footprint;
use super::format::{format_value, printf_spec, PrintfSpec};
use super::heap::{Heap, HeapObj};
use super::value::{ExcKind, Exception, Value};

fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

fn unsupported(what: impl Into<String>) -> Exception {
    err(ExcKind::Unsupported, what)
}

/// How a field converts its value before the spec applies: `!s`, `!r`, or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Conversion {
    /// No conversion: the value formats itself.
    None,
    /// `!s`
    Str,
    /// `!r`
    Repr,
    /// `!a`: `repr` with non-ASCII characters escaped.
    Ascii,
}

/// `ascii()` of a repr: every non-ASCII character as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
fn ascii_escape(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        let n = c as u32;
        match n {
            0..=0x7f => out.push(c),
            0x80..=0xff => out.push_str(&format!("\\x{n:02x}")),
            0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
            _ => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out
}

/// `format(conversion(v), spec)`: the text of one replacement field, reading heap objects
/// (noted in the footprint) as their `str`/`repr`; a spec on a value that does not define
/// its own `__format__` is CPython's `TypeError`.
pub(super) fn format_field(
    heap: &Heap,
    v: &Value,
    conversion: Conversion,
    spec: &str,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    heap.note_reads(v, fp);
    match conversion {
        Conversion::Repr | Conversion::Ascii => heap.check_repr(v)?,
        _ => heap.check_str_digits(v)?,
    }
    let v = match conversion {
        Conversion::Str => Value::Str(heap.to_str(v).into()),
        Conversion::Repr => Value::Str(heap.repr(v).into()),
        Conversion::Ascii => Value::Str(ascii_escape(&heap.repr(v)).into()),
        Conversion::None
            if !spec.is_empty()
                && !matches!(v, Value::Str(_) | Value::Int(_) | Value::Big(_) | Value::Bool(_) | Value::Float(_)) =>
        {
            return Err(err(
                ExcKind::TypeError,
                format!("unsupported format string passed to {}.__format__", heap.type_name(v)),
            ));
        }
        Conversion::None => match v {
            Value::Obj(_) | Value::Method(..) | Value::DictView(..) => Value::Str(heap.to_str(v).into()),
            Value::Tuple(t) if t.iter().any(|x| !x.is_data()) => Value::Str(heap.to_str(v).into()),
            other => other.clone(),
        },
    };
    format_value(&v, Some(spec))
}

/// `template.format(*args, **kwargs)`: fields `{}`, `{0}` and `{name}`, each with an optional
/// `!s`/`!r` and `:spec`; `{{` and `}}` are braces.
pub(super) fn str_format(
    heap: &Heap,
    template: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut auto: Option<usize> = None;
    let mut manual = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '}' {
            if chars.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(err(ExcKind::ValueError, "Single '}' encountered in format string"));
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        // A field: up to its matching '}' (nested fields in the spec are not modelled).
        let start = i + 1;
        let mut j = start;
        while j < chars.len() && chars[j] != '}' {
            if chars[j] == '{' {
                return Err(unsupported("a nested replacement field in a str.format() spec"));
            }
            j += 1;
        }
        if j == chars.len() {
            return Err(err(ExcKind::ValueError, "expected '}' before end of string"));
        }
        let field: String = chars[start..j].iter().collect();
        i = j + 1;
        let (head, spec) = match field.find(':') {
            Some(k) => (&field[..k], &field[k + 1..]),
            None => (field.as_str(), ""),
        };
        let (name, conversion) = match head.find('!') {
            Some(k) => {
                let conv = match &head[k + 1..] {
                    "s" => Conversion::Str,
                    "r" => Conversion::Repr,
                    "a" => Conversion::Ascii,
                    "" => return Err(err(ExcKind::ValueError, "end of string while looking for conversion specifier")),
                    _ if head[k + 1..].chars().count() > 1 => {
                        return Err(err(ExcKind::ValueError, "expected ':' after conversion specifier"))
                    }
                    other => {
                        return Err(err(ExcKind::ValueError, format!("Unknown conversion specifier {other}")));
                    }
                };
                (&head[..k], conv)
            }
            None => (head, Conversion::None),
        };
        if name.contains(['.', '[']) {
            return Err(unsupported("an attribute or index in a str.format() field ({obj.attr} or {seq[0]})"));
        }
        let value = if name.is_empty() {
            if manual {
                return Err(err(
                    ExcKind::ValueError,
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            let n = auto.map_or(0, |n| n + 1);
            auto = Some(n);
            positional(args, n)?
        } else if let Ok(n) = name.parse::<usize>() {
            if auto.is_some() {
                return Err(err(
                    ExcKind::ValueError,
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            manual = true;
            positional(args, n)?
        } else {
            match kwargs.iter().find(|(k, _)| k == name) {
                Some((_, v)) => v,
                None => return Err(Exception::key_error_text(name)),
            }
        };
        match format_field(heap, value, conversion, spec, fp)? {
            Value::Str(s) => out.push_str(&s),
            other => out.push_str(&other.to_str()),
        }
        super::value::room(2 * out.len() as u64)?;
    }
    Ok(Value::Str(out.into()))
}

fn positional(args: &[Value], n: usize) -> Result<&Value, Exception> {
    args.get(n).ok_or_else(|| {
        err(ExcKind::IndexError, format!("Replacement index {n} out of range for positional args tuple"))
    })
}

/// printf-style `fmt % args`: `%[flags][width][.precision]type` with the flags `-+ 0#` and the
/// types `s r a d i u f F e E g G x X o c %`; `args` is a tuple of values or one value.
pub(super) fn percent(heap: &Heap, fmt: &str, args: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
    let is_mapping = matches!(args, Value::Obj(id) if matches!(heap.peek(*id), HeapObj::Dict(_)));
    if is_mapping && fmt.contains("%(") && matches!(args, Value::Obj(id) if heap.factory(*id).is_some()) {
        return Err(unsupported("printf-style formatting with a mapping key (%(name)s) of a defaultdict"));
    }
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let single = !matches!(args, Value::Tuple(_));
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut next = 0usize;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let at = i;
        i += 1;
        // `%(key)s`: the value is the mapping's item under `key` (parentheses may nest), and no
        // positional argument is taken.
        let mut keyed = None;
        if chars.get(i) == Some(&'(') {
            if !is_mapping {
                return Err(err(ExcKind::TypeError, "format requires a mapping"));
            }
            let start = i + 1;
            let mut depth = 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(err(ExcKind::ValueError, "incomplete format key"));
            }
            let key: String = chars[start..i - 1].iter().collect();
            keyed = Some(heap.subscr(args, &Value::Str(key.into()), fp)?);
            // After a key, the mapping is no positional argument any more (`"%(a)s %s" % d`
            // has too few arguments).
            next = next.max(items.len());
        }
        let mut spec = PrintfSpec::default();
        while let Some(&f @ ('-' | '+' | ' ' | '0' | '#')) = chars.get(i) {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => spec.alt = true,
            }
            i += 1;
        }
        let digits = |i: &mut usize| {
            if chars.get(*i) == Some(&'*') {
                return Err(unsupported("a '*' width or precision in printf-style formatting"));
            }
            let s = *i;
            while chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            let t: String = chars[s..*i].iter().collect();
            Ok((!t.is_empty()).then(|| t.parse::<usize>().unwrap_or(usize::MAX)))
        };
        spec.width = digits(&mut i)?.unwrap_or(0);
        if chars.get(i) == Some(&'.') {
            i += 1;
            spec.precision = Some(digits(&mut i)?.unwrap_or(0));
        }
        let Some(&ty) = chars.get(i) else {
            return Err(err(ExcKind::ValueError, "incomplete format"));
        };
        i += 1;
        if ty == '%' {
            out.push('%');
            continue;
        }
        if !"sradiufFeEgGxXoc".contains(ty) {
            let byte_index = chars[..i - 1].iter().map(|c| c.len_utf8()).sum::<usize>();
            let _ = at;
            return Err(err(
                ExcKind::ValueError,
                format!("unsupported format character '{ty}' (0x{:x}) at index {}", ty as u32, byte_index),
            ));
        }
        let v = match &keyed {
            Some(v) => v,
            None => {
                let Some(v) = items.get(next) else {
                    return Err(err(ExcKind::TypeError, "not enough arguments for format string"));
                };
                next += 1;
                v
            }
        };
        spec.ty = ty;
        let text = match ty {
            's' | 'r' | 'a' => {
                heap.note_reads(v, fp);
                match ty {
                    's' => heap.check_str_digits(v)?,
                    _ => heap.check_repr(v)?,
                }
                let s = match ty {
                    's' => heap.to_str(v),
                    'r' => heap.repr(v),
                    _ => ascii_escape(&heap.repr(v)),
                };
                Value::Str(s.into())
            }
            _ => v.clone(),
        };
        out.push_str(&printf_spec(&text, &spec, |v| heap.type_name(v))?);
        super::value::room(2 * out.len() as u64)?;
    }
    if next < items.len() && !(single && is_mapping) {
        return Err(err(ExcKind::TypeError, "not all arguments converted during string formatting"));
    }
    Ok(Value::Str(out.into()))
}
