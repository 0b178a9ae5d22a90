//! The common methods of `str`: `join`, `upper`, `lower`, `strip`, `lstrip`, `rstrip`,
//! `split`, `startswith`, `endswith`, `replace`, `find` and `count`, with CPython 3.11's results
//! and errors (whitespace as `str.isspace` defines it, positions in code points). A str is
//! immutable, so none of them touches shared state, except `join`, which reads its iterable.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};

/// A method of `str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum StrMethod {
    /// `sep.join(iterable)`
    Join,
    /// `s.upper()`
    Upper,
    /// `s.lower()`
    Lower,
    /// `s.strip([chars])`
    Strip,
    /// `s.lstrip([chars])`
    LStrip,
    /// `s.rstrip([chars])`
    RStrip,
    /// `s.split(sep=None, maxsplit=-1)`
    Split,
    /// `s.startswith(prefix)`
    StartsWith,
    /// `s.endswith(suffix)`
    EndsWith,
    /// `s.replace(old, new[, count])`
    Replace,
    /// `s.find(sub)`
    Find,
    /// `s.count(sub)`
    Count,
    /// `template.format(*args, **kwargs)`
    Format,
    /// `s.index(sub)`
    Index,
    /// `s.rfind(sub)`
    RFind,
    /// `s.rindex(sub)`
    RIndex,
    /// `s.isdigit()`
    IsDigit,
    /// `s.isalpha()`
    IsAlpha,
    /// `s.isalnum()`
    IsAlnum,
    /// `s.isspace()`
    IsSpace,
    /// `s.isupper()`
    IsUpper,
    /// `s.islower()`
    IsLower,
    /// `s.capitalize()`
    Capitalize,
    /// `s.title()`
    Title,
    /// `s.zfill(width)`
    ZFill,
    /// `s.ljust(width[, fillchar])`
    LJust,
    /// `s.rjust(width[, fillchar])`
    RJust,
    /// `s.center(width[, fillchar])`
    Center,
    /// `s.partition(sep)`
    Partition,
    /// `s.rpartition(sep)`
    RPartition,
    /// `s.splitlines([keepends])`
    SplitLines,
}

impl StrMethod {
    /// Every method here.
    pub const ALL: [StrMethod; 31] = [
        StrMethod::Index,
        StrMethod::RFind,
        StrMethod::RIndex,
        StrMethod::IsDigit,
        StrMethod::IsAlpha,
        StrMethod::IsAlnum,
        StrMethod::IsSpace,
        StrMethod::IsUpper,
        StrMethod::IsLower,
        StrMethod::Capitalize,
        StrMethod::Title,
        StrMethod::ZFill,
        StrMethod::LJust,
        StrMethod::RJust,
        StrMethod::Center,
        StrMethod::Partition,
        StrMethod::RPartition,
        StrMethod::SplitLines,
        StrMethod::Count,
        StrMethod::Format,
        StrMethod::EndsWith,
        StrMethod::Find,
        StrMethod::Join,
        StrMethod::Lower,
        StrMethod::LStrip,
        StrMethod::Replace,
        StrMethod::RStrip,
        StrMethod::Split,
        StrMethod::StartsWith,
        StrMethod::Strip,
        StrMethod::Upper,
    ];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            StrMethod::Join => "join",
            StrMethod::Upper => "upper",
            StrMethod::Lower => "lower",
            StrMethod::Strip => "strip",
            StrMethod::LStrip => "lstrip",
            StrMethod::RStrip => "rstrip",
            StrMethod::Split => "split",
            StrMethod::StartsWith => "startswith",
            StrMethod::EndsWith => "endswith",
            StrMethod::Replace => "replace",
            StrMethod::Find => "find",
            StrMethod::Count => "count",
            StrMethod::Format => "format",
            StrMethod::Index => "index",
            StrMethod::RFind => "rfind",
            StrMethod::RIndex => "rindex",
            StrMethod::IsDigit => "isdigit",
            StrMethod::IsAlpha => "isalpha",
            StrMethod::IsAlnum => "isalnum",
            StrMethod::IsSpace => "isspace",
            StrMethod::IsUpper => "isupper",
            StrMethod::IsLower => "islower",
            StrMethod::Capitalize => "capitalize",
            StrMethod::Title => "title",
            StrMethod::ZFill => "zfill",
            StrMethod::LJust => "ljust",
            StrMethod::RJust => "rjust",
            StrMethod::Center => "center",
            StrMethod::Partition => "partition",
            StrMethod::RPartition => "rpartition",
            StrMethod::SplitLines => "splitlines",
        }
    }

    /// `Builtin::name`'s form, e.g. `str.join`.
    pub fn qualname(self) -> &'static str {
        match self {
            StrMethod::Join => "str.join",
            StrMethod::Upper => "str.upper",
            StrMethod::Lower => "str.lower",
            StrMethod::Strip => "str.strip",
            StrMethod::LStrip => "str.lstrip",
            StrMethod::RStrip => "str.rstrip",
            StrMethod::Split => "str.split",
            StrMethod::StartsWith => "str.startswith",
            StrMethod::EndsWith => "str.endswith",
            StrMethod::Replace => "str.replace",
            StrMethod::Find => "str.find",
            StrMethod::Count => "str.count",
            StrMethod::Format => "str.format",
            StrMethod::Index => "str.index",
            StrMethod::RFind => "str.rfind",
            StrMethod::RIndex => "str.rindex",
            StrMethod::IsDigit => "str.isdigit",
            StrMethod::IsAlpha => "str.isalpha",
            StrMethod::IsAlnum => "str.isalnum",
            StrMethod::IsSpace => "str.isspace",
            StrMethod::IsUpper => "str.isupper",
            StrMethod::IsLower => "str.islower",
            StrMethod::Capitalize => "str.capitalize",
            StrMethod::Title => "str.title",
            StrMethod::ZFill => "str.zfill",
            StrMethod::LJust => "str.ljust",
            StrMethod::RJust => "str.rjust",
            StrMethod::Center => "str.center",
            StrMethod::Partition => "str.partition",
            StrMethod::RPartition => "str.rpartition",
            StrMethod::SplitLines => "str.splitlines",
        }
    }

    /// The method called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<StrMethod> {
        StrMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// `str.isspace` for one character: Unicode White_Space, and the separators U+001C–U+001F.
pub(super) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

pub(super) fn type_error(msg: String) -> Exception {
    err(ExcKind::TypeError, msg)
}

pub(super) fn str_arg<'v>(v: &'v Value, what: impl FnOnce(&str) -> String, heap: &Heap) -> Result<&'v str, Exception> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(type_error(what(&heap.type_name(other)))),
    }
}

pub(super) fn no_args(m: StrMethod, args: &[Value]) -> Result<(), Exception> {
    match args.len() {
        0 => Ok(()),
        n => Err(type_error(format!("{}() takes no arguments ({n} given)", m.qualname()))),
    }
}

/// The value of keyword `name`, or positional argument `pos`.
fn arg<'a>(args: &'a [Value], kwargs: &'a [(String, Value)], pos: usize, name: &str) -> Option<&'a Value> {
    args.get(pos).or_else(|| kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v))
}

/// Calls `s.m(args, kwargs)`.
pub(super) fn call(
    heap: &mut Heap,
    m: StrMethod,
    s: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if m == StrMethod::Format {
        return super::strformat::str_format(heap, s, args, kwargs, fp);
    }
    let keywords_ok = matches!(m, StrMethod::Split);
    if !keywords_ok && !kwargs.is_empty() {
        return Err(unsupported(format!("a keyword argument to {}()", m.qualname())));
    }
    let out = |t: String| Ok(Value::Str(t.into()));
    if let Some(v) = super::strmore::call(heap, m, s, args, fp) {
        return v;
    }
    match m {
        StrMethod::Join => {
            let [iterable] = args else {
                return Err(type_error(format!("str.join() takes exactly one argument ({} given)", args.len())));
            };
            let items = heap.items_of(iterable, fp).map_err(|e| {
                if e.kind == ExcKind::TypeError {
                    type_error("can only join an iterable".into())
                } else {
                    e
                }
            })?;
            let mut parts = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(p) => parts.push(p.to_string()),
                    other => {
                        return Err(type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            heap.type_name(other)
                        )))
                    }
                }
            }
            super::value::room(parts.iter().map(|p| p.len() + s.len()).sum::<usize>() as u64)?;
            out(parts.join(s))
        }
        StrMethod::Upper => {
            no_args(m, args)?;
            out(s.to_uppercase())
        }
        StrMethod::Lower => {
            no_args(m, args)?;
            out(s.to_lowercase())
        }
        StrMethod::Strip | StrMethod::LStrip | StrMethod::RStrip => {
            if args.len() > 1 {
                return Err(type_error(format!("{} expected at most 1 argument, got {}", m.name(), args.len())));
            }
            let set: Option<Vec<char>> = match args.first() {
                None | Some(Value::None) => None,
                Some(Value::Str(c)) => Some(c.chars().collect()),
                Some(_) => return Err(type_error(format!("{} arg must be None or str", m.name()))),
            };
            let strip = |c: char| set.as_ref().map_or_else(|| py_space(c), |cs| cs.contains(&c));
            let t = match m {
                StrMethod::Strip => s.trim_matches(strip),
                StrMethod::LStrip => s.trim_start_matches(strip),
                _ => s.trim_end_matches(strip),
            };
            out(t.to_string())
        }
        StrMethod::Split => split(heap, s, args, kwargs, fp),
        StrMethod::StartsWith | StrMethod::EndsWith => {
            let [affix] = args else {
                return match args.len() {
                    0 => Err(type_error(format!("{}() takes at least 1 argument (0 given)", m.name()))),
                    _ => Err(unsupported(format!("{}() with start and end positions", m.qualname()))),
                };
            };
            let test = |a: &str| if m == StrMethod::StartsWith { s.starts_with(a) } else { s.ends_with(a) };
            let kind = if m == StrMethod::StartsWith { "startswith first arg" } else { "endswith first arg" };
            match affix {
                Value::Str(a) => Ok(Value::Bool(test(a))),
                Value::Tuple(options) => {
                    let mut found = false;
                    for o in options.iter() {
                        match o {
                            Value::Str(a) => found |= test(a),
                            other => {
                                return Err(type_error(format!(
                                    "tuple for {} must only contain str, not {}",
                                    m.name(),
                                    heap.type_name(other)
                                )))
                            }
                        }
                    }
                    Ok(Value::Bool(found))
                }
                other => {
                    Err(type_error(format!("{kind} must be str or a tuple of str, not {}", heap.type_name(other))))
                }
            }
        }
        StrMethod::Replace => {
            let (old, new, count) = match args {
                [o, n] => (o, n, -1),
                [o, n, Value::Int(c)] => (o, n, *c),
                [_, _, other] => {
                    return Err(type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        heap.type_name(other)
                    )))
                }
                _ => return Err(type_error(format!("replace expected at least 2 arguments, got {}", args.len()))),
            };
            let old = str_arg(old, |t| format!("replace() argument 1 must be str, not {t}"), heap)?;
            let new = str_arg(new, |t| format!("replace() argument 2 must be str, not {t}"), heap)?;
            let replaced = if count < 0 { s.replace(old, new) } else { s.replacen(old, new, count as usize) };
            super::value::room(replaced.len() as u64)?;
            out(replaced)
        }
        StrMethod::Format => unreachable!("[internal bug] str.format is formatted above"),
        StrMethod::Find | StrMethod::Count => {
            let [sub] = args else {
                return match args.len() {
                    0 => Err(type_error(format!("{}() takes at least 1 argument (0 given)", m.name()))),
                    _ => Err(unsupported(format!("{}() with start and end positions", m.qualname()))),
                };
            };
            let sub = str_arg(sub, |t| format!("must be str, not {t}"), heap)?;
            if m == StrMethod::Count {
                let n = if sub.is_empty() { s.chars().count() + 1 } else { s.matches(sub).count() };
                return Ok(Value::Int(n as i64));
            }
            Ok(Value::Int(s.find(sub).map_or(-1, |b| s[..b].chars().count() as i64)))
        }
        _ => unreachable!("[internal bug] {} is called in strmore", m.qualname()),
    }
}

/// `s.split(sep=None, maxsplit=-1)`: runs of whitespace (ends dropped) without a separator.
fn split(
    heap: &mut Heap,
    s: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if args.len() > 2 {
        return Err(type_error(format!("split() takes at most 2 arguments ({} given)", args.len())));
    }
    if let Some((k, _)) = kwargs.iter().find(|(k, _)| k != "sep" && k != "maxsplit") {
        return Err(type_error(format!("split() got an unexpected keyword argument '{k}'")));
    }
    let sep = arg(args, kwargs, 0, "sep");
    let maxsplit = match arg(args, kwargs, 1, "maxsplit") {
        None => -1,
        Some(Value::Int(n)) => *n,
        Some(Value::Bool(b)) => i64::from(*b),
        Some(other) => {
            return Err(type_error(format!("'{}' object cannot be interpreted as an integer", heap.type_name(other))))
        }
    };
    let limit = if maxsplit < 0 { usize::MAX } else { maxsplit as usize };
    let parts: Vec<String> = match sep {
        None | Some(Value::None) => {
            let mut parts = Vec::new();
            let mut rest = s.trim_start_matches(py_space);
            while !rest.is_empty() {
                if parts.len() == limit {
                    parts.push(rest.to_string());
                    break;
                }
                let end = rest.find(py_space).unwrap_or(rest.len());
                parts.push(rest[..end].to_string());
                rest = rest[end..].trim_start_matches(py_space);
            }
            parts
        }
        Some(Value::Str(sep)) if sep.is_empty() => return Err(err(ExcKind::ValueError, "empty separator")),
        Some(Value::Str(sep)) => match limit {
            usize::MAX => s.split(&**sep).map(str::to_string).collect(),
            n => s.splitn(n.saturating_add(1), &**sep).map(str::to_string).collect(),
        },
        Some(other) => {
            return Err(type_error(format!("must be str or None, not {}", heap.type_name(other))));
        }
    };
    super::value::room((parts.iter().map(|p| p.len() + 48).sum::<usize>()) as u64)?;
    let items = parts.into_iter().map(|p| Value::Str(p.into())).collect();
    Ok(Value::Obj(heap.alloc(HeapObj::List(items), fp)))
}
