//! What a step touched: the shared objects it read or wrote. Explorers use footprints to decide
//! which steps of different threads are independent (commute).

use crate::bytecode::GlobalId;

/// A shared object a step can touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Object {
    /// A module global.
    Global(GlobalId),
    /// A lock.
    Lock(u32),
    /// A thread's life cycle (start, finish, join).
    Thread(u32),
    /// The printed output.
    Output,
    /// The allocator of new locks, threads and heap objects (ids are handed out in order).
    Alloc,
    /// A synchronisation object other than a `threading.Lock` (see [`super::SyncObj`]).
    Sync(u32),
    /// A heap object (list, dict, class or instance) by id.
    Heap(u32),
}

/// One access: a read or a write of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Access {
    /// Reads the object.
    Read(Object),
    /// Writes the object (lock operations are writes of the lock).
    Write(Object),
}

impl Access {
    /// The object accessed.
    pub fn object(self) -> Object {
        match self {
            Access::Read(o) | Access::Write(o) => o,
        }
    }

    /// Whether this access is a write.
    pub fn is_write(self) -> bool {
        matches!(self, Access::Write(_))
    }
}

/// The accesses of one step (at most a handful; kept inline). A step that touches more objects
/// than fit (e.g. comparing nested lists) is *widened*: it then conflicts with every step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Footprint {
    items: [Option<Access>; 6],
    widened: bool,
}

impl Footprint {
    /// Records an access (duplicates are kept once).
    pub fn add(&mut self, a: Access) {
        for slot in self.items.iter_mut() {
            match slot {
                Some(x) if *x == a => return,
                None => {
                    *slot = Some(a);
                    return;
                }
                _ => {}
            }
        }
        // Too many distinct accesses (a deep heap comparison or rendering): the step is
        // widened to conflict with everything, and also writes the allocator, so that explorers
        // that look only at the accesses treat it as a synchronising step.
        self.widened = true;
        self.items[self.items.len() - 1] = Some(Access::Write(Object::Alloc));
    }

    /// Whether the step touched more objects than a footprint lists (it conflicts with all).
    pub fn is_widened(&self) -> bool {
        self.widened
    }

    /// The accesses.
    pub fn iter(&self) -> impl Iterator<Item = Access> + '_ {
        self.items.iter().flatten().copied()
    }

    /// Whether the step touched no shared object (a thread-local step).
    pub fn is_local(&self) -> bool {
        self.items[0].is_none()
    }

    /// Whether the step touched a lock, a synchronisation object, a thread's life, or the allocator (anything that can
    /// change whether *other* threads can move).
    pub fn touches_sync(&self) -> bool {
        self.widened
            || self
                .iter()
                .any(|a| matches!(a.object(), Object::Lock(_) | Object::Thread(_) | Object::Alloc | Object::Sync(_)))
    }

    /// Whether the step read or wrote a heap object.
    pub fn touches_heap(&self) -> bool {
        self.widened || self.iter().any(|a| matches!(a.object(), Object::Heap(_)))
    }

    /// Whether two steps conflict: they touch a common object and at least one writes it.
    pub fn conflicts(&self, other: &Footprint) -> bool {
        (self.widened && !other.is_local())
            || (other.widened && !self.is_local())
            || self.iter().any(|a| other.iter().any(|b| a.object() == b.object() && (a.is_write() || b.is_write())))
    }
}

#[cfg(test)]
mod tests {
    use super::{Access, Object};
    use crate::engine::System;

    /// Every operation on a synchronisation object is a visible step whose footprint names the
    /// object, reads for `is_set()` and writes for the rest.
    #[test]
    fn sync_operations_are_visible_steps_with_footprints() {
        let m = crate::Model::from_source(
            "t.py",
            "import threading\nimport queue\ne = threading.Event()\ns = threading.Semaphore(2)\n\
             r = threading.RLock()\nq = queue.Queue()\ne.set()\nx = e.is_set()\ns.acquire()\nwith r:\n    q.put(1)\n",
        )
        .unwrap();
        let py = m.explorable();
        let mut state = py.init();
        let mut sync_steps = Vec::new();
        while state.threads[0].is_alive() {
            let local = py.next_step_is_local(&state, 0);
            let info = py.step(&mut state, 0);
            let touched: Vec<Access> =
                info.footprint.iter().filter(|a| matches!(a.object(), Object::Sync(_))).collect();
            if !touched.is_empty() {
                assert!(!local, "a step on a synchronisation object was called local: {touched:?}");
                assert!(info.footprint.touches_sync());
                sync_steps.push(touched);
            }
        }
        // e.set, e.is_set (a read), s.acquire, with r (enter and exit), q.put.
        assert_eq!(sync_steps.len(), 6, "{sync_steps:?}");
        assert_eq!(sync_steps[1], vec![Access::Read(Object::Sync(0))]);
        assert!(sync_steps.iter().enumerate().all(|(i, s)| i == 1 || s.iter().all(|a| a.is_write())));
    }
}
