//! Python's binary operators on values, as BINARY_OP runs them, and the `operator` module, whose
//! functions (C code in CPython's `_operator`) run the same operations in one call:
//! `operator.add(a, b)` is `a + b`, `operator.iadd(a, b)` is `a += b` (in place for a list),
//! `operator.eq(a, b)` is `a == b`, `itemgetter(k)` and `attrgetter(name)` make callables that
//! read `x[k]` and `x.name`. A call of one is one step, as its C code runs without a switch.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{binary_op, unary_op, Builtin, ExcKind, Exception, Value};
use crate::bytecode::{BinOp, CmpOp};

/// `a op b` (`a op= b` when `inplace`), with the heap's lists, sets and str formatting.
pub(super) fn binary(
    heap: &mut Heap,
    op: BinOp,
    inplace: bool,
    a: &Value,
    b: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    binary_of(heap, op, inplace, a, b, fp).map_err(|e| operand_error(e, op, inplace))
}

/// CPython names the operator of a `TypeError` for operands it does not take as the statement
/// wrote it: `+=` in place, and `** or pow()` for a power.
fn operand_error(mut e: Exception, op: BinOp, inplace: bool) -> Exception {
    let plain = format!("unsupported operand type(s) for {}: ", op.symbol());
    if e.kind == ExcKind::TypeError && (inplace || op == BinOp::Pow) && e.message.starts_with(&plain) {
        let name = match (op, inplace) {
            (_, true) => format!("{}=", op.symbol()),
            _ => "** or pow()".to_string(),
        };
        e.message = format!("unsupported operand type(s) for {name}: {}", &e.message[plain.len()..]);
    }
    e
}

/// `-v`, `+v`, `~v`: numbers (`arith::unary_op`), and CPython's error naming a heap object's
/// type (a Counter's own unary operators are not modelled).
pub(super) fn unary(heap: &Heap, sym: char, v: &Value) -> Result<Value, Exception> {
    match v {
        Value::Obj(id) if heap.is_counter(*id) => Err(super::step::unsupported(format!("unary {sym} of a Counter"))),
        Value::Obj(_) => Err(Exception::new(
            ExcKind::TypeError,
            format!("bad operand type for unary {sym}: '{}'", heap.type_name(v)),
        )),
        _ => unary_op(sym, v),
    }
}

fn binary_of(
    heap: &mut Heap,
    op: BinOp,
    inplace: bool,
    a: &Value,
    b: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    match (op, a, b) {
        // `lst += iterable` extends the list in place (every alias sees it), `lst *= n`
        // repeats it in place; `[x] * n` and `n * [x]` make a new list.
        (BinOp::Add, Value::Obj(x), _) if inplace && matches!(heap.peek(*x), HeapObj::List(_)) => {
            super::listops::binary(heap, op, inplace, a, b, fp)
        }
        (BinOp::Mul, Value::Obj(x), _) | (BinOp::Mul, _, Value::Obj(x))
            if matches!(heap.peek(*x), HeapObj::List(_)) =>
        {
            super::listops::binary(heap, op, inplace, a, b, fp)
        }
        (BinOp::Mod, Value::Str(fmt), _) => super::strformat::percent(heap, fmt, b, fp),
        (BinOp::Add | BinOp::Sub | BinOp::Or | BinOp::And, Value::Obj(x), Value::Obj(y))
            if heap.is_counter(*x) && heap.is_counter(*y) =>
        {
            super::counters::arith(heap, op, inplace, *x, *y, fp)
        }
        (BinOp::Or | BinOp::And | BinOp::Sub | BinOp::Xor, Value::Obj(x), Value::Obj(y))
            if matches!(heap.peek(*x), HeapObj::Set(_)) && matches!(heap.peek(*y), HeapObj::Set(_)) =>
        {
            Ok(super::sets::operator(heap, op, inplace, *x, *y, fp))
        }
        (BinOp::Add, Value::Obj(x), Value::Obj(y)) => match (heap.read(*x, fp), heap.read(*y, fp)) {
            (HeapObj::List(p), HeapObj::List(q)) => {
                let items: Vec<Value> = p.iter().chain(q.iter()).cloned().collect();
                Ok(Value::Obj(heap.alloc(HeapObj::List(items), fp)))
            }
            _ => Err(super::arith::heap_operand_error(heap, op, a, b)),
        },
        (_, Value::Obj(_), _) | (_, _, Value::Obj(_)) => Err(super::arith::heap_operand_error(heap, op, a, b)),
        _ => binary_op(op, a, b),
    }
}

/// A function (or callable type) of `operator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum OperatorFn {
    /// `add`, `sub`, … (`inplace`: `iadd`, `isub`, …).
    Binary(BinOp, bool),
    /// `eq`, `ne`, `lt`, `le`, `gt`, `ge`.
    Compare(CmpOp),
    /// `neg`
    Neg,
    /// `pos`
    Pos,
    /// `invert` (and `inv`)
    Invert,
    /// `not_`
    Not,
    /// `truth`
    Truth,
    /// `abs`
    Abs,
    /// `is_`
    Is,
    /// `is_not`
    IsNot,
    /// `getitem`
    GetItem,
    /// `setitem`
    SetItem,
    /// `contains`
    Contains,
    /// `itemgetter` (the type)
    ItemGetter,
    /// `attrgetter` (the type)
    AttrGetter,
    /// An `itemgetter` object, called (bound to the tuple of its keys).
    ItemGet,
    /// An `attrgetter` object, called (bound to the tuple of its names).
    AttrGet,
}

const BINARY: &[(&str, BinOp)] = &[
    ("add", BinOp::Add),
    ("sub", BinOp::Sub),
    ("mul", BinOp::Mul),
    ("floordiv", BinOp::FloorDiv),
    ("truediv", BinOp::TrueDiv),
    ("mod", BinOp::Mod),
    ("and_", BinOp::And),
    ("or_", BinOp::Or),
    ("xor", BinOp::Xor),
    ("lshift", BinOp::Lshift),
    ("rshift", BinOp::Rshift),
    ("pow", BinOp::Pow),
];

const COMPARE: &[(&str, CmpOp)] =
    &[("lt", CmpOp::Lt), ("le", CmpOp::Le), ("eq", CmpOp::Eq), ("ne", CmpOp::Ne), ("gt", CmpOp::Gt), ("ge", CmpOp::Ge)];

impl OperatorFn {
    /// `operator.name`, if the checker models it.
    pub fn lookup(name: &str) -> Option<Builtin> {
        let f = if let Some((_, op)) = BINARY.iter().find(|(n, _)| *n == name) {
            OperatorFn::Binary(*op, false)
        } else if let Some((_, op)) = name.strip_prefix('i').and_then(|n| BINARY.iter().find(|(b, _)| *b == n)) {
            OperatorFn::Binary(*op, true)
        } else if let Some((_, op)) =
            name.strip_prefix('i').and_then(|n| BINARY.iter().find(|(b, _)| b.trim_end_matches('_') == n))
        {
            OperatorFn::Binary(*op, true)
        } else if let Some((_, op)) = COMPARE.iter().find(|(n, _)| *n == name) {
            OperatorFn::Compare(*op)
        } else {
            match name {
                "neg" => OperatorFn::Neg,
                "pos" => OperatorFn::Pos,
                "invert" | "inv" => OperatorFn::Invert,
                "not_" => OperatorFn::Not,
                "truth" => OperatorFn::Truth,
                "abs" => OperatorFn::Abs,
                "is_" => OperatorFn::Is,
                "is_not" => OperatorFn::IsNot,
                "getitem" => OperatorFn::GetItem,
                "setitem" => OperatorFn::SetItem,
                "contains" => OperatorFn::Contains,
                "itemgetter" => OperatorFn::ItemGetter,
                "attrgetter" => OperatorFn::AttrGetter,
                _ => return None,
            }
        };
        Some(Builtin::Operator(f))
    }

    /// The qualified name, e.g. `operator.add`.
    pub fn qualname(self) -> &'static str {
        match self {
            OperatorFn::Binary(op, inplace) => {
                let i = BINARY.iter().position(|(_, o)| *o == op).unwrap_or(0);
                const PLAIN: [&str; 12] = [
                    "operator.add",
                    "operator.sub",
                    "operator.mul",
                    "operator.floordiv",
                    "operator.truediv",
                    "operator.mod",
                    "operator.and_",
                    "operator.or_",
                    "operator.xor",
                    "operator.lshift",
                    "operator.rshift",
                    "operator.pow",
                ];
                const INPLACE: [&str; 12] = [
                    "operator.iadd",
                    "operator.isub",
                    "operator.imul",
                    "operator.ifloordiv",
                    "operator.itruediv",
                    "operator.imod",
                    "operator.iand",
                    "operator.ior",
                    "operator.ixor",
                    "operator.ilshift",
                    "operator.irshift",
                    "operator.ipow",
                ];
                if inplace {
                    INPLACE[i]
                } else {
                    PLAIN[i]
                }
            }
            OperatorFn::Compare(op) => match op {
                CmpOp::Lt => "operator.lt",
                CmpOp::Le => "operator.le",
                CmpOp::Eq => "operator.eq",
                CmpOp::Ne => "operator.ne",
                CmpOp::Gt => "operator.gt",
                CmpOp::Ge => "operator.ge",
            },
            OperatorFn::Neg => "operator.neg",
            OperatorFn::Pos => "operator.pos",
            OperatorFn::Invert => "operator.invert",
            OperatorFn::Not => "operator.not_",
            OperatorFn::Truth => "operator.truth",
            OperatorFn::Abs => "operator.abs",
            OperatorFn::Is => "operator.is_",
            OperatorFn::IsNot => "operator.is_not",
            OperatorFn::GetItem => "operator.getitem",
            OperatorFn::SetItem => "operator.setitem",
            OperatorFn::Contains => "operator.contains",
            OperatorFn::ItemGetter | OperatorFn::ItemGet => "operator.itemgetter",
            OperatorFn::AttrGetter | OperatorFn::AttrGet => "operator.attrgetter",
        }
    }

    /// The number of arguments the function takes.
    fn arity(self) -> usize {
        match self {
            OperatorFn::Neg
            | OperatorFn::Pos
            | OperatorFn::Invert
            | OperatorFn::Not
            | OperatorFn::Truth
            | OperatorFn::Abs
            | OperatorFn::ItemGet
            | OperatorFn::AttrGet => 1,
            OperatorFn::SetItem => 3,
            OperatorFn::ItemGetter | OperatorFn::AttrGetter => 0,
            _ => 2,
        }
    }
}

/// Whether `a is b` (identity: heap objects by id, strs by pointer or contents as the
/// interpreter's interning would make them, other values by value).
pub(super) fn is(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => std::sync::Arc::ptr_eq(x, y) || x == y,
        _ => a == b,
    }
}

/// Calls `f` (`this`: the keys or names of an itemgetter or attrgetter object).
pub(super) fn call(
    heap: &mut Heap,
    f: OperatorFn,
    this: Option<Value>,
    args: &[Value],
    kwargs: &[(String, Value)],
    tid: u32,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let name = f.qualname().trim_start_matches("operator.");
    if let Some((k, _)) = kwargs.first() {
        return Err(err(ExcKind::TypeError, format!("{name}() got an unexpected keyword argument '{k}'")));
    }
    if matches!(f, OperatorFn::ItemGetter | OperatorFn::AttrGetter) {
        if args.is_empty() {
            return Err(err(ExcKind::TypeError, format!("{name} expected 1 argument, got 0")));
        }
        if f == OperatorFn::AttrGetter {
            if let Some(bad) = args.iter().find(|a| !matches!(a, Value::Str(_))) {
                return Err(err(
                    ExcKind::TypeError,
                    format!("attribute name must be a string, not '{}'", heap.type_name(bad)),
                ));
            }
        }
        let method = if f == OperatorFn::ItemGetter { OperatorFn::ItemGet } else { OperatorFn::AttrGet };
        return Ok(Value::Bound(Builtin::Operator(method), Box::new(Value::Tuple(args.to_vec().into()))));
    }
    if args.len() != f.arity() {
        return Err(err(
            ExcKind::TypeError,
            format!(
                "{name} expected {} argument{}, got {}",
                f.arity(),
                if f.arity() == 1 { "" } else { "s" },
                args.len()
            ),
        ));
    }
    match f {
        OperatorFn::Binary(op, inplace) => binary(heap, op, inplace, &args[0], &args[1], fp),
        OperatorFn::Compare(op) => heap.compare(op, &args[0], &args[1], fp),
        OperatorFn::Neg | OperatorFn::Pos | OperatorFn::Invert => {
            if matches!(args[0], Value::Obj(_)) {
                let sym = match f {
                    OperatorFn::Neg => "-",
                    OperatorFn::Pos => "+",
                    _ => "~",
                };
                return Err(err(
                    ExcKind::TypeError,
                    format!("bad operand type for unary {sym}: '{}'", heap.type_name(&args[0])),
                ));
            }
            let sym = match f {
                OperatorFn::Neg => '-',
                OperatorFn::Pos => '+',
                _ => '~',
            };
            unary(heap, sym, &args[0])
        }
        OperatorFn::Not => Ok(Value::Bool(!heap.truthy(&args[0], fp))),
        OperatorFn::Truth => Ok(Value::Bool(heap.truthy(&args[0], fp))),
        OperatorFn::Abs => super::numops::abs(&args[0], heap),
        OperatorFn::Is => Ok(Value::Bool(is(&args[0], &args[1]))),
        OperatorFn::IsNot => Ok(Value::Bool(!is(&args[0], &args[1]))),
        OperatorFn::GetItem => subscr(heap, &args[0], &args[1], fp),
        OperatorFn::SetItem => {
            if matches!(args[1], Value::Slice(_)) {
                return Err(super::slices::store_slice(heap, &args[0]));
            }
            heap.store_subscr(&args[0], &args[1], args[2].clone(), fp)?;
            Ok(Value::None)
        }
        OperatorFn::Contains => Ok(Value::Bool(heap.contains(&args[0], &args[1], fp)?)),
        OperatorFn::ItemGet | OperatorFn::AttrGet => {
            let Some(Value::Tuple(keys)) = this else {
                return Err(unsupported(format!("{} without its keys", f.qualname())));
            };
            let get = |heap: &mut Heap, k: &Value, fp: &mut Footprint| -> Result<Value, Exception> {
                if f == OperatorFn::ItemGet {
                    return subscr(heap, &args[0], k, fp);
                }
                // A dotted name reads one attribute after another.
                let Value::Str(path) = k else { unreachable!("checked when made") };
                let mut v = args[0].clone();
                for part in path.split('.') {
                    v = super::reflect::getattr(&*heap, &[v, Value::Str(part.into())], tid, fp)?;
                }
                Ok(v)
            };
            if keys.len() == 1 {
                return get(heap, &keys[0], fp);
            }
            let items: Result<Vec<Value>, Exception> = keys.iter().map(|k| get(heap, k, fp)).collect();
            Ok(Value::Tuple(items?.into()))
        }
        OperatorFn::ItemGetter | OperatorFn::AttrGetter => unreachable!("handled above"),
    }
}

fn subscr(heap: &mut Heap, container: &Value, key: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
    if matches!(key, Value::Slice(_)) {
        heap.subscr_slice(container, key, fp)
    } else {
        heap.subscr(container, key, fp)
    }
}

/// The repr of an `itemgetter` or `attrgetter` object, as CPython writes it.
pub(super) fn getter_repr(heap: &Heap, f: OperatorFn, keys: &[Value]) -> String {
    let parts: Vec<String> = keys.iter().map(|k| heap.repr(k)).collect();
    format!("{}({})", f.qualname(), parts.join(", "))
}
