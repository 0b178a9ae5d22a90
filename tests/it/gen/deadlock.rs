//! A sound over-approximation of whether some interleaving deadlocks.

use super::*;

pub(super) fn lock_pairs(body: &[Stmt], held: &mut Vec<usize>, out: &mut BTreeSet<(usize, usize)>) {
    for s in body {
        match s {
            Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
                for &h in held.iter() {
                    out.insert((h, *lock));
                }
                held.push(*lock);
                lock_pairs(body, held, out);
                held.pop();
            }
            _ => {
                for c in children(s) {
                    lock_pairs(c, held, out);
                }
            }
        }
    }
}

pub(super) fn bare_released(body: &[Stmt], out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::BareRelease { lock } = s {
            out.insert(*lock);
        }
        for c in children(s) {
            bare_released(c, out);
        }
    }
}

/// Whether executing `s` can raise: a failing assert, an unheld release, or the release at the end
/// of a `with`/`acquire` block on a lock that someone may have released already.
pub(super) fn can_raise(s: &Stmt, bare: &BTreeSet<usize>) -> bool {
    match s {
        Stmt::Assert { .. } | Stmt::BareRelease { .. } => true,
        Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
            bare.contains(lock) || body.iter().any(|s| can_raise(s, bare))
        }
        _ => children(s).into_iter().any(|c| c.iter().any(|s| can_raise(s, bare))),
    }
}

/// Locks a thread can die holding: it raises inside `acquire() ... release()`.
pub(super) fn leaked_locks(body: &[Stmt], bare: &BTreeSet<usize>, out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::AcqRel { lock, body } = s {
            if body.iter().any(|s| can_raise(s, bare)) {
                out.insert(*lock);
            }
        }
        for c in children(s) {
            leaked_locks(c, bare, out);
        }
    }
}

/// Locks a body acquires.
pub(super) fn acquired_locks(body: &[Stmt], out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::With { lock, .. } | Stmt::AcqRel { lock, .. } | Stmt::TryFinally { lock, .. } = s {
            out.insert(*lock);
        }
        for c in children(s) {
            acquired_locks(c, out);
        }
    }
}

pub(super) fn may_deadlock(p: &Prog) -> bool {
    // Main (its statements between start and join) is a thread like the others here.
    let bodies: Vec<&[Stmt]> =
        std::iter::once(&p.main_body[..]).chain(p.threads.iter().map(|&(f, _)| &p.funcs[f].body[..])).collect();
    let mut bare = BTreeSet::new();
    for b in &bodies {
        bare_released(b, &mut bare);
    }
    // Without bare releases a lock's acquires and releases pair up per thread, so a lock stays held
    // forever only if its holder dies between `acquire()` and `release()` (a `with` releases on the
    // way out), or its holder waits forever for another lock (a lock-order cycle).
    for i in 0..bodies.len() {
        let mut leaked = BTreeSet::new();
        leaked_locks(bodies[i], &bare, &mut leaked);
        for j in (0..bodies.len()).filter(|&j| j != i) {
            let mut used = BTreeSet::new();
            acquired_locks(bodies[j], &mut used);
            if leaked.intersection(&used).next().is_some() {
                return true;
            }
        }
    }
    let pairs: Vec<BTreeSet<(usize, usize)>> = bodies
        .iter()
        .map(|b| {
            let mut out = BTreeSet::new();
            lock_pairs(b, &mut Vec::new(), &mut out);
            out
        })
        .collect();
    for i in 0..pairs.len() {
        for j in 0..pairs.len() {
            if i != j && pairs[i].iter().any(|&(a, b)| pairs[j].contains(&(b, a))) {
                return true;
            }
        }
    }
    false
}
