//! What a step touched: the shared objects it read or wrote. Explorers use footprints to decide
//! which steps of different threads are independent (commute).

use crate::bytecode::GlobalId;

/// A shared object a step can touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Object {
    /// A module global.
    Global(GlobalId),
    /// A lock.
    Lock(u32),
    /// A thread's life cycle (start, finish, join).
    Thread(u32),
    /// The printed output.
    Output,
    /// The allocator of new locks and threads (ids are handed out in order).
    Alloc,
    /// A synchronisation object other than a `threading.Lock` (see [`super::SyncObj`]).
    Sync(u32),
}

/// One access: a read or a write of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// The accesses of one step (at most a handful; kept inline).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Footprint {
    items: [Option<Access>; 4],
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
        // More than four distinct accesses in one step cannot happen in the subset; widen to
        // a conservative "writes the allocator" so independence checks stay sound.
        self.items[3] = Some(Access::Write(Object::Alloc));
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
        self.iter().any(|a| matches!(a.object(), Object::Lock(_) | Object::Thread(_) | Object::Alloc | Object::Sync(_)))
    }

    /// Whether two steps conflict: they touch a common object and at least one writes it.
    pub fn conflicts(&self, other: &Footprint) -> bool {
        self.iter().any(|a| other.iter().any(|b| a.object() == b.object() && (a.is_write() || b.is_write())))
    }
}
