//! [`Cached`]: a part of the state with its 128-bit hash kept beside it, so that fingerprinting
//! a state rehashes only the parts a step changed. The cache is dropped by every mutable access
//! (`DerefMut`), and kept by clones (a clone is equal, so its hash is the same).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A value and, once asked for, its hash (xxh3-128 over what its `Hash` feeds).
pub struct Cached<T> {
    value: T,
    hash: Memo,
}

/// A 128-bit hash computed at most once per change, readable and fillable through `&self` from
/// any thread. Two threads that fill it at once store the same value, so the halves cannot mix;
/// `ready` is set after both halves (release) and read before them (acquire). Unlike a
/// `OnceLock` it copies without a lock-free state machine: plain loads and stores on x86.
#[derive(Default)]
struct Memo {
    lo: AtomicU64,
    hi: AtomicU64,
    ready: AtomicBool,
}

impl Memo {
    #[inline]
    fn get(&self) -> Option<u128> {
        self.ready
            .load(Ordering::Acquire)
            .then(|| u128::from(self.lo.load(Ordering::Relaxed)) | u128::from(self.hi.load(Ordering::Relaxed)) << 64)
    }

    #[inline]
    fn set(&self, h: u128) {
        self.lo.store(h as u64, Ordering::Relaxed);
        self.hi.store((h >> 64) as u64, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
    }

    /// Forgets the hash (the value is about to change; `&mut` means no one else reads it).
    #[inline]
    fn clear(&mut self) {
        *self.ready.get_mut() = false;
    }
}

impl Clone for Memo {
    #[inline]
    fn clone(&self) -> Self {
        let m = Memo::default();
        if let Some(h) = self.get() {
            m.set(h);
        }
        m
    }
}

impl<T> Cached<T> {
    /// `value`, its hash not yet computed.
    pub fn new(value: T) -> Self {
        Cached { value, hash: Memo::default() }
    }
}

impl<T: Hash> Cached<T> {
    /// The value's 128-bit hash, computed once until the value changes.
    #[inline]
    pub fn digest(&self) -> u128 {
        match self.hash.get() {
            Some(h) => h,
            None => self.compute(),
        }
    }

    #[cold]
    #[inline(never)]
    fn compute(&self) -> u128 {
        let h = DIGEST.with(|d| match d.try_borrow_mut() {
            Ok(mut d) => d.digest(&self.value),
            Err(_) => Digest::default().digest(&self.value),
        });
        self.hash.set(h);
        h
    }
}

/// The value behind `a` for writing: copied first if another state shares it, its cached
/// hash dropped.
pub fn make_mut<T: Clone>(a: &mut std::sync::Arc<Cached<T>>) -> &mut T {
    let cached: &mut Cached<T> = std::sync::Arc::make_mut(a);
    cached
}

/// Bytes past which a digest streams instead of buffering (a long string on a thread's stack
/// is not copied beside the state's own buffer).
const BUFFERED: usize = 1 << 16;

/// xxh3-128 over what `Hash` feeds it: collected in a flat buffer and hashed in one call, or,
/// past [`BUFFERED`] bytes, streamed (xxh3's streaming and one-call forms agree on every input).
#[derive(Default)]
struct Digest {
    buf: Vec<u8>,
    stream: Option<Box<xxhash_rust::xxh3::Xxh3>>,
    /// Bytes fed to `stream`.
    streamed: u64,
}

impl Digest {
    fn digest<T: Hash>(&mut self, value: &T) -> u128 {
        self.buf.clear();
        self.stream = None;
        self.streamed = 0;
        value.hash(self);
        count_hashed(self.buf.len() as u64 + self.streamed);
        match self.stream.take() {
            Some(s) => s.digest128(),
            None => xxhash_rust::xxh3::xxh3_128(&self.buf),
        }
    }
}

thread_local! {
    static HASHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Adds `bytes` to this thread's count of bytes hashed.
pub(super) fn count_hashed(bytes: u64) {
    HASHED.with(|h| h.set(h.get() + bytes));
}

/// Bytes this thread has hashed so far, for fingerprints and cached digests together: what a
/// search may use to keep its fingerprinting in proportion to its stepping.
pub fn hashed_bytes() -> u64 {
    HASHED.with(|h| h.get())
}

impl Hasher for Digest {
    fn finish(&self) -> u64 {
        // Read through `Digest::digest`; this is what a `Hasher` must answer.
        xxhash_rust::xxh3::xxh3_64(&self.buf)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if self.stream.is_none() && self.buf.len() + bytes.len() <= BUFFERED {
            self.buf.extend_from_slice(bytes);
        } else {
            self.write_past(bytes);
        }
    }
}

impl Digest {
    #[cold]
    fn write_past(&mut self, bytes: &[u8]) {
        if let Some(s) = &mut self.stream {
            s.update(bytes);
            self.streamed += bytes.len() as u64;
        } else if self.buf.len() + bytes.len() > BUFFERED {
            let mut s = Box::new(xxhash_rust::xxh3::Xxh3::new());
            s.update(&self.buf);
            s.update(bytes);
            self.streamed += (self.buf.len() + bytes.len()) as u64;
            self.buf.clear();
            self.stream = Some(s);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }
}

thread_local! {
    static DIGEST: std::cell::RefCell<Digest> = const { std::cell::RefCell::new(Digest { buf: Vec::new(), stream: None, streamed: 0 }) };
}

impl<T> Deref for Cached<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Cached<T> {
    /// Any change may change the hash: the cache goes.
    fn deref_mut(&mut self) -> &mut T {
        self.hash.clear();
        &mut self.value
    }
}

impl<T: Default> Default for Cached<T> {
    fn default() -> Self {
        Cached::new(T::default())
    }
}

impl<T: Clone> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Cached { value: self.value.clone(), hash: self.hash.clone() }
    }
}

impl<T: PartialEq> PartialEq for Cached<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Cached<T> {}

impl<T: Hash> Hash for Cached<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(self.digest());
    }
}

impl<T: fmt::Debug> fmt::Debug for Cached<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Cached<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Cached<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Cached::new)
    }
}

#[cfg(test)]
mod tests {
    use super::Cached;

    /// A change through `DerefMut` drops the cached hash; a clone keeps it, and equal values
    /// hash alike whether cached or not. A value past the buffer's size streams, and hashes as
    /// xxh3 of the same bytes in one call.
    #[test]
    fn a_change_drops_the_cache() {
        let mut a = Cached::new(vec![1u32, 2]);
        let before = a.digest();
        a.push(3);
        let after = a.digest();
        assert_ne!(before, after);
        assert_eq!(Cached::new(vec![1u32, 2, 3]).digest(), after);
        let b = a.clone();
        assert_eq!(b.digest(), after);
        assert_eq!(a, b);
        let big = vec![7u8; 3 * super::BUFFERED];
        let mut bytes = Vec::new();
        std::hash::Hash::hash(&big, &mut Collect(&mut bytes));
        assert_eq!(Cached::new(big).digest(), xxhash_rust::xxh3::xxh3_128(&bytes));
    }

    struct Collect<'a>(&'a mut Vec<u8>);

    impl std::hash::Hasher for Collect<'_> {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, b: &[u8]) {
            self.0.extend_from_slice(b);
        }
    }
}
