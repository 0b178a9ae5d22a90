//! The Mersenne Twister (MT19937) as CPython's `_random` module runs it, for `random.seed(n)`:
//! the same seeding from an int (`init_by_array` over the absolute value's 32-bit words), the
//! same `random()` (53 bits from two draws) and `getrandbits(k)`, so a seeded program draws
//! python3.11's values.

use std::sync::Arc;

const N: usize = 624;
const M: usize = 397;

/// The generator's state: 624 words and the next index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Mt {
    words: Arc<[u32]>,
    index: usize,
}

impl Mt {
    fn init_genrand(s: u32) -> Vec<u32> {
        let mut mt = vec![0u32; N];
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1_812_433_253u32.wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        mt
    }

    /// `random.seed(n)` for an int `n`: CPython's `init_by_array` over the 32-bit words of |n|,
    /// least significant first (one zero word for 0).
    pub fn from_seed(words: &[u32]) -> Mt {
        let key: Vec<u32> = if words.is_empty() { vec![0] } else { words.to_vec() };
        let mut mt = Mt::init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
        Mt { words: mt.into(), index: N }
    }

    /// `genrand_uint32`: the next 32-bit draw.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            let mt = Arc::make_mut(&mut self.words);
            let mag = |y: u32| if y & 1 == 0 { 0 } else { 0x9908_b0df };
            for kk in 0..N {
                let y = (mt[kk] & 0x8000_0000) | (mt[(kk + 1) % N] & 0x7fff_ffff);
                mt[kk] = mt[(kk + M) % N] ^ (y >> 1) ^ mag(y);
            }
            self.index = 0;
        }
        let mut y = self.words[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: a float in [0, 1) from 53 bits of two draws.
    pub fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k` up to 64: words filled least significant first, the last one
    /// cut to the bits left.
    pub fn getrandbits(&mut self, k: u32) -> u64 {
        if k == 0 {
            return 0;
        }
        if k <= 32 {
            return u64::from(self.next_u32() >> (32 - k));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        low | (high << 32)
    }

    /// `_randbelow_with_getrandbits(n)` for `n` > 0: draws of `n.bit_length()` bits until one is
    /// below `n`; the value and how many draws it took.
    pub fn below(&mut self, n: u64) -> (u64, u32) {
        let k = 64 - n.leading_zeros();
        let mut tries = 1;
        let mut r = self.getrandbits(k);
        while r >= n {
            r = self.getrandbits(k);
            tries += 1;
        }
        (r, tries)
    }
}
