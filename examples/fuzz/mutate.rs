//! Mutated sources: the seed corpus (every `.py` under `models/` and `tests/fixtures/`) and
//! mutations of it: byte flips, token deletion and duplication, line swaps, truncation,
//! splicing two files, inserted snippets, non-UTF-8 bytes.

use super::gen::OUTSIDE;
use super::rng::Rng;
use std::path::Path;

/// Every `.py` file under `models/` and `tests/fixtures/` of the repository at `root`, sorted
/// by path (so that a seed names the same inputs on every machine).
pub fn corpus(root: &Path) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for dir in ["models", "tests/fixtures"] {
        collect(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

/// Snippets of the subset, inserted as whole lines.
const INSIDE: &[&str] = &[
    "x = 0",
    "global balance",
    "balance += 1",
    "with lock:",
    "    pass",
    "lock = threading.Lock()",
    "lock.acquire()",
    "lock.release()",
    "for _ in range(3):",
    "while False:",
    "if True:",
    "try:",
    "except Exception:",
    "finally:",
    "else:",
    "print('hi')",
    "assert False, 'boom'",
    "t3 = threading.Thread(target=deposit)",
    "t3.start()",
    "t3.join()",
    "def f():",
    "    return 1",
    "raise ValueError('v')",
    "N = 10 ** 30",
    "time.sleep(0)",
];

/// `source` mutated 1 to 4 times, with other corpus files for splicing.
pub fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], source: &[u8]) -> Vec<u8> {
    let mut s = source.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        s = once(rng, corpus, &s);
    }
    s
}

fn once(rng: &mut Rng, corpus: &[Vec<u8>], s: &[u8]) -> Vec<u8> {
    let mut s = s.to_vec();
    let mut lines: Vec<Vec<u8>> = s.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    match rng.below(12) {
        0 if !s.is_empty() => {
            // Byte flips: one bit, or a random byte (often outside ASCII).
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(s.len());
                s[i] = if rng.chance(50) { s[i] ^ (1 << rng.below(8)) } else { rng.next() as u8 };
            }
            s
        }
        1 | 2 => {
            // Token deletion or duplication.
            let toks = tokens(&s);
            if toks.is_empty() {
                return s;
            }
            let (a, b) = toks[rng.below(toks.len())];
            let mut out = s[..a].to_vec();
            if rng.chance(50) {
                out.extend_from_slice(&s[a..b]);
                out.extend_from_slice(&s[a..b]);
            }
            out.extend_from_slice(&s[b..]);
            out
        }
        3 if lines.len() > 1 => {
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(i, j);
            lines.join(&b'\n')
        }
        4 if !s.is_empty() => {
            s.truncate(rng.below(s.len()));
            s
        }
        5 => {
            // Splice: a prefix of this file and a suffix of another (by lines).
            let other = &corpus[rng.below(corpus.len())];
            let theirs: Vec<&[u8]> = other.split(|&b| b == b'\n').collect();
            let cut = rng.below(lines.len() + 1);
            let from = rng.below(theirs.len() + 1);
            let mut out: Vec<Vec<u8>> = lines[..cut].to_vec();
            out.extend(theirs[from..].iter().map(|l| l.to_vec()));
            out.join(&b'\n')
        }
        6 | 7 => {
            // A snippet (in or out of the subset) at a random line, with that line's indent.
            let at = rng.below(lines.len() + 1);
            let indent: Vec<u8> =
                lines.get(at).map_or(Vec::new(), |l| l.iter().take_while(|&&b| b == b' ').copied().collect());
            let snippet = if rng.chance(50) { *rng.pick(INSIDE) } else { *rng.pick(OUTSIDE) };
            let new: Vec<Vec<u8>> = snippet
                .lines()
                .map(|l| {
                    let mut v = indent.clone();
                    v.extend_from_slice(l.as_bytes());
                    v
                })
                .collect();
            lines.splice(at..at, new);
            lines.join(&b'\n')
        }
        8 => {
            // Non-UTF-8 bytes: a lone continuation byte, an overlong form, a Latin-1 letter,
            // a NUL, a BOM, or CRs.
            let junk: &[&[u8]] =
                &[b"\x80", b"\xc0\xaf", b"\xe9", b"\x00", b"\xef\xbb\xbf", b"\r", b"\xff\xfe", b"\xed\xa0\x80"];
            let at = rng.below(s.len() + 1);
            let j = *rng.pick(junk);
            s.splice(at..at, j.iter().copied());
            s
        }
        9 if !lines.is_empty() => {
            // Line deletion or duplication.
            let i = rng.below(lines.len());
            if rng.chance(50) {
                lines.remove(i);
            } else {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            lines.join(&b'\n')
        }
        10 if !lines.is_empty() => {
            // Reindent a line (tabs, one space more or less).
            let i = rng.below(lines.len());
            let l = &mut lines[i];
            match rng.below(3) {
                0 => l.insert(0, b' '),
                1 => l.insert(0, b'\t'),
                _ => {
                    if l.first() == Some(&b' ') {
                        l.remove(0);
                    }
                }
            }
            lines.join(&b'\n')
        }
        _ => {
            // Replace a number with a big, negative or odd one.
            let toks = tokens(&s);
            let nums: Vec<_> = toks.iter().filter(|(a, _)| s[*a].is_ascii_digit()).collect();
            if nums.is_empty() {
                return s;
            }
            let (a, b) = *nums[rng.below(nums.len())];
            let with = rng.pick(NUMBERS);
            let mut out = s[..a].to_vec();
            out.extend_from_slice(with.as_bytes());
            out.extend_from_slice(&s[b..]);
            out
        }
    }
}

/// Numbers that replace a number of the source: big, negative, or outside the subset.
const NUMBERS: &[&str] = &["0", "-1", "10 ** 400", "99999999999999999999999999", "2", "1_000_000_000", "3.5", "0x10"];

/// Rough tokens: runs of identifier characters, runs of digits, and single punctuation bytes.
fn tokens(s: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
                i += 1;
            }
            out.push((start, i));
        } else {
            if !c.is_ascii_whitespace() {
                out.push((i, i + 1));
            }
            i += 1;
        }
    }
    out
}
