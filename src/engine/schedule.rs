//! Schedules: which thread takes each step, run-length encoded, with a compact string form
//! (`0x12,1x9,2x7000013`: thread 0 takes 12 steps, then thread 1 takes 9, …).

use crate::vm::Tid;
use std::fmt;
use std::str::FromStr;

/// A run of consecutive steps of one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// The thread.
    pub tid: Tid,
    /// How many steps it takes in a row (≥ 1).
    pub steps: u64,
}

/// A sequence of scheduling decisions from the initial state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Schedule {
    segments: Vec<Segment>,
}

impl Schedule {
    /// The empty schedule.
    pub fn new() -> Self {
        Schedule::default()
    }

    /// Appends one step of `tid`.
    pub fn push(&mut self, tid: Tid) {
        self.push_run(tid, 1);
    }

    /// This schedule and then one step of `tid`, as a new schedule allocated once (a clone and
    /// a push would allocate twice when the push starts a segment).
    pub fn then(&self, tid: Tid) -> Schedule {
        let mut segments = Vec::with_capacity(self.segments.len() + 1);
        segments.extend_from_slice(&self.segments);
        let mut next = Schedule { segments };
        next.push(tid);
        next
    }

    /// Appends `steps` steps of `tid`.
    pub fn push_run(&mut self, tid: Tid, steps: u64) {
        if steps == 0 {
            return;
        }
        match self.segments.last_mut() {
            Some(s) if s.tid == tid => s.steps += steps,
            _ => self.segments.push(Segment { tid, steps }),
        }
    }

    /// Removes the last `steps` steps.
    pub fn truncate_steps(&mut self, mut steps: u64) {
        while steps > 0 {
            let Some(last) = self.segments.last_mut() else { return };
            if last.steps > steps {
                last.steps -= steps;
                return;
            }
            steps -= last.steps;
            self.segments.pop();
        }
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Total number of steps.
    pub fn len(&self) -> u64 {
        self.segments.iter().map(|s| s.steps).sum()
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Every step's thread, in order (for short schedules).
    pub fn steps(&self) -> impl Iterator<Item = Tid> + '_ {
        self.segments.iter().flat_map(|s| std::iter::repeat_n(s.tid, s.steps as usize))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if s.steps == 1 {
                write!(f, "{}", s.tid)?;
            } else {
                write!(f, "{}x{}", s.tid, s.steps)?;
            }
        }
        Ok(())
    }
}

impl FromStr for Schedule {
    type Err = String;

    /// Parses `0x12,1x9,2` (thread `x` steps, comma-separated; `x1` may be left out).
    fn from_str(text: &str) -> Result<Self, String> {
        let mut out = Schedule::new();
        for (i, part) in text.trim().split(',').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (tid, steps) = match part.split_once('x') {
                Some((t, n)) => (t, n),
                None => (part, "1"),
            };
            let bad = || format!("schedule segment {} ('{part}') is not THREADxSTEPS, e.g. 1x40", i + 1);
            let tid: Tid = tid.trim().parse().map_err(|_| bad())?;
            let steps: u64 = steps.trim().replace('_', "").parse().map_err(|_| bad())?;
            if steps == 0 {
                return Err(bad());
            }
            out.push_run(tid, steps);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_form_round_trips_and_merges_runs() {
        let s: Schedule = "0x12,1x9,1,2x7000013,0".parse().unwrap();
        assert_eq!(s.to_string(), "0x12,1x10,2x7000013,0");
        assert_eq!(s.len(), 12 + 10 + 7_000_013 + 1);
        let mut t = s.clone();
        t.truncate_steps(2);
        assert_eq!(t.to_string(), "0x12,1x10,2x7000012");
    }

    #[test]
    fn bad_segments_are_refused_with_their_position() {
        let e = "0x3,zz".parse::<Schedule>().unwrap_err();
        assert!(e.contains("segment 2"), "{e}");
        assert!("1x0".parse::<Schedule>().is_err());
    }
}
