//! Visited sets keyed by state fingerprints. A fingerprint is already a uniform hash, so the
//! tables do not hash it again: the graph search's map uses its low 64 bits as its hash, and the
//! open-addressed sets ([`OpenSet`]) place it by [`home`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A hasher that passes a `u64` through unchanged (any other input is mixed in bytewise).
#[derive(Default)]
pub(crate) struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// The tables' hasher.
pub(crate) type Build = BuildHasherDefault<FingerprintHasher>;

/// A 128-bit fingerprint as two 64-bit halves (8-byte aligned: a smaller table entry than
/// `u128`), hashed by its low half.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(u64, u64);

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.0);
    }
}

/// The key of fingerprint `fp`.
pub(crate) fn key(fp: u128) -> Key {
    Key(fp as u64, (fp >> 64) as u64)
}

/// A map from 128-bit fingerprints.
pub(crate) type KeyMap<V> = HashMap<Key, V, Build>;

/// A key of an [`OpenSet`]: a fingerprint (uniform bits), whose all-zero value marks an empty
/// slot.
pub(crate) trait Slot: Copy + Eq {
    /// The empty slot's pattern.
    const EMPTY: Self;
    /// The bits that choose the slot (all of them mixed: see [`home`]).
    fn index(self) -> u64;
}

impl Slot for u64 {
    const EMPTY: u64 = 0;
    fn index(self) -> u64 {
        self
    }
}

/// The home slot of a key with index bits `index` in an array of `2^(64 - shift)` slots:
/// Fibonacci hashing (the top bits of the product with 2^64/φ), so that keys that agree in some
/// bits (a worker's share of fingerprints, all equal modulo the workers) still spread.
#[inline]
pub(crate) fn home(index: u64, shift: u32) -> usize {
    (index.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize
}

/// A set of fingerprints in one open-addressed array (linear probing from [`home`]): a lookup touches one slot's cache line, where a general table reads a control byte
/// group first, and that line can be fetched ahead ([`OpenSet::prefetch`]). The capacity is a
/// power of two, at most 3/4 full.
pub(crate) struct OpenSet<K: Slot> {
    slots: Vec<K>,
    len: usize,
    /// Whether the key [`Slot::EMPTY`] itself is in the set.
    empty: bool,
}

impl<K: Slot> Default for OpenSet<K> {
    fn default() -> Self {
        OpenSet { slots: Vec::new(), len: 0, empty: false }
    }
}

impl<K: Slot> OpenSet<K> {
    /// Bytes per slot.
    pub const SLOT_BYTES: usize = std::mem::size_of::<K>();

    /// Keys stored.
    pub fn len(&self) -> usize {
        self.len + usize::from(self.empty)
    }

    /// Keys it holds before the next insert doubles it.
    pub fn capacity(&self) -> usize {
        self.slots.len() / 4 * 3
    }

    /// Bytes its slots take.
    pub fn bytes(&self) -> usize {
        self.slots.len() * Self::SLOT_BYTES
    }

    /// The slot array and its [`home`] shift, for [`prefetch_slot`] without a borrow.
    pub fn slots_and_shift(&self) -> (*const K, u32) {
        (self.slots.as_ptr(), self.shift())
    }

    fn shift(&self) -> u32 {
        64 - self.slots.len().trailing_zeros()
    }

    /// Asks the processor to fetch the slot where `k` would be looked up, so that an
    /// [`OpenSet::insert`] of it a little later does not wait on memory.
    #[inline]
    pub fn prefetch(&self, k: K) {
        if !self.slots.is_empty() {
            prefetch_slot(self.slots.as_ptr(), home(k.index(), self.shift()));
        }
    }

    /// Inserts `k`; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, k: K) -> bool {
        if k == K::EMPTY {
            return !std::mem::replace(&mut self.empty, true);
        }
        if self.len >= self.capacity() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = home(k.index(), self.shift());
        loop {
            let s = self.slots[i];
            if s == k {
                return false;
            }
            if s == K::EMPTY {
                self.slots[i] = k;
                self.len += 1;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![K::EMPTY; size]);
        let mask = size - 1;
        let shift = self.shift();
        for k in old.into_iter().filter(|k| *k != K::EMPTY) {
            let mut i = home(k.index(), shift);
            while self.slots[i] != K::EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = k;
        }
    }
}

/// Asks the processor to fetch slot `i` of the array at `slots` into its caches. Only a hint:
/// the address is not read here, and may even be of an array since freed.
#[inline]
pub(crate) fn prefetch_slot<K>(slots: *const K, i: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing into the program and cannot fault, whatever the address;
    // the address is computed without dereferencing (`wrapping_add`).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(slots.wrapping_add(i).cast())
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slots, i);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers as a `HashSet` on keys that collide in their low bits, repeat, and
    /// include the empty slot's pattern, across many growths.
    #[test]
    fn an_open_set_answers_as_a_hash_set_does() {
        let mut open: OpenSet<u64> = OpenSet::default();
        let mut reference = std::collections::HashSet::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..200_000u64 {
            // Every other key is a multiple of 2^20 (equal low bits); some repeat; 0 appears.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = match i % 4 {
                0 => (x % 5_000) << 20,
                1 => x % 70_000,
                2 => x,
                _ => 0,
            };
            let fresh = reference.insert(k);
            assert_eq!(open.insert(k), fresh, "key {k:#x}");
            open.prefetch(k);
        }
        assert_eq!(open.len(), reference.len());
        assert!(open.len() <= open.capacity());
        assert_eq!(open.bytes(), open.capacity() / 3 * 4 * 8);
    }
}
