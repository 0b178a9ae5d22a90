//! Heap symmetry: one state for every numbering of the heap.
//!
//! Heap ids are handed out in allocation order, so two runs that allocate the same objects in
//! another order (two threads each making a list, an executor's worker and its caller each
//! making a dict) reach states that differ only in which number each object has, and states that
//! differ only in objects nothing refers to any more. The program cannot tell such states apart:
//! it never sees a number (`id()`, `hash()` of an object and the default `repr` of one stop the
//! run; a set that holds objects has no order the checker shows; dicts find object keys by
//! identity, which a renumbering keeps), and an object nothing refers to can never be reached
//! again. So the states are bisimilar, and a search may keep one of them: [`canonicalize`]
//! renumbers the heap in the order a fixed walk from the roots first reaches each object
//! (breadth first from the globals by slot, then from the queues' items, then from each
//! thread's instance, target, frames from the outermost and handled exception), and drops the
//! objects it does not reach.
//!
//! Every field that holds a heap id is listed in the walks below, which match on every variant
//! without a wildcard, so a new variant cannot be forgotten.

use super::cached::make_mut;
use super::heap::HeapObj;
use super::sets::SetObj;
use super::state::{Frame, FrameRole, State, Thread, ThreadStatus};
use super::sync::SyncObj;
use super::value::{Func, Value};
use std::sync::Arc;

/// The mark of an object the walk has not reached.
const UNREACHED: u32 = u32::MAX;

/// Renumbers `state`'s heap by first reach from the roots and drops what is unreachable; a
/// state whose heap is already so numbered is left as it is. Returns whether it changed.
pub fn canonicalize(state: &mut State) -> bool {
    let n = state.heap.len();
    if n == 0 {
        return false;
    }
    SCRATCH.with(|scratch| {
        let (map, order) = &mut *scratch.borrow_mut();
        map.clear();
        map.resize(n, UNREACHED);
        order.clear();
        renumber(state, map, order)
    })
}

thread_local! {
    /// The walk's buffers (old id to new, and the ids in the order reached), kept between calls.
    static SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Marks `id` reached, giving it the next number, unless it has one.
fn reach(map: &mut [u32], order: &mut Vec<u32>, id: u32) {
    let slot = &mut map[id as usize];
    if *slot == UNREACHED {
        *slot = order.len() as u32;
        order.push(id);
    }
}

fn renumber(state: &mut State, map: &mut [u32], order: &mut Vec<u32>) -> bool {
    let n = map.len();
    // Breadth first from each kind of root in turn: what the globals reach is numbered before
    // what only a queue or a thread's frames reach, so that a thread moving references around
    // its own frame renumbers only the objects nothing shared refers to.
    let mut next = 0;
    let expand = |map: &mut [u32], order: &mut Vec<u32>, next: &mut usize| {
        while *next < order.len() {
            let id = order[*next];
            *next += 1;
            obj_ids(state.heap.peek(id), &mut |x| reach(map, order, x));
            if let Some(f) = state.heap.factory_entry(id) {
                value_ids(f, &mut |x| reach(map, order, x));
            }
        }
    };
    for v in state.globals.iter() {
        value_ids(v, &mut |x| reach(map, order, x));
    }
    expand(map, order, &mut next);
    for s in &state.sync {
        sync_ids(s, &mut |x| reach(map, order, x));
    }
    expand(map, order, &mut next);
    for th in &state.threads {
        thread_ids(th, &mut |x| reach(map, order, x));
    }
    expand(map, order, &mut next);
    if order.len() == n && order.iter().enumerate().all(|(i, &id)| i as u32 == id) {
        return false;
    }
    let moved = |v: &Value| {
        let mut any = false;
        value_ids(v, &mut |x| any |= map[x as usize] != x);
        any
    };
    if state.globals.iter().any(moved) {
        make_mut(&mut state.globals).iter_mut().for_each(|v| rename(v, map));
    }
    for th in &mut state.threads {
        let mut any = false;
        thread_ids(th, &mut |x| any |= map[x as usize] != x);
        if any {
            rename_thread(make_mut(th), map);
        }
    }
    for s in &mut state.sync {
        if let SyncObj::Queue { items, .. } = s {
            items.iter_mut().for_each(|v| rename(v, map));
        }
    }
    let map: &[u32] = map;
    state.heap.renumber(
        order,
        map,
        |o| {
            let mut any = false;
            obj_ids(o, &mut |x| any |= map[x as usize] != x);
            any
        },
        |o| rename_obj(o, map),
        |v| rename(v, map),
    );
    true
}

/// The heap ids `v` refers to.
#[inline]
pub(super) fn value_ids(v: &Value, f: &mut impl FnMut(u32)) {
    match v {
        Value::Obj(id) => f(*id),
        Value::Null | Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => {}
        other => value_ids_rest(other, f),
    }
}

/// [`value_ids`] of the values other than objects and scalars.
fn value_ids_rest(v: &Value, f: &mut impl FnMut(u32)) {
    match v {
        Value::Obj(id)
        | Value::Cell(id)
        | Value::ListIter(id, _)
        | Value::DequeIter(id, ..)
        | Value::SetIter(id, ..)
        | Value::ListRevIter(id, _)
        | Value::DictView(_, id) => f(*id),
        Value::DictIter(id, _, _, _, last) => {
            f(*id);
            if let Some(k) = last {
                value_ids(k, f);
            }
        }
        Value::Method(func, id) => {
            func_ids(func, f);
            f(*id);
        }
        Value::Super(class, this) => {
            f(*class);
            f(*this);
        }
        Value::Function(func) | Value::StaticMethod(func) | Value::ClassMethod(func) => func_ids(func, f),
        Value::Property(funcs) => funcs.iter().for_each(|x| func_ids(x, f)),
        Value::Tuple(items) | Value::TupleIter(items, _) => items.iter().for_each(|x| value_ids(x, f)),
        Value::Zip(items) => items.iter().for_each(|x| value_ids(x, f)),
        Value::Bound(_, inner) | Value::Enumerate(inner, _) | Value::Map(_, inner) => value_ids(inner, f),
        Value::Slice(b) => {
            value_ids(&b.0, f);
            value_ids(&b.1, f);
            value_ids(&b.2, f);
        }
        Value::Exc(e) => e.args.iter().flat_map(|a| a.iter()).for_each(|x| value_ids(x, f)),
        Value::Partial(p) => {
            value_ids(&p.func, f);
            p.args.iter().for_each(|x| value_ids(x, f));
            p.keywords.iter().for_each(|(_, x)| value_ids(x, f));
        }
        Value::Null
        | Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Big(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::Builtin(_)
        | Value::Module(_)
        | Value::Lock(_)
        | Value::Thread(_)
        | Value::RangeIter { .. }
        | Value::ExcType(_)
        | Value::Sync(..)
        | Value::Annotations
        | Value::Reading(_) => {}
    }
}

/// The heap ids a function refers to: its closure's cells, its defaults, its `__wrapped__`.
fn func_ids(func: &Func, f: &mut impl FnMut(u32)) {
    func.closure().iter().flat_map(|c| c.iter()).for_each(|&c| f(c));
    func.defaults().iter().flat_map(|d| d.iter()).for_each(|x| value_ids(x, f));
    if let Some(w) = func.wrapped() {
        value_ids(w, f);
    }
}

/// The heap ids heap object `o` refers to.
fn obj_ids(o: &HeapObj, f: &mut impl FnMut(u32)) {
    match o {
        HeapObj::List(items) => items.iter().for_each(|x| value_ids(x, f)),
        HeapObj::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
            value_ids(k, f);
            value_ids(v, f);
        }),
        HeapObj::Class(c) => {
            if let Some(b) = c.base {
                f(b);
            }
            c.attrs.iter().for_each(|(_, v)| value_ids(v, f));
        }
        HeapObj::Instance(i) => {
            f(i.class);
            i.attrs.iter().for_each(|(_, v)| value_ids(v, f));
            i.args.iter().flat_map(|a| a.iter()).for_each(|x| value_ids(x, f));
        }
        HeapObj::Cell(v) => value_ids(v, f),
        HeapObj::Local(per_thread) => {
            per_thread.iter().for_each(|(_, attrs)| attrs.iter().for_each(|(_, v)| value_ids(v, f)))
        }
        HeapObj::Gen(g) => {
            if let Some(frame) = &g.frame {
                frame_ids(frame, f);
            }
        }
        // A table holds only values whose hash the checker knows (numbers and tuples of them).
        HeapObj::Set(SetObj::Table(_)) => {}
        HeapObj::Set(SetObj::Unordered(items)) => items.iter().for_each(|x| value_ids(x, f)),
        HeapObj::Deque(d) => d.items.iter().for_each(|x| value_ids(x, f)),
    }
}

/// The heap id a frame's role names, if any.
fn role_id(role: &FrameRole) -> Option<u32> {
    match role {
        FrameRole::ClassBody(id)
        | FrameRole::Init(id)
        | FrameRole::GenIter(id)
        | FrameRole::GenNext(id)
        | FrameRole::Drain(_, id)
        | FrameRole::Missing(id) => Some(*id),
        FrameRole::Call | FrameRole::CCall | FrameRole::Bind | FrameRole::Setter | FrameRole::Special(_) => None,
    }
}

fn frame_ids(fr: &Frame, f: &mut impl FnMut(u32)) {
    if let Some(id) = role_id(&fr.role) {
        f(id);
    }
    fr.stack.iter().for_each(|x| value_ids(x, f));
    fr.locals.iter().for_each(|x| value_ids(x, f));
    for m in &fr.memo {
        value_ids(&m.tag, f);
        value_ids(&m.result, f);
    }
}

fn thread_ids(th: &Thread, f: &mut impl FnMut(u32)) {
    if let Some(id) = th.instance {
        f(id);
    }
    match &th.status {
        ThreadStatus::New { target, args, kwargs } => {
            value_ids(target, f);
            value_ids(args, f);
            value_ids(kwargs, f);
        }
        ThreadStatus::Failed { exc, .. } => exc.args.iter().flat_map(|a| a.iter()).for_each(|x| value_ids(x, f)),
        ThreadStatus::Alive | ThreadStatus::Finished => {}
    }
    for fr in &th.frames {
        frame_ids(fr, f);
    }
    value_ids(&th.handled, f);
}

fn sync_ids(s: &SyncObj, f: &mut impl FnMut(u32)) {
    match s {
        SyncObj::Queue { items, .. } => items.iter().for_each(|x| value_ids(x, f)),
        SyncObj::RLock { .. }
        | SyncObj::Semaphore { .. }
        | SyncObj::Event { .. }
        | SyncObj::Condition { .. }
        | SyncObj::Barrier { .. } => {}
    }
}

/// Renames the heap ids in `v` by `map` (old id to new), copying what it shares only where an
/// id in it changes.
pub(super) fn rename(v: &mut Value, map: &[u32]) {
    let to = |id: &mut u32| *id = map[*id as usize];
    let moved = |v: &Value| {
        let mut any = false;
        value_ids(v, &mut |x| any |= map[x as usize] != x);
        any
    };
    match v {
        Value::Obj(id)
        | Value::Cell(id)
        | Value::ListIter(id, _)
        | Value::DequeIter(id, ..)
        | Value::SetIter(id, ..)
        | Value::ListRevIter(id, _)
        | Value::DictView(_, id) => to(id),
        Value::DictIter(id, _, _, _, last) => {
            to(id);
            if let Some(k) = last {
                rename(k, map);
            }
        }
        Value::Method(func, id) => {
            rename_func(func, map);
            to(id);
        }
        Value::Super(class, this) => {
            to(class);
            to(this);
        }
        Value::Function(func) | Value::StaticMethod(func) | Value::ClassMethod(func) => rename_func(func, map),
        Value::Property(funcs) => {
            if funcs.iter().any(|x| moved(&Value::Function(x.clone()))) {
                let mut copy = funcs.to_vec();
                copy.iter_mut().for_each(|x| rename_func(x, map));
                *funcs = copy.into();
            }
        }
        Value::Tuple(items) | Value::TupleIter(items, _) => {
            if items.iter().any(moved) {
                let mut copy = items.to_vec();
                copy.iter_mut().for_each(|x| rename(x, map));
                *items = copy.into();
            }
        }
        Value::Zip(items) => items.iter_mut().for_each(|x| rename(x, map)),
        Value::Bound(_, inner) | Value::Enumerate(inner, _) | Value::Map(_, inner) => rename(inner, map),
        Value::Slice(b) => {
            rename(&mut b.0, map);
            rename(&mut b.1, map);
            rename(&mut b.2, map);
        }
        Value::Exc(e) => {
            if e.args.iter().flat_map(|a| a.iter()).any(moved) {
                let e = Arc::make_mut(e);
                if let Some(args) = &mut e.args {
                    let mut copy = args.to_vec();
                    copy.iter_mut().for_each(|x| rename(x, map));
                    *args = copy.into();
                }
            }
        }
        Value::Partial(p) => {
            if moved(&Value::Partial(p.clone())) {
                let p = Arc::make_mut(p);
                rename(&mut p.func, map);
                let mut args = p.args.to_vec();
                args.iter_mut().for_each(|x| rename(x, map));
                p.args = args.into();
                let mut kw = p.keywords.to_vec();
                kw.iter_mut().for_each(|(_, x)| rename(x, map));
                p.keywords = kw.into();
            }
        }
        Value::Null
        | Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Big(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::Builtin(_)
        | Value::Module(_)
        | Value::Lock(_)
        | Value::Thread(_)
        | Value::RangeIter { .. }
        | Value::ExcType(_)
        | Value::Sync(..)
        | Value::Annotations
        | Value::Reading(_) => {}
    }
}

fn rename_func(func: &mut Func, map: &[u32]) {
    let mut any = false;
    func_ids(func, &mut |x| any |= map[x as usize] != x);
    if !any {
        return;
    }
    let extra = func.extra_mut();
    if let Some(c) = &mut extra.closure {
        *c = c.iter().map(|&x| map[x as usize]).collect::<Vec<_>>().into();
    }
    if let Some(d) = &mut extra.defaults {
        let mut copy = d.to_vec();
        copy.iter_mut().for_each(|x| rename(x, map));
        *d = copy.into();
    }
    if let Some(w) = &mut extra.wrapped {
        rename(Arc::make_mut(w), map);
    }
}

/// Renames the heap ids inside heap object `o`.
pub(super) fn rename_obj(o: &mut HeapObj, map: &[u32]) {
    match o {
        HeapObj::List(items) => items.iter_mut().for_each(|x| rename(x, map)),
        HeapObj::Dict(pairs) => pairs.iter_mut().for_each(|(k, v)| {
            rename(k, map);
            rename(v, map);
        }),
        HeapObj::Class(c) => {
            if let Some(b) = &mut c.base {
                *b = map[*b as usize];
            }
            c.attrs.iter_mut().for_each(|(_, v)| rename(v, map));
        }
        HeapObj::Instance(i) => {
            i.class = map[i.class as usize];
            i.attrs.iter_mut().for_each(|(_, v)| rename(v, map));
            if let Some(args) = &mut i.args {
                let mut copy = args.to_vec();
                copy.iter_mut().for_each(|x| rename(x, map));
                *args = copy.into();
            }
        }
        HeapObj::Cell(v) => rename(v, map),
        HeapObj::Local(per_thread) => {
            per_thread.iter_mut().for_each(|(_, attrs)| attrs.iter_mut().for_each(|(_, v)| rename(v, map)))
        }
        HeapObj::Gen(g) => {
            if let Some(frame) = &mut g.frame {
                rename_frame(frame, map);
            }
        }
        HeapObj::Set(SetObj::Table(_)) => {}
        HeapObj::Set(SetObj::Unordered(items)) => items.iter_mut().for_each(|x| rename(x, map)),
        HeapObj::Deque(d) => d.items.iter_mut().for_each(|x| rename(x, map)),
    }
}

fn rename_frame(fr: &mut Frame, map: &[u32]) {
    match &mut fr.role {
        FrameRole::ClassBody(id)
        | FrameRole::Init(id)
        | FrameRole::GenIter(id)
        | FrameRole::GenNext(id)
        | FrameRole::Drain(_, id)
        | FrameRole::Missing(id) => *id = map[*id as usize],
        FrameRole::Call | FrameRole::CCall | FrameRole::Bind | FrameRole::Setter | FrameRole::Special(_) => {}
    }
    fr.stack.iter_mut().for_each(|x| rename(x, map));
    fr.locals.iter_mut().for_each(|x| rename(x, map));
    for m in &mut fr.memo {
        rename(&mut m.tag, map);
        rename(&mut m.result, map);
    }
}

fn rename_thread(th: &mut Thread, map: &[u32]) {
    if let Some(id) = &mut th.instance {
        *id = map[*id as usize];
    }
    match &mut th.status {
        ThreadStatus::New { target, args, kwargs } => {
            rename(target, map);
            rename(args, map);
            rename(kwargs, map);
        }
        ThreadStatus::Failed { exc, .. } => {
            let mut v = Value::Exc(exc.clone());
            rename(&mut v, map);
            if let Value::Exc(e) = v {
                *exc = e;
            }
        }
        ThreadStatus::Alive | ThreadStatus::Finished => {}
    }
    th.frames.iter_mut().for_each(|fr| rename_frame(fr, map));
    rename(&mut th.handled, map);
}
