//! Timeouts: how `acquire(blocking, timeout)`, `wait(timeout)`, `get(block, timeout)`,
//! `put(item, block, timeout)` and `join(timeout)` read their arguments.
//!
//! The checker does not model time, so a wait with a timeout may expire whenever what it waits
//! for has not happened yet. A thread in such a wait may always run; when it runs without
//! having been woken, its timeout has expired. That covers every real timing: a real timeout
//! that expires after the thing it waited for happened (a release, a `set`, a `put`) ends the
//! same way as an expiry just before it, because an expiry only changes the waiting thread.
//! Where CPython lets a woken waiter still report the expiry (`Condition.wait` whose `notify`
//! arrives as its timeout ends, which then consumes the notify), the expired waiter stays on
//! the waiter list until it has the lock back, as in `threading.py`, so a `notify` may still
//! pick it.

use super::super::step::{checker_limit, err, unsupported};
use super::super::value::{ExcKind, Exception, Value};

/// How a call may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::vm) enum Wait {
    /// Until it can go on (no timeout).
    Block,
    /// Not at all (`blocking=False`, `block=False`, a timeout of 0 where that means "try once").
    NoBlock,
    /// Until it can go on or the timeout expires, whichever comes first.
    Timed,
}

/// The seconds a numeric timeout stands for (`None` for `None`).
fn seconds(v: &Value) -> Option<Option<f64>> {
    match v {
        Value::None => Some(None),
        Value::Bool(b) => Some(Some(f64::from(u8::from(*b)))),
        Value::Int(i) => Some(Some(*i as f64)),
        Value::Float(f) => Some(Some(f.0)),
        _ => None,
    }
}

/// `_thread.lock.acquire(blocking=True, timeout=-1)` and `_thread.RLock.acquire`, read as
/// CPython's `lock_acquire_parse_args` reads them: -1 waits forever, 0 tries once, a positive
/// number waits at most that long.
pub(in crate::vm) fn lock_wait(blocking: Option<&Value>, timeout: Option<&Value>) -> Result<Wait, Exception> {
    let blocking = blocking.is_none_or(Value::truthy);
    let Some(t) = timeout else { return Ok(if blocking { Wait::Block } else { Wait::NoBlock }) };
    let secs = match t {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => seconds(t).flatten().unwrap_or(0.0),
        Value::Big(_) => {
            return Err(err(ExcKind::OverflowError, "timestamp too large to convert to C _PyTime_t"));
        }
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!("'{}' object cannot be interpreted as an integer", other.type_name()),
            ))
        }
    };
    if secs.is_nan() {
        return Err(err(ExcKind::ValueError, "Invalid value NaN (not a number)"));
    }
    if secs > 9_223_372_036.0 {
        let message = if matches!(t, Value::Float(_)) {
            "timestamp out of range for platform time_t"
        } else {
            "timestamp too large to convert to C _PyTime_t"
        };
        return Err(err(ExcKind::OverflowError, message));
    }
    let unset = secs == -1.0;
    if !blocking && !unset {
        return Err(err(ExcKind::ValueError, "can't specify a timeout for a non-blocking call"));
    }
    if secs < 0.0 && !unset {
        return Err(err(ExcKind::ValueError, "timeout value must be positive"));
    }
    Ok(if !blocking || secs == 0.0 {
        Wait::NoBlock
    } else if unset {
        Wait::Block
    } else {
        Wait::Timed
    })
}

/// A timeout that `threading.py` or `queue.py` reads (`None`: wait forever), for `what`
/// (e.g. `Event.wait`). Anything but a number or `None` is refused: CPython would compare it
/// with a number and fail in ways the checker does not model.
pub(in crate::vm) fn py_timeout(v: Option<&Value>, what: &str) -> Result<Option<f64>, Exception> {
    match v {
        None => Ok(None),
        Some(Value::Big(_)) => Err(checker_limit(format!("{what}() with a timeout beyond the checker's 64-bit ints"))),
        Some(v) => match seconds(v) {
            Some(Some(f)) if f.is_nan() => Err(unsupported(format!("{what}() with a NaN timeout"))),
            Some(s) => Ok(s),
            None => Err(unsupported(format!("{what}() with a timeout of type '{}'", v.type_name()))),
        },
    }
}

/// `Semaphore.acquire(blocking=True, timeout=None)` as `threading.py` reads it: any number is
/// a timed wait (even 0 or less: it still waits on the condition once, where a `release` in
/// between may wake it).
pub(in crate::vm) fn semaphore_wait(blocking: Option<&Value>, timeout: Option<&Value>) -> Result<Wait, Exception> {
    let blocking = blocking.is_none_or(Value::truthy);
    let timeout = py_timeout(timeout, "Semaphore.acquire")?;
    match (blocking, timeout) {
        (false, Some(_)) => Err(err(ExcKind::ValueError, "can't specify timeout for non-blocking acquire")),
        (false, None) => Ok(Wait::NoBlock),
        (true, None) => Ok(Wait::Block),
        (true, Some(_)) => Ok(Wait::Timed),
    }
}

/// `Queue.get(block=True, timeout=None)` and `Queue.put(item, block=True, timeout=None)` as
/// `queue.py` reads them: a timeout of 0 gives up at once, a negative one is an error.
pub(in crate::vm) fn queue_wait(block: Option<&Value>, timeout: Option<&Value>, what: &str) -> Result<Wait, Exception> {
    if !block.is_none_or(Value::truthy) {
        return Ok(Wait::NoBlock);
    }
    match py_timeout(timeout, what)? {
        None => Ok(Wait::Block),
        Some(t) if t < 0.0 => Err(err(ExcKind::ValueError, "'timeout' must be a non-negative number")),
        Some(0.0) => Ok(Wait::NoBlock),
        Some(_) => Ok(Wait::Timed),
    }
}

/// `Event.wait(timeout=None)`, `Condition.wait(timeout=None)` and `Thread.join(timeout=None)`:
/// `None` waits forever, any number (even 0 or less) waits with a timeout.
pub(in crate::vm) fn plain_wait(timeout: Option<&Value>, what: &str) -> Result<Wait, Exception> {
    Ok(match py_timeout(timeout, what)? {
        None => Wait::Block,
        Some(_) => Wait::Timed,
    })
}
