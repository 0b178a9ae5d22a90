//! The public attributes of CPython 3.11's built-in data types: the front end refuses a method the
//! checker does not model only when CPython has it, and the VM raises CPython's own
//! `AttributeError` for a name that no such type has.

/// CPython 3.11's public attributes of `str`.
pub const CPYTHON_STR: &[&str] = &[
    "capitalize",
    "casefold",
    "center",
    "count",
    "encode",
    "endswith",
    "expandtabs",
    "find",
    "format",
    "format_map",
    "index",
    "isalnum",
    "isalpha",
    "isascii",
    "isdecimal",
    "isdigit",
    "isidentifier",
    "islower",
    "isnumeric",
    "isprintable",
    "isspace",
    "istitle",
    "isupper",
    "join",
    "ljust",
    "lower",
    "lstrip",
    "maketrans",
    "partition",
    "removeprefix",
    "removesuffix",
    "replace",
    "rfind",
    "rindex",
    "rjust",
    "rpartition",
    "rsplit",
    "rstrip",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "translate",
    "upper",
    "zfill",
];
/// CPython 3.11's public attributes of `int` (and `bool`).
pub const CPYTHON_INT: &[&str] = &[
    "as_integer_ratio",
    "bit_count",
    "bit_length",
    "conjugate",
    "denominator",
    "from_bytes",
    "imag",
    "numerator",
    "real",
    "to_bytes",
];
/// CPython 3.11's public attributes of `tuple`.
pub const CPYTHON_TUPLE: &[&str] = &["count", "index"];
/// CPython 3.11's public attributes of `list`.
pub const CPYTHON_LIST: &[&str] =
    &["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];
/// CPython 3.11's public attributes of `dict`.
pub const CPYTHON_DICT: &[&str] =
    &["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];

/// CPython 3.11's public attributes of `set`.
pub const CPYTHON_SET: &[&str] = &[
    "add",
    "clear",
    "copy",
    "difference",
    "difference_update",
    "discard",
    "intersection",
    "intersection_update",
    "isdisjoint",
    "issubset",
    "issuperset",
    "pop",
    "remove",
    "symmetric_difference",
    "symmetric_difference_update",
    "union",
    "update",
];

/// CPython's public attributes of the built-in data type named `type_name` (`str`, `int`,
/// `bool`, `tuple`, `list`, `dict`), or `None` for other types.
pub fn cpython_attrs(type_name: &str) -> Option<&'static [&'static str]> {
    Some(match type_name {
        "str" => CPYTHON_STR,
        "int" | "bool" => CPYTHON_INT,
        "tuple" => CPYTHON_TUPLE,
        "list" => CPYTHON_LIST,
        "dict" => CPYTHON_DICT,
        "set" => CPYTHON_SET,
        _ => return None,
    })
}
