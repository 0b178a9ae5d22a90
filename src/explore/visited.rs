//! Visited sets keyed by state fingerprints. A fingerprint is already a uniform hash, so the
//! tables use its low 64 bits as their own hash instead of hashing it again.

use std::collections::{HashMap, HashSet};
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

/// A set of 128-bit fingerprints.
pub(crate) type KeySet = HashSet<Key, Build>;

/// A map from 128-bit fingerprints.
pub(crate) type KeyMap<V> = HashMap<Key, V, Build>;
