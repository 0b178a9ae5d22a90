//! `collections.deque`, a C type: every method is one atomic step, as in CPython. A bounded
//! deque (`maxlen=`) drops from the other end when full. Each change of its length or order
//! (not an item assignment, not `reverse()`) advances its `state`, and an iterator made before
//! raises CPython's `RuntimeError: deque mutated during iteration`.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::err;
use super::value::{ExcKind, Exception, Value};

/// A `collections.deque`: its items, left to right, its bound, and its mutation count.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DequeObj {
    /// The items, leftmost first.
    pub items: Vec<Value>,
    /// `maxlen`, when bounded.
    pub maxlen: Option<usize>,
    /// CPython's `state`: advanced by every change of length or order.
    pub state: u32,
}

impl DequeObj {
    fn changed(&mut self) {
        self.state = self.state.wrapping_add(1);
    }

    /// `del d[i]` of an index in range.
    pub(super) fn remove_at(&mut self, i: usize) {
        self.items.remove(i);
        self.changed();
    }

    fn push_right(&mut self, x: Value) {
        self.items.push(x);
        if self.maxlen.is_some_and(|m| self.items.len() > m) {
            self.items.remove(0);
        }
        self.changed();
    }

    fn push_left(&mut self, x: Value) {
        self.items.insert(0, x);
        if self.maxlen.is_some_and(|m| self.items.len() > m) {
            self.items.pop();
        }
        self.changed();
    }

    /// The repr, its items rendered by `render`.
    pub(super) fn repr(&self, mut render: impl FnMut(&Value) -> String) -> String {
        let parts: Vec<String> = self.items.iter().map(&mut render).collect();
        match self.maxlen {
            Some(m) => format!("deque([{}], maxlen={m})", parts.join(", ")),
            None => format!("deque([{}])", parts.join(", ")),
        }
    }
}

/// A method of `collections.deque`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum DequeMethod {
    /// `append(x)`
    Append,
    /// `appendleft(x)`
    AppendLeft,
    /// `pop()`
    Pop,
    /// `popleft()`
    PopLeft,
    /// `extend(iterable)`
    Extend,
    /// `extendleft(iterable)`
    ExtendLeft,
    /// `clear()`
    Clear,
    /// `count(x)`
    Count,
    /// `index(x)`
    Index,
    /// `remove(x)`
    Remove,
    /// `reverse()`
    Reverse,
    /// `rotate(n=1)`
    Rotate,
    /// `insert(i, x)`
    Insert,
    /// `copy()`
    Copy,
}

impl DequeMethod {
    const ALL: [(DequeMethod, &'static str); 14] = [
        (DequeMethod::Append, "append"),
        (DequeMethod::AppendLeft, "appendleft"),
        (DequeMethod::Pop, "pop"),
        (DequeMethod::PopLeft, "popleft"),
        (DequeMethod::Extend, "extend"),
        (DequeMethod::ExtendLeft, "extendleft"),
        (DequeMethod::Clear, "clear"),
        (DequeMethod::Count, "count"),
        (DequeMethod::Index, "index"),
        (DequeMethod::Remove, "remove"),
        (DequeMethod::Reverse, "reverse"),
        (DequeMethod::Rotate, "rotate"),
        (DequeMethod::Insert, "insert"),
        (DequeMethod::Copy, "copy"),
    ];

    /// The method called `name`, if deques have it here.
    pub fn from_name(name: &str) -> Option<DequeMethod> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(m, _)| *m)
    }

    /// `deque.name`, as `Builtin::name` shows it.
    pub fn qualname(self) -> &'static str {
        match self {
            DequeMethod::Append => "deque.append",
            DequeMethod::AppendLeft => "deque.appendleft",
            DequeMethod::Pop => "deque.pop",
            DequeMethod::PopLeft => "deque.popleft",
            DequeMethod::Extend => "deque.extend",
            DequeMethod::ExtendLeft => "deque.extendleft",
            DequeMethod::Clear => "deque.clear",
            DequeMethod::Count => "deque.count",
            DequeMethod::Index => "deque.index",
            DequeMethod::Remove => "deque.remove",
            DequeMethod::Reverse => "deque.reverse",
            DequeMethod::Rotate => "deque.rotate",
            DequeMethod::Insert => "deque.insert",
            DequeMethod::Copy => "deque.copy",
        }
    }
}

fn int_arg(v: &Value, heap: &Heap) -> Result<i64, Exception> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Big(_) => Err(super::step::checker_limit("a deque index past 64 bits")),
        other => Err(err(
            ExcKind::TypeError,
            format!("'{}' object cannot be interpreted as an integer", heap.type_name(other)),
        )),
    }
}

/// `collections.deque([iterable[, maxlen]])`.
pub(super) fn new(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let mut iterable = args.first().cloned();
    let mut maxlen = args.get(1).cloned();
    for (k, v) in kwargs {
        match k.as_str() {
            "iterable" if iterable.is_none() => iterable = Some(v.clone()),
            "maxlen" if maxlen.is_none() => maxlen = Some(v.clone()),
            other => {
                return Err(err(ExcKind::TypeError, format!("deque() got an unexpected keyword argument '{other}'")))
            }
        }
    }
    if args.len() > 2 {
        return Err(err(ExcKind::TypeError, format!("deque expected at most 2 arguments, got {}", args.len())));
    }
    let maxlen = match maxlen {
        None | Some(Value::None) => None,
        Some(m) => {
            let m = int_arg(&m, heap)?;
            Some(usize::try_from(m).map_err(|_| err(ExcKind::ValueError, "maxlen must be non-negative"))?)
        }
    };
    let items = match &iterable {
        Some(it) => heap.items_of(it, fp)?,
        None => Vec::new(),
    };
    let mut d = DequeObj { items: Vec::new(), maxlen, state: 0 };
    for x in items {
        d.push_right(x);
    }
    d.state = 0;
    Ok(Value::Obj(heap.alloc(HeapObj::Deque(d), fp)))
}

/// `deque.method(*args)` of deque `id`.
pub(super) fn call(
    heap: &mut Heap,
    m: DequeMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if let Some((k, _)) = kwargs.first() {
        return Err(err(ExcKind::TypeError, format!("{}() takes no keyword arguments ('{k}' given)", m.qualname())));
    }
    let arity = match m {
        DequeMethod::Append
        | DequeMethod::AppendLeft
        | DequeMethod::Extend
        | DequeMethod::ExtendLeft
        | DequeMethod::Count
        | DequeMethod::Remove => 1..=1,
        DequeMethod::Insert => 2..=2,
        DequeMethod::Rotate => 0..=1,
        DequeMethod::Index => 1..=1,
        _ => 0..=0,
    };
    if !arity.contains(&args.len()) {
        let wanted = match (arity.start(), arity.end()) {
            (0, 0) => "no arguments".to_string(),
            (1, 1) => "exactly one argument".to_string(),
            (a, b) if a == b => format!("exactly {a} arguments"),
            (_, b) => format!("at most {b} arguments"),
        };
        return Err(err(ExcKind::TypeError, format!("{}() takes {wanted} ({} given)", m.qualname(), args.len())));
    }
    // What the call reads from other objects, before the deque is borrowed.
    let extra = match m {
        DequeMethod::Extend | DequeMethod::ExtendLeft => heap.items_of(&args[0], fp)?,
        _ => Vec::new(),
    };
    let snapshot = match heap.read(id, fp) {
        HeapObj::Deque(d) => d.clone(),
        _ => return Err(err(ExcKind::TypeError, format!("{}() of something other than a deque", m.qualname()))),
    };
    let position = |x: &Value, fp: &mut Footprint| snapshot.items.iter().position(|y| Heap::eq(heap, y, x, fp));
    let found = match m {
        DequeMethod::Count => {
            let n = snapshot.items.iter().filter(|y| Heap::eq(heap, y, &args[0], fp)).count();
            return Ok(Value::Int(n as i64));
        }
        DequeMethod::Index | DequeMethod::Remove => match position(&args[0], fp) {
            Some(i) if m == DequeMethod::Index => return Ok(Value::Int(i as i64)),
            Some(i) => Some(i),
            None => return Err(err(ExcKind::ValueError, format!("{} is not in deque", heap.repr(&args[0])))),
        },
        DequeMethod::Copy => {
            let copy = DequeObj { state: 0, ..snapshot };
            return Ok(Value::Obj(heap.alloc(HeapObj::Deque(copy), fp)));
        }
        _ => None,
    };
    let rotate_by = match (m, args.first()) {
        (DequeMethod::Rotate, Some(n)) => int_arg(n, heap)?,
        (DequeMethod::Insert, Some(i)) => int_arg(i, heap)?,
        _ => 1,
    };
    let HeapObj::Deque(d) = heap.write(id, fp) else { unreachable!("[internal bug] checked above") };
    match m {
        DequeMethod::Append => d.push_right(args[0].clone()),
        DequeMethod::AppendLeft => d.push_left(args[0].clone()),
        DequeMethod::Pop | DequeMethod::PopLeft => {
            if d.items.is_empty() {
                return Err(err(ExcKind::IndexError, "pop from an empty deque"));
            }
            let v = if m == DequeMethod::Pop { d.items.pop() } else { Some(d.items.remove(0)) };
            d.changed();
            return Ok(v.unwrap_or(Value::None));
        }
        DequeMethod::Extend => extra.into_iter().for_each(|x| d.push_right(x)),
        DequeMethod::ExtendLeft => extra.into_iter().for_each(|x| d.push_left(x)),
        DequeMethod::Clear => {
            d.items.clear();
            d.changed();
        }
        DequeMethod::Remove => {
            d.items.remove(found.expect("found above"));
            d.changed();
        }
        DequeMethod::Reverse => d.items.reverse(),
        DequeMethod::Rotate => {
            let n = d.items.len() as i64;
            if n > 0 {
                let k = rotate_by.rem_euclid(n) as usize;
                d.items.rotate_right(k);
            }
            d.changed();
        }
        DequeMethod::Insert => {
            if d.maxlen.is_some_and(|mx| d.items.len() >= mx) {
                return Err(err(ExcKind::IndexError, "deque already at its maximum size"));
            }
            let n = d.items.len() as i64;
            let i = if rotate_by < 0 { (rotate_by + n).max(0) } else { rotate_by.min(n) };
            d.items.insert(i as usize, args[1].clone());
            d.changed();
        }
        DequeMethod::Count | DequeMethod::Index | DequeMethod::Copy => unreachable!("[internal bug] returned above"),
    }
    Ok(Value::None)
}

/// `d[i]` (and `d[i] = v`, `del d[i]`): the position of index `key` in a deque of `len` items.
pub(super) fn index(heap: &Heap, len: usize, key: &Value) -> Result<usize, Exception> {
    if let Value::Slice(_) = key {
        return Err(err(ExcKind::TypeError, "sequence index must be integer, not 'slice'"));
    }
    let i = match key {
        Value::Int(_) | Value::Bool(_) | Value::Big(_) => int_arg(key, heap)?,
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!("sequence index must be integer, not '{}'", heap.type_name(other)),
            ))
        }
    };
    let i = if i < 0 { i + len as i64 } else { i };
    if i < 0 || i >= len as i64 {
        return Err(err(ExcKind::IndexError, "deque index out of range"));
    }
    Ok(i as usize)
}
