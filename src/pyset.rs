//! An exact emulation of CPython 3.11's set hash table (`Objects/setobject.c`) and of the numeric and
//! tuple hash functions the table is fed with (`Python/pyhash.c`, `Objects/longobject.c`,
//! `Objects/tupleobject.c`).
//!
//! The iteration order of a [`SetTable`] is the order python3.11 shows for a `set` built by the same
//! sequence of operations from elements with the same hashes: slot layout, probe sequence, growth,
//! dummy handling and the merge/copy shortcuts all follow CPython 3.11 on a 64-bit build.
//!
//! Equality of elements is supplied by the caller (see [`KeyEq`]) because Python equality
//! (`1 == 1.0 == True`) lives in the VM. Strings are not hashed here: CPython randomises their hashes.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

/// Number of slots of a fresh table (`PySet_MINSIZE`).
const MINSIZE: usize = 8;
/// Extra neighbouring slots examined after each probe position (`LINEAR_PROBES`).
const LINEAR_PROBES: usize = 9;
/// Shift applied to the perturbation between probe runs (`PERTURB_SHIFT`).
const PERTURB_SHIFT: u32 = 5;
/// Modulus of numeric hashes on 64-bit builds: 2**61 - 1.
const HASH_MODULUS: u64 = (1 << 61) - 1;
/// Number of bits of [`HASH_MODULUS`].
const HASH_BITS: i64 = 61;
/// Hash of `float('inf')`.
const HASH_INF: i64 = 314_159;

/// Caller-supplied equality of two elements: `eq(stored, probe)` mirrors `stored == probe` in CPython.
pub(crate) type KeyEq<'a, V> = &'a mut dyn FnMut(&V, &V) -> bool;

/// One slot of the table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
enum Slot<V> {
    /// Never used since the last rebuild.
    Empty,
    /// Held an element that was removed; probing continues past it.
    Dummy,
    /// Holds an element and its hash.
    Active(i64, V),
}

/// Outcome of probing for an element.
enum Probe {
    /// The element sits at this slot.
    Found(usize),
    /// The element is absent: the empty slot that ended the search, and the last dummy passed on the way.
    Absent { empty: usize, dummy: Option<usize> },
}

/// CPython 3.11's open-addressing set table (`PySetObject` without the object header).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SetTable<V> {
    /// Number of slots minus one (slot count is a power of two).
    mask: usize,
    /// Active plus dummy slots.
    fill: usize,
    /// Active slots, i.e. `len()`.
    used: usize,
    /// Where the next `pop()` starts searching.
    finger: usize,
    /// The slots, `mask + 1` of them.
    slots: Vec<Slot<V>>,
}

impl<V> Default for SetTable<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// A vector of `n` empty slots.
fn empty_slots<V>(n: usize) -> Vec<Slot<V>> {
    (0..n).map(|_| Slot::Empty).collect()
}

/// Visits slot indices in CPython's probe order for `hash` until `visit` returns true; returns that index.
/// Each probe position `i` is followed by `LINEAR_PROBES` neighbours when they fit below `mask`, then the
/// next position is `(5 * i + 1 + perturb) & mask` with `perturb` shifted right by `PERTURB_SHIFT` first.
fn walk(mask: usize, hash: i64, mut visit: impl FnMut(usize) -> bool) -> usize {
    let mask64 = mask as u64;
    let mut perturb = hash as u64;
    let mut i = perturb & mask64;
    loop {
        let run = if i + LINEAR_PROBES as u64 <= mask64 { LINEAR_PROBES as u64 } else { 0 };
        for j in i..=i + run {
            if visit(j as usize) {
                return j as usize;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb) & mask64;
    }
}

/// Puts an element known to be absent into the first empty slot of its probe sequence (`set_insert_clean`).
/// The caller keeps `fill` and `used` up to date.
fn insert_clean<V>(slots: &mut [Slot<V>], mask: usize, hash: i64, value: V) {
    let at = walk(mask, hash, |j| matches!(slots[j], Slot::Empty));
    slots[at] = Slot::Active(hash, value);
}

/// The size argument CPython passes to `set_table_resize` when an insertion fills the table.
fn growth(used: usize) -> usize {
    if used > 50_000 {
        used * 2
    } else {
        used * 4
    }
}

impl<V> SetTable<V> {
    /// An empty set with the minimal table of 8 slots.
    pub(crate) fn new() -> Self {
        SetTable { mask: MINSIZE - 1, fill: 0, used: 0, finger: 0, slots: empty_slots(MINSIZE) }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    /// Whether the set has no elements.
    pub(crate) fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Elements in table order: what `for x in s`, `list(s)` and `repr(s)` see.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &V> + '_ {
        self.entries().map(|(_, v)| v)
    }

    /// The first element at slot `pos` or after it, with its slot (what a set iterator's next
    /// step finds: `setiter_iternext` walks the live table from its position).
    pub(crate) fn next_active(&self, pos: usize) -> Option<(usize, &V)> {
        self.slots.iter().enumerate().skip(pos).find_map(|(i, slot)| match slot {
            Slot::Active(_, v) => Some((i, v)),
            _ => None,
        })
    }

    /// Elements with their stored hashes, in table order (`set_next`).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (i64, &V)> + '_ {
        self.slots.iter().filter_map(|s| match s {
            Slot::Active(h, v) => Some((*h, v)),
            _ => None,
        })
    }

    /// Probes for `value` the way `set_lookkey` and `set_add_entry` do, remembering the last dummy seen.
    fn probe(&self, hash: i64, value: &V, eq: KeyEq<'_, V>) -> Probe {
        debug_assert!(hash != -1, "-1 is never a Python hash");
        let mut found = false;
        let mut dummy = None;
        let at = walk(self.mask, hash, |j| match &self.slots[j] {
            Slot::Empty => true,
            Slot::Dummy => {
                dummy = Some(j);
                false
            }
            Slot::Active(h, v) => {
                found = *h == hash && eq(v, value);
                found
            }
        });
        if found {
            Probe::Found(at)
        } else {
            Probe::Absent { empty: at, dummy }
        }
    }

    /// Rebuilds the table with the smallest power-of-two size above `minused` (`set_table_resize`):
    /// dummies vanish and active elements are reinserted in old table order. A minimal table without
    /// dummies is left alone.
    fn resize(&mut self, minused: usize) {
        let mut newsize = MINSIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        if newsize == MINSIZE && self.mask == MINSIZE - 1 && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, empty_slots(newsize));
        self.mask = newsize - 1;
        self.fill = self.used;
        for slot in old {
            if let Slot::Active(h, v) = slot {
                insert_clean(&mut self.slots, self.mask, h, v);
            }
        }
    }

    /// Adds an element (`set_add_entry`); returns false, keeping the stored element, if an equal one is
    /// present. A new element takes the last dummy on its probe path if there was one (no growth check
    /// then), otherwise the empty slot that ended the search, growing the table once `fill * 5 >= mask * 3`.
    pub(crate) fn add(&mut self, hash: i64, value: V, eq: KeyEq<'_, V>) -> bool {
        match self.probe(hash, &value, eq) {
            Probe::Found(_) => false,
            Probe::Absent { dummy: Some(d), .. } => {
                self.slots[d] = Slot::Active(hash, value);
                self.used += 1;
                true
            }
            Probe::Absent { empty, dummy: None } => {
                self.slots[empty] = Slot::Active(hash, value);
                self.fill += 1;
                self.used += 1;
                if self.fill * 5 >= self.mask * 3 {
                    self.resize(growth(self.used));
                }
                true
            }
        }
    }

    /// Whether an element equal to `value` is present (`set_contains_entry`).
    pub(crate) fn contains(&self, hash: i64, value: &V, eq: KeyEq<'_, V>) -> bool {
        matches!(self.probe(hash, value, eq), Probe::Found(_))
    }

    /// Removes and returns the stored element equal to `value`, leaving a dummy (`set_discard_entry`).
    /// The table never shrinks here.
    pub(crate) fn discard(&mut self, hash: i64, value: &V, eq: KeyEq<'_, V>) -> Option<V> {
        match self.probe(hash, value, eq) {
            Probe::Found(at) => match std::mem::replace(&mut self.slots[at], Slot::Dummy) {
                Slot::Active(_, v) => {
                    self.used -= 1;
                    Some(v)
                }
                _ => unreachable!("probe found an inactive slot"),
            },
            Probe::Absent { .. } => None,
        }
    }

    /// Removes and returns the first element at or after the finger, wrapping around (`set_pop`);
    /// the finger then points just past the removed slot. `None` on an empty set.
    pub(crate) fn pop(&mut self) -> Option<V> {
        if self.used == 0 {
            return None;
        }
        let mut i = self.finger & self.mask;
        while !matches!(self.slots[i], Slot::Active(..)) {
            i += 1;
            if i > self.mask {
                i = 0;
            }
        }
        self.finger = i + 1;
        self.used -= 1;
        match std::mem::replace(&mut self.slots[i], Slot::Dummy) {
            Slot::Active(_, v) => Some(v),
            _ => unreachable!("pop stopped on an inactive slot"),
        }
    }

    /// Empties the set back to the minimal table (`set_clear_internal`). The pop finger is kept, as in CPython.
    pub(crate) fn clear(&mut self) {
        self.slots = empty_slots(MINSIZE);
        self.mask = MINSIZE - 1;
        self.fill = 0;
        self.used = 0;
    }

    /// Adds elements one by one in the given order: `s.update(iterable)` and `set(iterable)` for an
    /// iterable that is neither a set nor a dict (no pre-sizing).
    pub(crate) fn update(&mut self, items: impl IntoIterator<Item = (i64, V)>, eq: KeyEq<'_, V>) {
        for (h, v) in items {
            self.add(h, v, eq);
        }
    }

    /// `s.update(d)` / `set(d)` for an exact dict `d`: `set_update_internal` first grows the table once
    /// for `len(d)` extra keys, then adds the keys in dict order with their stored hashes.
    pub(crate) fn update_from_dict_keys(&mut self, keys: impl ExactSizeIterator<Item = (i64, V)>, eq: KeyEq<'_, V>) {
        let n = keys.len();
        if (self.fill + n) * 5 >= self.mask * 3 {
            self.resize((self.used + n) * 2);
        }
        self.update(keys, eq);
    }

    /// Symmetric difference in place, `s ^= t` (`set_symmetric_difference_update` with a set operand):
    /// iterates `other` in table order, discarding each element found in `self` and adding the others.
    /// When `other` is the very same Python object, CPython clears instead: use [`SetTable::clear`].
    pub(crate) fn symmetric_difference_update(&mut self, other: &Self, eq: KeyEq<'_, V>)
    where
        V: Clone,
    {
        for (h, v) in other.entries() {
            if self.discard(h, v, eq).is_none() {
                self.add(h, v.clone(), eq);
            }
        }
    }
}

impl<V: Clone> SetTable<V> {
    /// `s.update(t)` / `s |= t` for a set `t` (`set_merge`). Grows once up front when
    /// `(fill + len(t)) * 5 >= mask * 3` (to the size for `(len(s) + len(t)) * 2`). Then, if `self` is
    /// still empty, same-sized, and `t` has no dummies, the slots are copied position for position; if
    /// `self` is empty otherwise, `t`'s elements are reinserted in `t`'s table order; else they are added
    /// one by one. `t` empty is a no-op. When `t` is the very same Python object, CPython does nothing:
    /// the caller must skip the call.
    pub(crate) fn update_from(&mut self, other: &Self, eq: KeyEq<'_, V>) {
        if other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask == other.mask && other.fill == other.used {
            self.slots.clone_from(&other.slots);
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for (h, v) in other.entries() {
                insert_clean(&mut self.slots, self.mask, h, v.clone());
            }
            return;
        }
        for (h, v) in other.entries() {
            self.add(h, v.clone(), eq);
        }
    }

    /// `s.copy()`, `set(s)` and `frozenset(s)` for a set `s`: a fresh table merged from `self`
    /// (`make_new_set` then `set_merge`), so a set of 5 or more elements gets the table size for
    /// `2 * len` and is re-laid out, and a set with dummies is re-laid out too.
    pub(crate) fn copy(&self) -> Self {
        let mut result = Self::new();
        result.update_from(self, &mut |_, _| unreachable!("merging into an empty set never compares"));
        result
    }

    /// `a | b` / `a.union(b)` (`set_or`): a copy of `a` merged with `b` as [`SetTable::update_from`] does.
    /// When `a` and `b` are the very same Python object, CPython returns just the copy: use
    /// [`SetTable::copy`] instead.
    pub(crate) fn union(a: &Self, b: &Self, eq: KeyEq<'_, V>) -> Self {
        let mut result = a.copy();
        result.update_from(b, eq);
        result
    }

    /// `a & b` / `a.intersection(b)` for sets (`set_intersection`): iterates the smaller operand in table
    /// order (`b` when the sizes are equal) and adds those elements found in the larger one to a fresh set;
    /// the stored elements come from the iterated operand. When `a` and `b` are the very same Python object,
    /// CPython returns a copy: use [`SetTable::copy`] instead.
    pub(crate) fn intersection(a: &Self, b: &Self, eq: KeyEq<'_, V>) -> Self {
        let (big, small) = if b.used > a.used { (b, a) } else { (a, b) };
        let mut result = Self::new();
        for (h, v) in small.entries() {
            if big.contains(h, v, eq) {
                result.add(h, v.clone(), eq);
            }
        }
        result
    }

    /// `s -= t` / `s.difference_update(t)` for a set `t` (`set_difference_update_internal`): discards each
    /// element of `t`, then rebuilds the table if more than `mask / 4` slots are dummies. (CPython versions
    /// that first intersect a much larger `t` discard the same elements, so the layout is the same.) When `t`
    /// is the very same Python object, CPython clears instead: use [`SetTable::clear`].
    pub(crate) fn difference_update(&mut self, other: &Self, eq: KeyEq<'_, V>) {
        for (h, v) in other.entries() {
            self.discard(h, v, eq);
        }
        if self.fill - self.used > self.mask / 4 {
            self.resize(growth(self.used));
        }
    }

    /// `a - b` / `a.difference(b)` for sets (`set_difference`). When `len(a) >> 2 > len(b)` the result is
    /// a copy of `a` with `b`'s elements discarded (`set_copy_and_difference`, keeping `a`'s copied layout
    /// with dummies); otherwise `a` is iterated in table order and the elements absent from `b` are added
    /// to a fresh set.
    pub(crate) fn difference(a: &Self, b: &Self, eq: KeyEq<'_, V>) -> Self {
        if (a.used >> 2) > b.used {
            let mut result = a.copy();
            result.difference_update(b, eq);
            return result;
        }
        let mut result = Self::new();
        for (h, v) in a.entries() {
            if !b.contains(h, v, eq) {
                result.add(h, v.clone(), eq);
            }
        }
        result
    }

    /// `a ^ b` / `a.symmetric_difference(b)` (`set_symmetric_difference`): a copy of `b` (built as
    /// `set(b)`), then `a` is iterated in table order, each element discarded from the copy if present
    /// (leaving a dummy) or else added to it.
    pub(crate) fn symmetric_difference(a: &Self, b: &Self, eq: KeyEq<'_, V>) -> Self {
        let mut result = b.copy();
        result.symmetric_difference_update(a, eq);
        result
    }
}

/// Maps a raw hash of -1, reserved for errors in CPython, to -2.
fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Hash of a Python `int` in the `i64` range (`long_hash`): sign times `|v| mod (2**61 - 1)`, -1 → -2.
pub(crate) fn hash_int(v: i64) -> i64 {
    let x = (v.unsigned_abs() % HASH_MODULUS) as i64;
    fix_minus_one(if v < 0 { -x } else { x })
}

/// Hash of an arbitrary-size Python `int` (`long_hash`), equal to [`hash_int`] on the `i64` range.
pub(crate) fn hash_bigint(v: &BigInt) -> i64 {
    let x = (v.magnitude() % HASH_MODULUS).to_i64().expect("a residue below 2**61 fits in i64");
    fix_minus_one(if v.is_negative() { -x } else { x })
}

/// Hash of a Python `bool`: that of the int 0 or 1.
pub(crate) fn hash_bool(v: bool) -> i64 {
    i64::from(v)
}

/// Hash of a Python `float` (`_Py_HashDouble`): the residue of the exact rational value modulo
/// 2**61 - 1 (so integral floats hash like ints), ±314159 for ±inf, -1 → -2. For NaN CPython 3.11 uses
/// the object's address, which this cannot know: `None`.
pub(crate) fn hash_float(v: f64) -> Option<i64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { HASH_INF } else { -HASH_INF });
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    // |v| = mantissa * 2**exponent exactly.
    let (mantissa, exponent) = if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
    // 2**61 ≡ 1 (mod 2**61 - 1), so 2**exponent ≡ 2**(exponent mod 61), also for negative exponents.
    let shift = exponent.rem_euclid(HASH_BITS) as u32;
    let x = ((u128::from(mantissa) << shift) % u128::from(HASH_MODULUS)) as i64;
    Some(fix_minus_one(if v.is_sign_negative() { -x } else { x }))
}

/// Hash of a tuple from its items' hashes (3.11's xxHash-based `tuplehash`, 64-bit constants);
/// a result of -1 becomes 1546275796.
pub(crate) fn hash_tuple(items: &[i64]) -> i64 {
    const PRIME_1: u64 = 11_400_714_785_074_694_791;
    const PRIME_2: u64 = 14_029_467_366_897_019_727;
    const PRIME_5: u64 = 2_870_177_450_012_600_261;
    let mut acc = PRIME_5;
    for &h in items {
        acc = acc.wrapping_add((h as u64).wrapping_mul(PRIME_2)).rotate_left(31).wrapping_mul(PRIME_1);
    }
    acc = acc.wrapping_add((items.len() as u64) ^ (PRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        1_546_275_796
    } else {
        acc as i64
    }
}

#[cfg(test)]
mod tests {
    //! Expected values were printed by python3.11 (64-bit) for the same operations.

    use super::*;

    /// Equality of ints.
    fn eq(a: &i64, b: &i64) -> bool {
        a == b
    }

    /// A set of ints built by adding `items` in order, like a `for` loop of `s.add(x)`.
    fn ints(items: &[i64]) -> SetTable<i64> {
        let mut s = SetTable::new();
        for &x in items {
            s.add(hash_int(x), x, &mut eq);
        }
        s
    }

    /// `list(s)`.
    fn list(s: &SetTable<i64>) -> Vec<i64> {
        s.iter().copied().collect()
    }

    /// `(hash, value)` pairs of `items`.
    fn pairs(items: &[i64]) -> impl ExactSizeIterator<Item = (i64, i64)> + '_ {
        items.iter().map(|&x| (hash_int(x), x))
    }

    #[test]
    fn insertion_order_of_small_large_and_negative_ints() {
        assert_eq!(list(&ints(&[5, 3, 1, 7, 2])), [1, 2, 3, 5, 7]);
        assert_eq!(list(&ints(&[3, 1, 4, 1, 5, 9, 2, 6])), [1, 2, 3, 4, 5, 6, 9]);
        let big = [1_000_000_000_000, (1 << 40) + 3, 123_456_789, (1 << 61) + 5, 1 << 62, 9_999_999_967];
        assert_eq!(
            list(&ints(&big)),
            [1_000_000_000_000, 4611686018427387904, 1099511627779, 2305843009213693957, 123456789, 9999999967]
        );
        let neg = [-1, -2, -3, -8, -100, 0, 7, -(1 << 62)];
        assert_eq!(list(&ints(&neg)), [0, 7, -2, -4611686018427387904, -8, -100, -3, -1]);
    }

    #[test]
    fn colliding_ints() {
        assert_eq!(list(&ints(&[0, 8, 16, 32, 64])), [0, 32, 64, 8, 16]);
        assert_eq!(list(&ints(&[64, 32, 16, 8, 0])), [64, 32, 0, 8, 16]);
        assert_eq!(list(&ints(&[0, 32, 64, 96, 128, 160])), [0, 32, 64, 96, 128, 160]);
    }

    #[test]
    fn growth_through_several_resizes() {
        let s: Vec<i64> = (0..50).map(|i| i * 37).collect();
        assert_eq!(
            list(&ints(&s)),
            [
                0, 1665, 259, 518, 777, 1036, 1295, 1554, 148, 1813, 407, 666, 925, 1184, 1443, 37, 1702, 296, 555,
                814, 1073, 1332, 1591, 185, 444, 703, 962, 1221, 1480, 74, 1739, 333, 592, 851, 1110, 1369, 1628, 222,
                481, 740, 999, 1258, 1517, 111, 1776, 370, 629, 888, 1147, 1406
            ]
        );
        let s: Vec<i64> = (0..50).map(|i| i * 8).collect();
        assert_eq!(
            list(&ints(&s)),
            [
                0, 128, 256, 384, 8, 136, 264, 392, 16, 144, 272, 24, 152, 280, 32, 160, 288, 40, 168, 296, 48, 176,
                304, 56, 184, 312, 64, 192, 320, 72, 200, 328, 80, 208, 336, 88, 216, 344, 96, 224, 248, 352, 376, 104,
                232, 360, 112, 240, 368, 120
            ]
        );
    }

    #[test]
    fn removals_then_additions_reuse_the_last_dummy_on_the_path() {
        let mut s = ints(&[20, 21, 22, 0, 1, 64]);
        assert_eq!(list(&s), [0, 1, 64, 20, 21, 22]);
        assert_eq!(s.discard(hash_int(0), &0, &mut eq), Some(0));
        assert_eq!(s.discard(hash_int(64), &64, &mut eq), Some(64));
        assert_eq!(s.discard(hash_int(64), &64, &mut eq), None);
        assert!(s.add(hash_int(96), 96, &mut eq));
        assert_eq!(list(&s), [1, 96, 20, 21, 22]);
        assert_eq!(s.len(), 5);

        let mut s = ints(&(0..10).collect::<Vec<_>>());
        s.discard(hash_int(3), &3, &mut eq);
        s.discard(hash_int(5), &5, &mut eq);
        for x in [13, 21, 11] {
            s.add(hash_int(x), x, &mut eq);
        }
        assert_eq!(list(&s), [0, 1, 2, 4, 6, 7, 8, 9, 11, 13, 21]);
        assert!(s.contains(hash_int(21), &21, &mut eq));
        assert!(!s.contains(hash_int(3), &3, &mut eq));
    }

    #[test]
    fn pop_sequences_follow_the_finger() {
        let mut s = ints(&[5, 3, 100, 17, 42, 8]);
        assert_eq!(list(&s), [3, 100, 5, 8, 42, 17]);
        let pops: Vec<i64> = std::iter::from_fn(|| s.pop()).collect();
        assert_eq!(pops, [3, 100, 5, 8, 42, 17]);
        assert!(s.is_empty());

        let mut s = ints(&[1, 2, 3]);
        assert_eq!(s.pop(), Some(1));
        s.add(hash_int(9), 9, &mut eq);
        s.add(hash_int(17), 17, &mut eq);
        assert_eq!(s.pop(), Some(2));
        assert_eq!(s.pop(), Some(3));
        assert_eq!(list(&s), [9, 17]);
    }

    #[test]
    fn clear_keeps_the_finger_and_returns_to_the_small_table() {
        let mut s = ints(&[1, 2, 3]);
        assert_eq!((s.pop(), s.pop()), (Some(1), Some(2)));
        s.clear();
        assert_eq!(s.pop(), None);
        s.update(pairs(&[0, 1, 2, 3]), &mut eq);
        assert_eq!(s.pop(), Some(3));
        assert_eq!(list(&s), [0, 1, 2]);

        let mut s = ints(&(0..40).collect::<Vec<_>>());
        s.clear();
        assert_eq!(s, SetTable::new());
        s.update(pairs(&[9, 1, 17]), &mut eq);
        assert_eq!(list(&s), [9, 1, 17]);
    }

    #[test]
    fn copy_relays_out_sets_with_dummies_or_five_elements() {
        let mut s = ints(&[49, 47, 0, 42, 63, 4, 10]);
        s.discard(hash_int(10), &10, &mut eq);
        s.discard(hash_int(63), &63, &mut eq);
        assert_eq!(list(&s), [0, 4, 42, 47, 49]);
        assert_eq!(list(&s.copy()), [0, 49, 4, 42, 47]);

        let s = ints(&[34, 145, 195, 16, 65]);
        assert_eq!(list(&s), [65, 34, 195, 16, 145]);
        assert_eq!(list(&s.copy()), [16, 65, 34, 195, 145]);

        let s = ints(&[16, 8, 0]);
        assert_eq!(s.copy(), s);
        assert_eq!(list(&s.copy()), [16, 8, 0]);
    }

    #[test]
    fn union() {
        let a = ints(&[1, 9, 17, 4]);
        let b = ints(&[25, 33, 2, 1, 12]);
        assert_eq!(list(&SetTable::union(&a, &b, &mut eq)), [1, 2, 33, 4, 9, 12, 17, 25]);
        assert_eq!(list(&SetTable::union(&b, &a, &mut eq)), [1, 2, 33, 4, 9, 12, 17, 25]);
    }

    #[test]
    fn intersection_iterates_the_smaller_operand() {
        let a = ints(&[0, 8, 16]);
        let b = ints(&[16, 8, 0]);
        assert_eq!((list(&a), list(&b)), (vec![0, 8, 16], vec![16, 8, 0]));
        assert_eq!(list(&SetTable::intersection(&a, &b, &mut eq)), [16, 8, 0]);
        assert_eq!(list(&SetTable::intersection(&b, &a, &mut eq)), [0, 8, 16]);
        let a = ints(&[16, 8, 0, 1]);
        assert_eq!(list(&SetTable::intersection(&a, &b, &mut eq)), [16, 8, 0]);
        assert_eq!(list(&SetTable::intersection(&b, &a, &mut eq)), [16, 8, 0]);
    }

    #[test]
    fn difference_both_branches() {
        // len(a) >> 2 > len(b): a copy of `a` with dummies left by the discards.
        let a = ints(&(0..200).step_by(3).collect::<Vec<_>>());
        let b = ints(&[3, 6, 9, 300, 12]);
        let mut r = SetTable::difference(&a, &b, &mut eq);
        let mut want: Vec<i64> = vec![0];
        want.extend((15..200).step_by(3));
        assert_eq!(list(&r), want);
        r.add(hash_int(6), 6, &mut eq);
        r.add(hash_int(301), 301, &mut eq);
        want.insert(1, 6);
        want.insert(13, 301);
        assert_eq!(list(&r), want);
        // Otherwise a fresh set filled in `a`'s order.
        let a = ints(&[7, 15, 23, 31, 39]);
        assert_eq!(list(&SetTable::difference(&a, &ints(&[15, 31, 47]), &mut eq)), [7, 23, 39]);
        let a = ints(&[64, 32, 16, 8, 0]);
        assert_eq!(list(&SetTable::difference(&a, &ints(&[8]), &mut eq)), [64, 0, 32, 16]);
    }

    #[test]
    fn symmetric_difference() {
        let a = ints(&[1, 2, 3, 9, 17]);
        let b = ints(&[3, 25, 9, 41]);
        assert_eq!(list(&SetTable::symmetric_difference(&a, &b, &mut eq)), [1, 2, 41, 17, 25]);
        assert_eq!(list(&SetTable::symmetric_difference(&b, &a, &mut eq)), [1, 2, 17, 41, 25]);
        let mut s = ints(&[1, 9, 17]);
        s.symmetric_difference_update(&ints(&[9, 25]), &mut eq);
        assert_eq!(list(&s), [1, 25, 17]);
    }

    #[test]
    fn updates_from_lists_sets_and_dicts() {
        let mut s = ints(&[5, 13]);
        s.update(pairs(&[21, 29, 5, 37, 2]), &mut eq);
        assert_eq!(list(&s), [2, 37, 5, 13, 21, 29]);
        let mut s = ints(&[5, 13]);
        s.update_from(&ints(&[21, 29, 5, 37, 2]), &mut eq);
        assert_eq!(list(&s), [2, 29, 5, 37, 21, 13]);
        let mut s = ints(&[5, 13]);
        s.update_from(&ints(&[21, 29]), &mut eq);
        assert_eq!(list(&s), [21, 13, 29, 5]);

        let keys = [7, 15, 23, 31, 39, 47];
        let mut from_list = SetTable::new();
        from_list.update(pairs(&keys), &mut eq);
        assert_eq!(list(&from_list), [39, 7, 15, 47, 23, 31]);
        let mut from_dict = SetTable::new();
        from_dict.update_from_dict_keys(pairs(&keys), &mut eq);
        assert_eq!(list(&from_dict), [23, 39, 7, 31, 47, 15]);
    }

    #[test]
    fn difference_update_rebuilds_when_dummies_pile_up() {
        let mut s = ints(&(0..40).collect::<Vec<_>>());
        s.difference_update(&ints(&(0..40).step_by(2).collect::<Vec<_>>()), &mut eq);
        assert_eq!(list(&s), (1..40).step_by(2).collect::<Vec<_>>());
        s.add(hash_int(64), 64, &mut eq);
        s.add(hash_int(128), 128, &mut eq);
        assert_eq!(list(&s), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 128, 25, 27, 29, 31, 33, 35, 37, 39, 64]);
    }

    #[test]
    fn equal_keys_of_different_types_keep_the_first() {
        // (value, type tag); equal when the numeric values are equal, as for 1 == 1.0 == True.
        let mut veq = |a: &(f64, char), b: &(f64, char)| a.0 == b.0;
        let mut s = SetTable::new();
        for (v, tag) in [(1.0, 'i'), (1.0, 'f'), (1.0, 'b'), (2.5, 'f')] {
            s.add(hash_float(v).unwrap(), (v, tag), &mut veq);
        }
        // python3.11: list({1, 1.0, True, 2.5}) == [1, 2.5]
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [(1.0, 'i'), (2.5, 'f')]);
        let mut s = SetTable::new();
        for (v, tag) in [(2.0, 'f'), (2.0, 'i'), (0.5, 'f'), (0.0, 'i')] {
            s.add(hash_float(v).unwrap(), (v, tag), &mut veq);
        }
        // python3.11: list({2.0, 2, 0.5, 0}) == [0.5, 0, 2.0]
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [(0.5, 'f'), (0.0, 'i'), (2.0, 'f')]);
    }

    #[test]
    fn int_hashes() {
        assert_eq!(hash_int(-1), -2);
        assert_eq!(hash_int(-2), -2);
        assert_eq!(hash_int(0), 0);
        assert_eq!(hash_int((1 << 61) - 1), 0);
        assert_eq!(hash_int(1 << 61), 1);
        assert_eq!(hash_int(-(1 << 61)), -2);
        assert_eq!(hash_int(i64::MIN), -4);
        assert_eq!(hash_int(i64::MAX), 3);
        assert_eq!((hash_bool(false), hash_bool(true)), (0, 1));
        let big = |s: &str| hash_bigint(&s.parse::<BigInt>().unwrap());
        assert_eq!(big("-1"), -2);
        assert_eq!(big("2305843009213693952"), 1);
        assert_eq!(big("-2305843009213693952"), -2);
        assert_eq!(big("9223372036854775808"), 4);
        assert_eq!(big("1267650600228229401496703205376"), 549755813888);
        assert_eq!(big("-1267650600228229401496703205369"), -549755813881);
        assert_eq!(big("1000000000000000000000000000000"), 465258685558744706);
    }

    #[test]
    fn float_hashes() {
        assert_eq!(hash_float(0.5), Some(1152921504606846976));
        assert_eq!(hash_float(1.5), Some(1152921504606846977));
        assert_eq!(hash_float(-0.25), Some(-576460752303423488));
        assert_eq!(hash_float(1e300), Some(1224995262755759164));
        assert_eq!(hash_float(f64::INFINITY), Some(314159));
        assert_eq!(hash_float(f64::NEG_INFINITY), Some(-314159));
        assert_eq!(hash_float(f64::NAN), None);
        assert_eq!(hash_float(2.0), Some(2));
        assert_eq!(hash_float(-1.0), Some(-2));
        assert_eq!(hash_float(-0.0), Some(0));
        assert_eq!(hash_float(5e-324), Some(16777216));
        assert_eq!(hash_float(1e-300), Some(482449582752280463));
        assert_eq!(hash_float(std::f64::consts::PI), Some(326490430436040707));
        assert_eq!(hash_float(-2.5e15), Some(-2500000000000000));
    }

    #[test]
    fn tuple_hashes() {
        assert_eq!(hash_tuple(&[hash_int(1), hash_int(2)]), -3550055125485641917);
        assert_eq!(hash_tuple(&[]), 5740354900026072187);
        assert_eq!(hash_tuple(&[hash_int(-1)]), 8078679518589016365);
        assert_eq!(hash_tuple(&[hash_tuple(&[1, 2]), hash_int(3)]), -333907151259015829);
    }
}
