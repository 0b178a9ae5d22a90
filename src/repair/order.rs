//! Lock-order repairs for a deadlock: nested `with` statements that take two locks in the
//! opposite order of another nesting are rewritten to take them in one global order (the
//! order of the program's first nesting of the two).

use super::regions::{name_of, Edits, Parsed};
use crate::frontend::walk::child_bodies;
use ruff_python_ast::{Stmt, StmtWith};
use ruff_text_size::Ranged;

/// Two locks taken one inside the other.
struct Nesting<'a> {
    outer: &'a StmtWith,
    inner: &'a StmtWith,
    /// The outer lock and the inner lock.
    first: String,
    second: String,
    /// The function it is in.
    function: String,
}

/// A lock-order repair: its edits and what it does, in words.
pub struct OrderFix {
    /// The edits.
    pub edits: Edits,
    /// What they do.
    pub description: String,
}

/// The repairs of the nestings that take a pair of locks in the opposite order of the program's
/// first nesting of that pair, one per such nesting (each alone, then all together).
pub fn candidates(parsed: &Parsed<'_>, cycle_locks: &[String]) -> Vec<OrderFix> {
    let mut nestings = Vec::new();
    collect(&parsed.module.body, "module code", &mut nestings);
    let mut fixes = Vec::new();
    let mut all = Edits::default();
    let mut all_words = Vec::new();
    for (k, n) in nestings.iter().enumerate() {
        let involved = cycle_locks.is_empty() || (cycle_locks.contains(&n.first) && cycle_locks.contains(&n.second));
        let earlier = nestings[..k].iter().any(|m| m.first == n.second && m.second == n.first);
        if !involved || !earlier {
            continue;
        }
        let mut edits = Edits::default();
        let Some(words) = reorder(parsed, n, &mut edits) else { continue };
        reorder(parsed, n, &mut all);
        all_words.push(words.clone());
        fixes.push(OrderFix { edits, description: words });
    }
    if fixes.len() > 1 {
        fixes.push(OrderFix { edits: all, description: all_words.join("; ") });
    }
    fixes
}

/// Rewrites one nesting to take `second` before `first`.
fn reorder(parsed: &Parsed<'_>, n: &Nesting<'_>, edits: &mut Edits) -> Option<String> {
    let (outer_line, _) = parsed.span(n.outer);
    let (inner_line, inner_last) = parsed.span(n.inner);
    let one_item = n.outer.items.len() == 1 && n.inner.items.len() == 1;
    let sole = n.outer.body.len() == 1 && n.outer.body[0].range() == n.inner.range();
    let header = |line: u32, from: &str, to: &str| -> Option<String> {
        let text = parsed.src.line_text(line);
        let at = text.find(&format!("with {from}"))?;
        Some(format!("{}with {to}{}", &text[..at], &text[at + 5 + from.len()..]))
    };
    if one_item && sole {
        // `with b:\n    with a:` → `with a:\n    with b:`.
        edits.replace(outer_line, header(outer_line, &n.first, &n.second)?);
        edits.replace(inner_line, header(inner_line, &n.second, &n.first)?);
        return Some(format!(
            "in {}, take {} before {} (lines {outer_line} and {inner_line}), as the rest of the program does",
            n.function, n.second, n.first
        ));
    }
    if one_item && inner_line > outer_line {
        // `with b:\n    x\n    with a:\n        y` → `with a, b:\n    x\n    y`: the outer block
        // takes both locks, in the program's order; the inner `with` goes.
        edits.replace(outer_line, header(outer_line, &n.first, &format!("{}, {}", n.second, n.first))?);
        edits.delete(inner_line);
        let unit = parsed.indent_of(inner_line + 1).len().saturating_sub(parsed.indent_of(inner_line).len());
        edits.dedent(inner_line + 1, inner_last, unit);
        return Some(format!(
            "in {}, take {} together with {} at line {outer_line} ({} first), instead of inside it at line {inner_line}",
            n.function, n.second, n.first, n.second
        ));
    }
    None
}

/// The nestings of `with NAME:` statements in `body`, in source order.
fn collect<'a>(body: &'a [Stmt], function: &str, out: &mut Vec<Nesting<'a>>) {
    for s in body {
        let function = match s {
            Stmt::FunctionDef(f) => format!("{}()", f.name.as_str()),
            _ => function.to_string(),
        };
        if let Stmt::With(w) = s {
            if let Some(first) = w.items.first().and_then(|i| name_of(&i.context_expr)) {
                inner_withs(&w.body, &mut |inner: &'a StmtWith| {
                    if let Some(second) = inner.items.first().and_then(|i| name_of(&i.context_expr)) {
                        if second != first {
                            out.push(Nesting {
                                outer: w,
                                inner,
                                first: first.clone(),
                                second,
                                function: function.clone(),
                            });
                        }
                    }
                });
            }
        }
        for sub in child_bodies(s) {
            collect(sub, &function, out);
        }
    }
}

/// Calls `f` with every `with` statement in `body` (not inside a nested `def`).
fn inner_withs<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a StmtWith)) {
    for s in body {
        if matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        if let Stmt::With(w) = s {
            f(w);
        }
        for sub in child_bodies(s) {
            inner_withs(sub, f);
        }
    }
}
