//! What a call with the wrong arguments raises before it does anything, and so before it can
//! wait: the argument parsing of CPython's C methods (`PyArg_ParseTupleAndKeywords`, the
//! argument clinic) and of the Python methods of `threading.py` and `queue.py`, with their
//! messages.

use super::super::step::err;
use super::super::value::{ExcKind, Exception, Value};
use super::ops::Args;

/// Whether `positional` arguments and keywords named `keywords` fit a method whose parameters
/// (after `self`) are `names`: no more positional ones than it takes, each keyword one of its
/// names and not given by position too. A call that does not fit raises a `TypeError` (its
/// missing required arguments are the method's own to check).
pub(in crate::vm) fn fits<'k>(names: &[&str], positional: usize, mut keywords: impl Iterator<Item = &'k str>) -> bool {
    positional <= names.len() && keywords.all(|k| names.iter().position(|n| *n == k).is_some_and(|i| i >= positional))
}

/// Reads `names` from `args` as a C method `name` does (`acquire`, `put`, …), which takes at
/// most `names.len()` arguments, the first `required` of them required.
pub(in crate::vm) fn c_parse<'a>(
    args: &'a Args,
    name: &str,
    names: &[&str],
    required: usize,
) -> Result<Vec<Option<&'a Value>>, Exception> {
    let given = args.positional.len();
    if given > names.len() {
        let s = if names.len() == 1 { "" } else { "s" };
        return Err(err(
            ExcKind::TypeError,
            format!("{name}() takes at most {} argument{s} ({given} given)", names.len()),
        ));
    }
    let mut values: Vec<Option<&Value>> = (0..names.len()).map(|i| args.positional.get(i)).collect();
    for (k, v) in args.keywords {
        match names.iter().position(|n| n == k) {
            Some(i) if i < given => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("argument for {name}() given by name ('{k}') and position ({})", i + 1),
                ))
            }
            Some(i) => values[i] = Some(v),
            None => return Err(err(ExcKind::TypeError, format!("'{k}' is an invalid keyword argument for {name}()"))),
        }
    }
    if let Some(i) = (0..required).find(|&i| values[i].is_none()) {
        return Err(err(
            ExcKind::TypeError,
            format!("{name}() missing required argument '{}' (pos {})", names[i], i + 1),
        ));
    }
    Ok(values)
}

/// Checks `args` as CPython checks a call of the Python method `what` (e.g. `Event.wait`)
/// whose parameters after `self` are `names`, the first `required` of them without a default.
pub(in crate::vm) fn py_check(args: &Args, what: &str, required: usize, names: &[&str]) -> Result<(), Exception> {
    let (given, max) = (args.positional.len(), names.len());
    if given > max {
        let takes = if required == max {
            format!("{} positional argument{}", max + 1, if max == 0 { "" } else { "s" })
        } else {
            format!("from {} to {} positional arguments", required + 1, max + 1)
        };
        return Err(err(ExcKind::TypeError, format!("{what}() takes {takes} but {} were given", given + 1)));
    }
    for (k, _) in args.keywords {
        match names.iter().position(|n| n == k) {
            Some(i) if i < given => {
                return Err(err(ExcKind::TypeError, format!("{what}() got multiple values for argument '{k}'")))
            }
            Some(_) => {}
            None => return Err(err(ExcKind::TypeError, format!("{what}() got an unexpected keyword argument '{k}'"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages python3.11 prints for these calls.
    #[test]
    fn wrong_arguments_raise_what_cpython_raises() {
        let one = [Value::Int(1)];
        let three = [Value::Int(1), Value::Int(2), Value::Int(3)];
        let kw = |k: &str| vec![(k.to_string(), Value::Int(1))];
        let message = |r: Result<(), Exception>| r.unwrap_err().message;
        let c = |p: &[Value], k: &[(String, Value)]| {
            message(c_parse(&Args { positional: p, keywords: k }, "acquire", &["blocking", "timeout"], 0).map(|_| ()))
        };
        assert_eq!(c(&three, &[]), "acquire() takes at most 2 arguments (3 given)");
        assert_eq!(c(&[], &kw("foo")), "'foo' is an invalid keyword argument for acquire()");
        assert_eq!(c(&one, &kw("blocking")), "argument for acquire() given by name ('blocking') and position (1)");
        let py = |p: &[Value], k: &[(String, Value)], what, required, names: &[&str]| {
            message(py_check(&Args { positional: p, keywords: k }, what, required, names))
        };
        assert_eq!(
            py(&three, &[], "Queue.get", 0, &["block", "timeout"]),
            "Queue.get() takes from 1 to 3 positional arguments but 4 were given"
        );
        assert_eq!(py(&one, &[], "Event.set", 0, &[]), "Event.set() takes 1 positional argument but 2 were given");
        assert_eq!(
            py(&three, &[], "Queue.put_nowait", 1, &["item"]),
            "Queue.put_nowait() takes 2 positional arguments but 4 were given"
        );
        assert_eq!(
            py(&one, &kw("timeout"), "Event.wait", 0, &["timeout"]),
            "Event.wait() got multiple values for argument 'timeout'"
        );
        assert_eq!(
            py(&[], &kw("foo"), "Thread.join", 0, &["timeout"]),
            "Thread.join() got an unexpected keyword argument 'foo'"
        );
        assert!(fits(&["blocking", "timeout"], 2, std::iter::empty()));
        assert!(fits(&["blocking", "timeout"], 1, ["timeout"].into_iter()));
        assert!(!fits(&["blocking", "timeout"], 3, std::iter::empty()));
        assert!(!fits(&["blocking", "timeout"], 1, ["blocking"].into_iter()));
        assert!(!fits(&["timeout"], 0, ["foo"].into_iter()));
    }
}
