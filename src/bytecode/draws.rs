//! Unseeded random draws (`random.randint(a, b)`, `random.choice(seq)` without `random.seed`):
//! each is a nondeterministic choice of a value. One exploration fixes the values through a
//! [`Tape`]; the checker explores one tape after another until every value of every draw that a
//! run can make has been taken (`explore`'s draw loop).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// Which value each draw takes: thread `t`'s `k`-th draw (from 0) takes the value at index `i`
/// (from 0) of its range or sequence. A draw the tape leaves out takes the first value (index 0).
/// Written `T.K=I,…`, e.g. `1.0=3,2.0=1`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Tape(BTreeMap<(usize, u32), u32>);

impl Tape {
    /// The empty tape: every draw takes its first value.
    pub fn new() -> Tape {
        Tape::default()
    }

    /// The index thread `tid`'s `k`-th draw takes, if the tape fixes it.
    pub fn get(&self, tid: usize, k: u32) -> Option<u32> {
        self.0.get(&(tid, k)).copied()
    }

    /// The tape with thread `tid`'s `k`-th draw fixed to index `i`.
    pub fn with(&self, tid: usize, k: u32, i: u32) -> Tape {
        let mut t = self.clone();
        t.0.insert((tid, k), i);
        t
    }

    /// Whether the tape fixes no draw.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many draws the tape fixes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The fixed draws: `((thread, k), index)`, in order.
    pub fn entries(&self) -> impl Iterator<Item = ((usize, u32), u32)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

impl fmt::Display for Tape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, ((t, k), i)) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "{t}.{k}={i}")?;
        }
        Ok(())
    }
}

impl FromStr for Tape {
    type Err = String;

    /// Parses `1.0=3,2.0=1` (thread `.` draw `=` index).
    fn from_str(text: &str) -> Result<Tape, String> {
        let mut out = Tape::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || {
                format!(
                    "'{part}' is not THREAD.DRAW=INDEX, e.g. 1.0=3 (thread 1's first draw takes the 4th value of its range)"
                )
            };
            let (key, index) = part.split_once('=').ok_or_else(bad)?;
            let (t, k) = key.split_once('.').ok_or_else(bad)?;
            let t: usize = t.trim().parse().map_err(|_| bad())?;
            let k: u32 = k.trim().parse().map_err(|_| bad())?;
            let i: u32 = index.trim().parse().map_err(|_| bad())?;
            out.0.insert((t, k), i);
        }
        Ok(out)
    }
}

/// The first draw of a run that the tape left out: which it was, and how many values it could
/// take there (the most seen when several runs make it first).
pub type OpenDraws = BTreeMap<(usize, u32), u32>;

/// A program's unseeded draws: whether it makes any, the tape of one exploration, and what the
/// exploration found beyond the tape.
#[derive(Clone, Debug, Default)]
pub struct Draws {
    /// Whether the program draws unseeded values that it looks at (set by the front end): the
    /// draws are then explored value by value. Without it, the VM's `random` functions return
    /// any one value (they only set the length of a sleep).
    pub active: bool,
    /// Where the program's first such draw is (line, column), for the messages that name it.
    pub at: Option<(u32, u32)>,
    /// The values of this exploration's draws.
    pub tape: Tape,
    /// Each draw that was the first of its run to fall outside the tape (its run took index 0),
    /// with how many values it could take: the draws the next tapes fix.
    pub open: Arc<Mutex<OpenDraws>>,
}

impl Draws {
    /// Files thread `tid`'s `k`-th draw, of `n` values, as the first of its run outside the tape.
    pub fn note_open(&self, tid: usize, k: u32, n: u32) {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let e = open.entry((tid, k)).or_insert(n);
        *e = (*e).max(n);
    }

    /// The draws filed by [`Draws::note_open`] so far.
    pub fn opened(&self) -> OpenDraws {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl PartialEq for Draws {
    fn eq(&self, other: &Draws) -> bool {
        self.active == other.active && self.tape == other.tape
    }
}

impl Eq for Draws {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tapes_round_trip_through_text() {
        let t: Tape = "2.0=1, 1.0=3,1.1=0".parse().unwrap();
        assert_eq!(t.to_string(), "1.0=3,1.1=0,2.0=1");
        assert_eq!(t.get(1, 0), Some(3));
        assert_eq!(t.get(2, 1), None);
        assert!("1=3".parse::<Tape>().unwrap_err().contains("THREAD.DRAW=INDEX"));
        assert!("".parse::<Tape>().unwrap().is_empty());
    }

    #[test]
    fn open_draws_keep_the_widest_range() {
        let d = Draws::default();
        d.note_open(1, 0, 3);
        d.note_open(1, 0, 2);
        d.note_open(2, 0, 5);
        assert_eq!(d.opened().into_iter().collect::<Vec<_>>(), vec![((1, 0), 3), ((2, 0), 5)]);
    }
}
