//! The stateful search across processes and hosts, on timely dataflow (`--processes`,
//! `--process`, `--hostfile`, with `--workers` threads in each process).
//!
//! Every timely worker owns the states whose 64-bit fingerprint timely's exchange assigns it
//! (`fingerprint mod workers`), with its shard of the visited set, as distributed explicit-state
//! checkers (DiVinE, LTSmin, distributed TLC) partition theirs. The dataflow is one loop: a
//! state arrives at its owner, which stores its fingerprint; if it is new and the run goes on
//! there, the owner steps every runnable thread and sends each successor (the state itself,
//! serialised by timely between processes, with its schedule) around the loop to its own owner,
//! or keeps it when it owns that successor too. A worker expands the states it keeps and those
//! that arrive last in, first out (depth first, as one thread would, which keeps few states
//! alive), and yields to timely every [`BATCH`] states so that what it sent leaves and what was
//! sent to it comes in. A successor the worker sent lately is not sent again ([`Sent`]): its
//! owner has it already. When no state is in flight anywhere the loop is done, and every worker
//! sends its counts, outcomes and violations to worker 0, whose process reports.
//!
//! Like [`super::parallel`], it needs an acyclic state graph and does not count interleavings;
//! the states, transitions, outcomes and violations are those of one thread, and a violation's
//! schedule is the shortest that reached its owner.

use super::search::Search;
use crate::engine::{run_status, Finding, Outcome, PyModel, Schedule, Status, System};
use crate::vm::{Event, State};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Concat, ConnectLoop, Feedback, Inspect, Probe, ToStream};
use timely::dataflow::ProbeHandle;

/// Where this process stands in a cluster of processes that search together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Worker threads in each process.
    pub workers: usize,
    /// Processes in all.
    pub processes: usize,
    /// This process's index, from 0; process 0 reports.
    pub process: usize,
    /// The processes' `host:port` addresses, one per line, in process order (none: all on
    /// this host, at ports 2101, 2102, …).
    pub hostfile: Option<PathBuf>,
}

impl Cluster {
    /// The arguments timely's own configuration reads (`-w`, `-n`, `-p`, `-h`).
    fn timely_args(&self) -> Vec<String> {
        let mut args = vec![
            "-w".to_string(),
            self.workers.to_string(),
            "-n".into(),
            self.processes.to_string(),
            "-p".into(),
            self.process.to_string(),
        ];
        if let Some(h) = &self.hostfile {
            args.push("-h".into());
            args.push(h.display().to_string());
        }
        args
    }
}

/// A state in flight: its fingerprint (which routes it), the state, whether the step that made
/// it raised, and its schedule.
type Item = (u64, State, bool, Schedule);

/// The fingerprints a worker sent to other workers lately, one per slot of a direct-mapped
/// array: a successor whose fingerprint is there was sent already, and its owner will have
/// stored or expanded it, so it is not serialised and sent again. A slot keeps the last
/// fingerprint that mapped to it, so the filter only ever skips exact repeats; what it forgets
/// is sent again and dropped by its owner as before.
struct Sent {
    slots: Vec<u64>,
    shift: u32,
    /// Successors not sent because they were sent before.
    skipped: u64,
}

impl Default for Sent {
    fn default() -> Sent {
        Sent::new()
    }
}

impl Sent {
    /// Slots in the filter: 2¹⁸ (2 MiB per worker).
    const BITS: u32 = 18;
    /// Mixed into each stored fingerprint, so that the zero of an empty slot is no
    /// fingerprint's tag (a fingerprint whose tag would be zero is never filtered).
    const SALT: u64 = 0x5bd1_e995_9e37_79b9;

    /// An empty filter; its slots are allocated at the first send (a worker that sends nothing,
    /// as in a one-worker cluster, allocates none).
    fn new() -> Sent {
        Sent { slots: Vec::new(), shift: 64 - Self::BITS, skipped: 0 }
    }

    /// Whether `fp` was sent lately; records it as sent if not.
    fn seen(&mut self, fp: u64) -> bool {
        if self.slots.is_empty() {
            self.slots = vec![0; 1 << Self::BITS];
        }
        let tag = fp ^ Self::SALT;
        let slot = &mut self.slots[super::visited::home(fp, self.shift)];
        if tag != 0 && *slot == tag {
            self.skipped += 1;
            return true;
        }
        *slot = tag;
        false
    }
}

/// States a worker expands before it yields to timely (which then moves what it sent and what
/// arrived).
const BATCH: u64 = 256;

/// What one worker found, sent to worker 0 at the end.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Share {
    states: u64,
    transitions: u64,
    executions: u64,
    outcomes: Vec<(Outcome, u64)>,
    violations: Vec<(Finding, Schedule, Outcome)>,
    visited_bytes: u64,
    /// Successors not sent because this worker had sent them lately.
    skipped: u64,
    limit: Option<String>,
}

/// One worker's part of the loop: its shard of the visited set, what it sent lately, and what
/// it found.
#[derive(Default)]
struct Owner {
    visited: super::visited::OpenSet<u64>,
    sent: Sent,
    share: Share,
    outcomes: BTreeMap<Outcome, u64>,
    violations: BTreeMap<Finding, (Schedule, Outcome)>,
}

impl Owner {
    /// Takes a state that arrived: stores it if new, files it if the run ends there, and
    /// otherwise pushes its successors onto `next`.
    fn own(&mut self, model: &PyModel, item: Item, runnable: &mut Vec<usize>, next: &mut Vec<Item>) {
        let (fp, s, raised, schedule) = item;
        if self.share.limit.is_some() || !self.visited.insert(fp) {
            return;
        }
        self.share.states += 1;
        model.runnable(&s, runnable);
        match run_status(model, &s, runnable, raised) {
            Status::Running => {
                for &u in runnable.iter() {
                    let mut t = s.clone();
                    let info = model.step(&mut t, u);
                    model.canonicalize(&mut t);
                    self.share.transitions += 1;
                    let path = schedule.then(u);
                    next.push((model.fingerprint(&t) as u64, t, matches!(info.event, Event::Raise(_)), path));
                }
            }
            Status::Finished(out) => {
                self.share.executions += 1;
                *self.outcomes.entry(out).or_default() += 1;
            }
            Status::Violation(f) => {
                self.share.executions += 1;
                let out = model.project(&s);
                let ended = Outcome { violation: Some(format!("{}: {}", f.kind.as_str(), f.message)), ..out.clone() };
                *self.outcomes.entry(ended).or_default() += 1;
                self.violations.entry(f).or_insert((schedule, out));
            }
        }
    }

    /// What this worker sends to worker 0.
    fn finish(&mut self) -> Share {
        let mut share = std::mem::take(&mut self.share);
        share.outcomes = std::mem::take(&mut self.outcomes).into_iter().collect();
        share.violations = std::mem::take(&mut self.violations).into_iter().map(|(f, (s, o))| (f, s, o)).collect();
        share.visited_bytes = self.visited.bytes() as u64;
        share.skipped = self.sent.skipped;
        share
    }
}

/// Runs this process's part of the search; in process 0, fills `search` with the whole
/// search's figures and findings, and returns how many successors the workers did not send
/// again ([`Sent`]). Errors: the cluster could not be set up (a bad hostfile, a port in use, a
/// process that never connected).
pub(crate) fn run(model: &PyModel, search: &mut Search, cluster: &Cluster) -> Result<u64, String> {
    let shared = Arc::new(model.clone());
    let max_states = search.limits.max_states;
    let budget = search.budget.clone();
    let config = timely::Config::from_args(cluster.timely_args().into_iter())?;
    // Timely prints its progress in connecting the processes on standard output, where the
    // report goes.
    let quiet = StdoutToStderr::begin();
    let guards = timely::execute(config, move |worker| {
        let _active = crate::budget::enter(&budget);
        let index = worker.index();
        let peers = worker.peers() as u64;
        let model = shared.clone();
        let owner = Rc::new(RefCell::new(Owner::default()));
        let probe = ProbeHandle::new();
        let budget = budget.clone();
        let mine = owner.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            let (handle, cycle) = scope.feedback(1);
            let init = model.init();
            let seed: Vec<Item> =
                if index == 0 { vec![(model.fingerprint(&init) as u64, init, false, Schedule::new())] } else { vec![] };
            let activations = scope;
            let states = seed.to_stream(scope).concat(cycle).unary(
                Exchange::new(|item: &Item| item.0),
                "own-and-expand",
                move |_, info| {
                    let activator = activations.activator_for(info.address);
                    let mut runnable = Vec::new();
                    let mut next = Vec::new();
                    // The states that arrived and the successors this worker keeps, last in
                    // first out, under a capability for the earliest time among them.
                    let mut pending: Vec<Item> = Vec::new();
                    let mut held: Option<timely::dataflow::operators::Capability<u64>> = None;
                    move |input, output| {
                        input.for_each(|time, data: &mut Vec<Item>| {
                            let least = *time.least().expect("[internal bug] states sent without a time");
                            if held.as_ref().is_none_or(|c| least < *c.time()) {
                                held = time.retain_least(0);
                            }
                            pending.append(data);
                        });
                        let Some(cap) = held.as_ref() else { return };
                        let mut o = mine.borrow_mut();
                        let mut session = output.session(cap);
                        let mut owned = 0u64;
                        while let Some(item) = pending.pop() {
                            o.own(&model, item, &mut runnable, &mut next);
                            for succ in next.drain(..) {
                                if succ.0 % peers == index as u64 {
                                    pending.push(succ);
                                } else if !o.sent.seen(succ.0) {
                                    session.give(succ);
                                }
                            }
                            owned += 1;
                            if owned.is_multiple_of(BATCH) {
                                if o.share.limit.is_none() {
                                    if o.share.states > max_states {
                                        o.share.limit = Some(format!(
                                            "the limit of {max_states} states (in one worker) was reached"
                                        ));
                                    } else if let Some(l) = budget.check() {
                                        o.share.limit = Some(format!("the {} limit was reached", l.name()));
                                    }
                                }
                                break;
                            }
                        }
                        drop(session);
                        if pending.is_empty() {
                            held = None;
                        } else {
                            activator.activate();
                        }
                    }
                },
            );
            states.probe_with(&probe).connect_loop(handle);
        });
        while !probe.done() {
            worker.step_or_park(None);
        }
        // Every worker's share to worker 0.
        let share = owner.borrow_mut().finish();
        let gathered = Rc::new(RefCell::new(Vec::new()));
        let into = gathered.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            vec![share]
                .to_stream(scope)
                .unary(Exchange::new(|_: &Share| 0), "gather", |_, _| {
                    move |input, output| {
                        input.for_each(|time, data: &mut Vec<Share>| {
                            output.session(&time).give_container(data);
                        });
                    }
                })
                .inspect(move |s: &Share| into.borrow_mut().push(s.clone()));
        });
        while worker.step() {}
        let shares = gathered.borrow().clone();
        (index == 0).then_some(shares)
    });
    drop(quiet);
    let guards = guards?;
    let mut shares = Vec::new();
    for g in guards.join() {
        if let Some(s) = g? {
            shares = s;
        }
    }
    search.stats.workers = cluster.workers * cluster.processes;
    let skipped = shares.iter().map(|s| s.skipped).sum();
    if cluster.process == 0 {
        merge(model, search, shares);
    }
    Ok(skipped)
}

/// While it lives, what the process writes on its standard output goes to its standard error
/// (where `awaiting connections` belongs: a script reads the report from standard output).
struct StdoutToStderr {
    #[cfg(unix)]
    saved: Option<std::os::fd::OwnedFd>,
}

impl StdoutToStderr {
    fn begin() -> StdoutToStderr {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            use std::os::fd::FromRawFd;
            // SAFETY: `dup` and `dup2` on the process's own standard descriptors; the copy of
            // descriptor 1 is owned here and closed when restored.
            let saved = unsafe { libc::dup(1) };
            if saved < 0 {
                return StdoutToStderr { saved: None };
            }
            let saved = unsafe { std::os::fd::OwnedFd::from_raw_fd(saved) };
            if unsafe { libc::dup2(2, 1) } < 0 {
                return StdoutToStderr { saved: None };
            }
            StdoutToStderr { saved: Some(saved) }
        }
        #[cfg(not(unix))]
        StdoutToStderr {}
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            use std::os::fd::AsRawFd;
            // SAFETY: puts the saved standard output back on descriptor 1.
            unsafe { libc::dup2(saved.as_raw_fd(), 1) };
        }
    }
}

/// Files every worker's share with `search`: the counts add up, the outcomes join, and each
/// violation keeps the shortest schedule found for it (its preemptions counted by a replay).
fn merge(model: &PyModel, search: &mut Search, shares: Vec<Share>) {
    search.stats.states = 0;
    let mut violations: BTreeMap<Finding, (Schedule, Outcome)> = BTreeMap::new();
    for share in shares {
        search.stats.states += share.states;
        search.stats.transitions += share.transitions;
        search.stats.executions += share.executions;
        search.stats.visited_bytes += share.visited_bytes;
        for (o, n) in share.outcomes {
            *search.outcomes.entry(o).or_default() += BigUint::from(n);
        }
        for (f, schedule, o) in share.violations {
            if violations.get(&f).is_none_or(|(old, _)| super::search::preferred(&schedule, old)) {
                violations.insert(f, (schedule, o));
            }
        }
        if let Some(why) = share.limit {
            search.stopped.get_or_insert(format!("a worker of the cluster stopped: {why}"));
        }
    }
    for (f, (schedule, o)) in violations {
        search.file_counterexample(model, f, schedule, o);
    }
}

/// The report's note on a distributed search.
pub(crate) fn note(c: &Cluster, stats: &super::report::Stats, skipped: u64) -> String {
    if c.process != 0 {
        return format!(
            "process {} of {}: its {} workers searched their share of the states; process 0 reports the whole search",
            c.process, c.processes, c.workers
        );
    }
    format!(
        "{} processes of {} workers on timely dataflow, states owned by fingerprint: {} bytes of visited sets, {:.1} per state; {} successors were not sent again to their owners, which had been sent them lately",
        c.processes,
        c.workers,
        crate::text::thousands(stats.visited_bytes),
        stats.visited_bytes as f64 / (stats.states.max(1)) as f64,
        crate::text::thousands(skipped)
    )
}

#[cfg(test)]
mod tests {
    use super::Sent;

    /// The filter skips exact repeats only: a fingerprint is new once, then seen; another one in
    /// the same slot evicts it (so it is sent again); a fingerprint whose tag would be the empty
    /// slot's zero is never filtered, and the count is of skips.
    #[test]
    fn the_sent_filter_skips_exact_repeats_only() {
        let mut sent = Sent::new();
        assert!(!sent.seen(42));
        assert!(sent.seen(42));
        assert!(!sent.seen(43));
        // Two fingerprints that share a slot: each evicts the other.
        let a = 7u64;
        let slot = super::super::visited::home(a, sent.shift);
        let b = (1u64..).find(|&x| x != a && super::super::visited::home(x, sent.shift) == slot).unwrap();
        assert!(!sent.seen(a));
        assert!(!sent.seen(b));
        assert!(!sent.seen(a));
        assert!(sent.seen(a));
        // The fingerprint equal to the salt has tag 0, the empty slot's value.
        assert!(!sent.seen(Sent::SALT));
        assert!(!sent.seen(Sent::SALT));
        assert_eq!(sent.skipped, 2);
    }
}
