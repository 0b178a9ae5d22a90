//! Attributes of the built-in types that the checker models only in part. An attribute that
//! CPython 3.11 has but the checker does not model stops the run as unsupported; only an
//! attribute that CPython itself lacks is the program's `AttributeError`.

use super::step::{err, unsupported};
use super::value::{ExcKind, Exception};

const FUNCTION: &[&str] = &["__name__", "__qualname__", "__doc__", "__module__", "__defaults__", "__code__"];

/// CPython 3.11's public attributes of `type_name` (dunder names are handled separately), or
/// `None` for the library objects (`threading`, `queue`, modules), whose every attribute the
/// checker does not model counts as unsupported.
fn cpython_attrs(type_name: &str) -> Option<&'static [&'static str]> {
    if let Some(attrs) = crate::frontend::cpython_attrs(type_name) {
        return Some(attrs);
    }
    Some(match type_name {
        "function" | "method" => FUNCTION,
        "NoneType" | "range_iterator" | "tuple_iterator" | "list_iterator" | "dict_keyiterator" | "property" => &[],
        _ => return None,
    })
}

/// The error for `obj.name` on a built-in object of type `type_name` (`owner` names it in the
/// message, e.g. `'list' object`) that the checker could not resolve: a checker stop when
/// CPython has the attribute (or might: dunders, library objects), else CPython's own
/// `AttributeError`.
pub(super) fn missing(type_name: &str, owner: &str, name: &str) -> Exception {
    let dunder = name.len() > 4 && name.starts_with("__") && name.ends_with("__");
    match cpython_attrs(type_name) {
        Some(known) if !dunder && !known.contains(&name) => {
            err(ExcKind::AttributeError, format!("{owner} has no attribute '{name}'"))
        }
        _ => unsupported(format!("the attribute '{name}' of {owner}")),
    }
}

/// The error for a missing `name` on an instance or a class of the program: CPython's own
/// `AttributeError`, except for dunder names, which CPython's `object` provides (not modelled).
pub(super) fn missing_on_class(owner: &str, name: &str) -> Exception {
    if name.len() > 4 && name.starts_with("__") && name.ends_with("__") {
        return unsupported(format!("the attribute '{name}' of {owner}"));
    }
    err(ExcKind::AttributeError, format!("{owner} has no attribute '{name}'"))
}
