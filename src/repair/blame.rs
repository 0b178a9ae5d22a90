//! Which accesses a counterexample blames: replaying its schedule, a thread's write of a shared
//! object (a global, or a list, dict or instance on the heap) that lands after another thread
//! wrote the object since this thread first read it (since its own previous write) is a broken
//! read-modify-write: a lost update (`x += 1`) or a check-then-act (`if x > 0: x -= 1`). The
//! blame is the lines of both threads' read and write of that object, which one atomic region
//! per thread must cover.

use crate::bytecode::CodeId;
use crate::engine::{Execution, PyModel, Schedule, System};
use crate::vm::{Access, Object, Tid, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One access site: a line of a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Site {
    line: u32,
    step: u64,
}

/// A broken read-modify-write found in a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The object, in words (`balance`, `a shared dict`).
    pub object: String,
    /// The global's name, when the object is a global.
    pub global: Option<String>,
    /// The thread whose write lost the other's: its read line and write line.
    pub thread: Tid,
    /// Its first read of the object since its previous write.
    pub read_line: u32,
    /// Its write.
    pub write_line: u32,
    /// The other thread that wrote in between, the line of its write, and of its own read
    /// before that write (when it read the object first).
    pub other: Tid,
    /// The other's write.
    pub other_write_line: u32,
    /// The other's read before its write.
    pub other_read_line: Option<u32>,
}

impl Conflict {
    /// The conflict in words.
    pub fn describe(&self) -> String {
        let kind = if self.read_line == self.write_line {
            "lost update"
        } else {
            "stale read: it acted on a value that changed"
        };
        format!(
            "T{} read {} at line {} and wrote it at line {}, after T{} wrote it at line {} ({kind})",
            self.thread, self.object, self.read_line, self.write_line, self.other, self.other_write_line
        )
    }

    /// The lines one region must cover, by thread: the blamed thread's and the other's.
    pub fn lines(&self) -> Vec<BTreeSet<u32>> {
        let mine = BTreeSet::from([self.read_line, self.write_line]);
        let mut theirs = BTreeSet::from([self.other_write_line]);
        theirs.extend(self.other_read_line);
        vec![mine, theirs]
    }
}

/// A thread's reads of an object in one code object since the thread's previous write of it:
/// the first (with the object's write counters as they were then) and the last.
#[derive(Clone, Copy, Debug)]
struct Reads {
    first: Site,
    total_then: u64,
    own_then: u64,
    last: Site,
}

/// A thread's last write of an object, and its read of the object before it in the same code.
#[derive(Clone, Copy, Debug)]
struct Write {
    site: Site,
    read_before: Option<Site>,
}

/// What a counterexample blames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blame {
    /// The broken read-modify-writes, distinct by lines, in the order they happen.
    pub conflicts: Vec<Conflict>,
    /// Whether the run prints a value of a blamed object: a step that writes the output on a
    /// line where the same thread read that object (`print(f"balance: {balance}")`). The output
    /// is then part of the violation, and a repair may remove output sequences that show it.
    pub prints_blamed: bool,
}

/// What the run `schedule` takes blames (nothing when the schedule does not replay). A read
/// counts for a write when the same code object (function) made both: a method lookup in the
/// caller does not pair with the store in the method.
pub fn blame(model: &PyModel, schedule: &Schedule) -> Blame {
    let mut reads_at: HashSet<(Tid, u32, Object)> = HashSet::new();
    let mut prints_at: HashSet<(Tid, u32)> = HashSet::new();
    let conflicts = conflicts(model, schedule, &mut |tid, line, a| match a {
        Access::Read(o) if shared(o) => {
            reads_at.insert((tid, line, o));
        }
        Access::Write(Object::Output) => {
            prints_at.insert((tid, line));
        }
        _ => {}
    });
    let blamed: HashSet<Object> = conflicts.iter().map(|c| c.id).collect();
    let prints_blamed = reads_at.iter().any(|(t, l, o)| blamed.contains(o) && prints_at.contains(&(*t, *l)));
    Blame { conflicts: conflicts.into_iter().map(|c| c.conflict).collect(), prints_blamed }
}

/// A conflict with the object it is about.
struct Found {
    id: Object,
    conflict: Conflict,
}

/// The broken read-modify-writes of the run; `seen` is shown every access of every step.
fn conflicts(model: &PyModel, schedule: &Schedule, seen: &mut dyn FnMut(Tid, u32, Access)) -> Vec<Found> {
    let program = &model.program;
    let mut exec = Execution::start(model);
    let mut reads: HashMap<(Object, Tid, CodeId), Reads> = HashMap::new();
    let mut own: HashMap<(Object, Tid), u64> = HashMap::new();
    let mut last_write: HashMap<(Object, Tid), Write> = HashMap::new();
    let mut totals: HashMap<Object, u64> = HashMap::new();
    let mut found: Vec<Found> = Vec::new();
    let mut step = 0u64;
    for seg in schedule.segments() {
        for _ in 0..seg.steps {
            let tid = seg.tid;
            let line = model.line_of(exec.state(), tid);
            let code = exec.state().threads.get(tid).and_then(|t| t.frames.last()).map(|f| f.code);
            let Ok(info) = exec.step(tid) else { return found };
            let site = Site { line, step };
            step += 1;
            let Some(code) = code else { continue };
            if info.footprint.is_widened() {
                continue;
            }
            for a in info.footprint.iter() {
                seen(tid, line, a);
            }
            // Reads first: a step that reads and writes reads the value it replaces.
            for a in info.footprint.iter() {
                let Access::Read(o) = a else { continue };
                if !shared(o) {
                    continue;
                }
                let total = *totals.get(&o).unwrap_or(&0);
                let mine = *own.get(&(o, tid)).unwrap_or(&0);
                reads.entry((o, tid, code)).and_modify(|r| r.last = site).or_insert(Reads {
                    first: site,
                    total_then: total,
                    own_then: mine,
                    last: site,
                });
            }
            for a in info.footprint.iter() {
                let Access::Write(o) = a else { continue };
                if !shared(o) {
                    continue;
                }
                let total = *totals.get(&o).unwrap_or(&0);
                let mine = *own.get(&(o, tid)).unwrap_or(&0);
                let read = reads.get(&(o, tid, code)).copied();
                if let Some(r) = read {
                    let others = (total - r.total_then) - (mine - r.own_then);
                    // The other thread whose write came last before this one.
                    let other = last_write
                        .iter()
                        .filter(|((obj, u), w)| *obj == o && *u != tid && w.site.step > r.first.step)
                        .max_by_key(|(_, w)| w.site.step)
                        .map(|((_, u), w)| (*u, *w));
                    if let (true, Some((u, w))) = (others > 0, other) {
                        let global = match o {
                            Object::Global(g) => Some(program.global_name(g).to_string()),
                            _ => None,
                        };
                        let object = match (&global, o) {
                            (Some(g), _) => g.clone(),
                            (None, Object::Heap(id)) => {
                                format!("a shared {} object", exec.state().heap.type_name(&Value::Obj(id)))
                            }
                            _ => "a shared object".into(),
                        };
                        let c = Conflict {
                            object,
                            global,
                            thread: tid,
                            read_line: r.first.line,
                            write_line: line,
                            other: u,
                            other_write_line: w.site.line,
                            other_read_line: w.read_before.map(|s| s.line),
                        };
                        if !found.iter().any(|f| f.conflict.lines() == c.lines() && f.id == o) {
                            found.push(Found { id: o, conflict: c });
                        }
                    }
                }
                reads.retain(|(obj, t, _), _| !(*obj == o && *t == tid));
                last_write.insert((o, tid), Write { site, read_before: read.map(|r| r.last) });
                *own.entry((o, tid)).or_insert(0) += 1;
                *totals.entry(o).or_insert(0) += 1;
            }
        }
    }
    found
}

/// Objects whose accesses can race: globals and heap objects (not locks, threads, output).
fn shared(o: Object) -> bool {
    matches!(o, Object::Global(_) | Object::Heap(_))
}
