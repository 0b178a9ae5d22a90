//! What a reduced search reports: each reduction it applied, and why that was sound for this
//! program.

use super::{log10_multinomial, names, Reducer};
use crate::explore::report::ReductionNote;
use crate::explore::Reduction;

impl Reducer<'_> {
    /// The notes of the reductions this search applied.
    pub(super) fn notes(&self) -> Vec<ReductionNote> {
        let p = self.program();
        let mut notes = Vec::new();
        let executions = self.search.stats.executions;
        // With states reached again, runs merge: the count is of the distinct end states.
        let runs = if self.revisits == 0 {
            format!("{executions} execution{} explored", if executions == 1 { "" } else { "s" })
        } else {
            format!("{executions} end state{} reached", if executions == 1 { "" } else { "s" })
        };
        let mut por = format!(
            "{runs}: at {} of {} scheduling points one thread's next {} was independent of everything the other threads can still do (their futures from the static analysis, cut at a join on that thread), so only it was scheduled (Godefroid's persistent sets)",
            self.singletons,
            self.singletons + self.branchings,
            if self.level == Reduction::Por { "step" } else { "transaction" },
        );
        if executions == 1 && self.branchings == 0 && self.thread_steps.iter().filter(|&&k| k > 0).count() > 1 {
            let exp = log10_multinomial(&self.thread_steps);
            por.push_str(&format!(
                "; that one execution ({} steps) represents every interleaving of the program: at most ≈ 10^{exp:.1}, the multinomial of the threads' step counts",
                crate::text::thousands(self.thread_steps.iter().sum())
            ));
        }
        let switch = self.model.switch;
        if switch.is_sparse() {
            notes.push(ReductionNote {
                name: "switch-model".into(),
                reason: format!(
                    "{} ({}); between two switch points no other thread can run, so every transaction extended to the next switch point and ran as one step",
                    switch,
                    switch.describe()
                ),
            });
        }
        notes.push(ReductionNote { name: "persistent-sets".into(), reason: por });
        if self.revisits != 0 {
            notes.push(ReductionNote {
                name: "state-caching".into(),
                reason: format!(
                    "{} state{} reached again along another path {} not explored again: which transactions run from a state, and which of them are independent, depend on that state alone, and every loop is a `for` loop (the reduced graph has no cycles), so a state reached again roots the subtree already explored ({} distinct states)",
                    crate::text::thousands(self.revisits),
                    if self.revisits == 1 { "" } else { "s" },
                    if self.revisits == 1 { "was" } else { "were" },
                    crate::text::thousands(self.visited.len() as u64),
                ),
            });
        }
        if let Some(first) = &self.facts.heap {
            notes.push(ReductionNote {
                name: "heap-as-synchronisation".into(),
                reason: format!(
                    "the program uses heap objects (first, {first}): every step that may touch a list, dict or other heap object counts as synchronising, in the static futures and in the steps run, so it is dependent on every other thread's heap access and thread operation; steps on ints, locks and ranges are reduced as before"
                ),
            });
        }
        if self.level != Reduction::Por {
            let mut why = "thread-local steps are both-movers".to_string();
            if self.used_locks != 0 {
                why.push_str(&format!(
                    "; {} {} only taken by `with` and never used otherwise, so its owner always releases it: acquire is a right mover, release a left mover",
                    names(p, self.used_locks),
                    if self.used_locks.count_ones() == 1 { "is" } else { "are" }
                ));
            }
            if self.used_protected != 0 {
                why.push_str(&format!(
                    "; {} is accessed only while holding the lock by every thread that can still run: those accesses are both-movers",
                    names(p, self.used_protected)
                ));
            }
            notes.push(ReductionNote {
                name: "atomic-blocks".into(),
                reason: format!("steps ran as Lipton transactions R*·N?·L*: {why}"),
            });
        }
        if self.accelerated != 0 {
            notes.push(ReductionNote {
                name: "solo-loop-acceleration".into(),
                reason: format!(
                    "{} loop iterations were applied at once: each repeated a straight iteration whose only effects were the loop's next value and constant additions to int globals, while the other threads and their futures stayed unchanged, so every one took the same path and the same scheduling decision",
                    crate::text::thousands(self.accelerated)
                ),
            });
        }
        if self.used_accum != 0 {
            notes.push(ReductionNote {
                name: "commutativity".into(),
                reason: format!(
                    "transactions that only add int constants to {} commute (it always holds an int, and every thread's accesses to it are such additions), so they are independent",
                    names(p, self.used_accum)
                ),
            });
        }
        notes
    }
}
