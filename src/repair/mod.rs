//! Repairs (`gilcheck fix`): for a violated program, the smallest `with lock:` region that
//! makes the accesses its counterexample blames atomic, or a consistent lock order for a
//! deadlock, offered only once the repaired program has been re-checked under the same switch
//! model (and `--set`, `--expect`) and holds, and only if its runs print exactly the output
//! sequences the original's runs without a violation print.
//!
//! The stage reads the program's AST (frontend), replays counterexamples (engine) and checks
//! programs through the [`Model`] façade; rendering is the report stage's.

pub mod blame;
mod order;
pub mod regions;

use crate::explore::{FindingKind, Limits, PyModel, Reduction, Report, Strategy, Verdict};
use crate::{Error, Model, Result};
use regions::{mentions, merge, name_of, Edits, Parsed, Region};
use ruff_python_ast::Stmt;
use std::collections::BTreeSet;
use std::time::Duration;

/// Options of a repair.
#[derive(Clone, Debug)]
pub struct FixOptions {
    /// The most candidate programs re-checked.
    pub max_candidates: usize,
    /// The limits of each check (the original's and every candidate's).
    pub limits: Limits,
    /// The limits of the searches that compare output sequences.
    pub output_limits: Limits,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            max_candidates: 8,
            limits: Limits::default(),
            output_limits: Limits {
                max_states: 1_000_000,
                max_time: Some(Duration::from_secs(20)),
                ..Limits::default()
            },
        }
    }
}

/// One candidate repair and what its re-check said.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The repair, in words.
    pub description: String,
    /// The repaired program's text.
    pub text: String,
    /// Its verdict under the original's switch model.
    pub verdict: Verdict,
    /// Why it was not offered (`None` for the repair offered).
    pub rejected: Option<String>,
    /// The re-check's report.
    pub report: Report,
}

/// Whether a repair keeps the program's output sequences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outputs {
    /// The repaired program prints exactly the output sequences of the original's runs without
    /// a violation (how many).
    Same(usize),
    /// The program prints the raced data: the repaired program prints some of the output
    /// sequences of the original's runs without a violation (`kept`) and no other; the others
    /// (`dropped`) showed the race's effect.
    Fewer {
        /// Sequences it still prints.
        kept: usize,
        /// Sequences only racy runs printed.
        dropped: usize,
    },
    /// Not compared: a search stopped at its limit (which, and why).
    NotCompared(String),
}

/// The result of `gilcheck fix`.
#[derive(Clone, Debug)]
pub struct Fix {
    /// The check of the original program.
    pub original: Report,
    /// The accesses or waits the counterexample blames, in words.
    pub blamed: Vec<String>,
    /// The candidates re-checked, in order; the offered one (if any) is the last.
    pub tried: Vec<Candidate>,
    /// Whether the last candidate is offered, and the output comparison it passed.
    pub outputs: Option<Outputs>,
    /// Why no repair is offered (when none is).
    pub gave_up: Option<String>,
}

impl Fix {
    /// The repair offered: the last candidate, when it holds and keeps the outputs.
    pub fn repair(&self) -> Option<&Candidate> {
        self.outputs.as_ref().and(self.tried.last()).filter(|c| c.rejected.is_none())
    }
}

/// Proposes a repair of `model`'s program (see the module's documentation).
pub fn fix(model: &Model, opts: &FixOptions) -> Result<Fix> {
    let original = check(model, opts);
    let mut fix = Fix { original, blamed: Vec::new(), tried: Vec::new(), outputs: None, gave_up: None };
    let Some(c) = fix.original.counterexample.clone() else {
        fix.gave_up = Some(match fix.original.verdict {
            Verdict::Holds => "the program holds: there is nothing to repair".into(),
            _ => "the check of the program stopped at a limit before finding a violation: nothing to repair yet".into(),
        });
        return Ok(fix);
    };
    let parsed = Parsed { src: model.source(), module: crate::frontend::parse_syntax(model.source())? };
    if c.finding.kind == FindingKind::Deadlock {
        repair_order(model, &parsed, &c.finding.message, opts, &mut fix)?;
    } else {
        repair_atomicity(model, &parsed, opts, &mut fix)?;
    }
    Ok(fix)
}

/// The check `gilcheck check` makes: auto strategy, full reductions, no interleaving counts.
fn check(model: &Model, opts: &FixOptions) -> Report {
    checker(model).limits(opts.limits.clone()).check()
}

fn checker(model: &Model) -> crate::explore::Checker<'_, PyModel> {
    model.checker().reduction(Reduction::Full).count_interleavings(false)
}

/// The model to replay a counterexample of `model` on: with the draws it found.
fn replay_model(model: &Model, report: &Report) -> Result<Model> {
    match &report.counterexample {
        Some(c) if !c.draws.is_empty() => model.clone().with_draws(c.draws.clone()),
        _ => Ok(model.clone()),
    }
}

/// Wraps the blamed accesses in `with lock:` regions, growing them until the program holds.
fn repair_atomicity(model: &Model, parsed: &Parsed<'_>, opts: &FixOptions, fix: &mut Fix) -> Result<()> {
    let cex = fix.original.counterexample.clone().ok_or_else(|| Error::Usage("no counterexample".into()))?;
    let blamed = blame::blame(replay_model(model, &fix.original)?.explorable(), &cex.schedule);
    let conflicts = blamed.conflicts;
    if conflicts.is_empty() {
        fix.gave_up = Some(
            "the counterexample shows no broken read-modify-write of a shared object (a read, another thread's write, then this thread's write): no region to propose"
                .into(),
        );
        return Ok(());
    }
    fix.blamed = conflicts.iter().map(|c| c.describe()).collect();
    let globals: Vec<String> = conflicts.iter().filter_map(|c| c.global.clone()).collect();
    let mut groups: Vec<Vec<Region>> = Vec::new();
    add_groups(parsed, conflicts.iter().flat_map(|c| c.lines()), &mut groups);
    if groups.is_empty() {
        fix.gave_up = Some("the blamed lines are not statements a `with` can wrap".into());
        return Ok(());
    }
    let lock = LockChoice::of(parsed, model.program(), &globals);
    let mut levels = vec![0usize; groups.len()];
    let mut seen: BTreeSet<Vec<Region>> = BTreeSet::new();
    let mut outputs_before: Option<std::result::Result<BTreeSet<Vec<String>>, String>> = None;
    while fix.tried.len() < opts.max_candidates {
        let regions = merge(groups.iter().zip(&levels).map(|(g, &l)| g[l.min(g.len() - 1)].clone()).collect());
        if !seen.insert(regions.clone()) {
            if !raise(&mut levels, &groups) {
                break;
            }
            continue;
        }
        let (edits, words) = lock.wrap(parsed, &regions);
        let (text, map) = edits.apply(parsed.src);
        let repaired = match model.with_text(text.clone()) {
            Ok(m) => m,
            Err(e) => {
                // Not a program gilcheck reads (it should not happen): the next candidate.
                let report = fix.original.clone();
                let rejected = Some(format!("the repaired program does not compile: {e}"));
                fix.tried.push(Candidate {
                    description: words,
                    text,
                    verdict: Verdict::Inconclusive,
                    rejected,
                    report,
                });
                if !raise(&mut levels, &groups) {
                    break;
                }
                continue;
            }
        };
        let report = check(&repaired, opts);
        let verdict = report.verdict;
        let mut cand = Candidate { description: words, text, verdict, rejected: None, report };
        match verdict {
            Verdict::Holds => {
                let before = outputs_before.get_or_insert_with(|| outputs(model, &opts.output_limits, true));
                let outs = match (&*before, outputs(&repaired, &opts.output_limits, false)) {
                    (Ok(a), Ok(b)) if *a == b => Outputs::Same(b.len()),
                    (Ok(a), Ok(b)) if blamed.prints_blamed && b.is_subset(a) => {
                        Outputs::Fewer { kept: b.len(), dropped: a.len() - b.len() }
                    }
                    (Ok(a), Ok(b)) => {
                        let lost = a.difference(&b).count();
                        let new = b.difference(a).count();
                        cand.rejected = Some(format!(
                            "it holds, but changes the output: {lost} of the {} output sequences of the original's runs without a violation can no longer be printed, {new} new ones can",
                            a.len()
                        ));
                        fix.tried.push(cand);
                        if !raise(&mut levels, &groups) {
                            break;
                        }
                        continue;
                    }
                    (Err(why), _) => Outputs::NotCompared(why.clone()),
                    (_, Err(why)) => Outputs::NotCompared(why),
                };
                fix.tried.push(cand);
                fix.outputs = Some(outs);
                return Ok(());
            }
            Verdict::Violated => {
                let c = cand.report.counterexample.clone();
                cand.rejected = Some(match &c {
                    Some(c) => format!("still violated: {}", c.finding.message),
                    None => "still violated".into(),
                });
                // The new counterexample's blamed lines, in the original's numbering.
                let mut grew = false;
                if let Some(c) = c.filter(|c| c.finding.kind != FindingKind::Deadlock) {
                    let replay = replay_model(&repaired, &cand.report)?;
                    let back = |l: u32| map.get(l as usize - 1).copied().flatten();
                    let lines = blame::blame(replay.explorable(), &c.schedule)
                        .conflicts
                        .iter()
                        .flat_map(|k| k.lines())
                        .map(|set| set.into_iter().filter_map(back).collect::<BTreeSet<u32>>())
                        .filter(|set| {
                            !set.is_empty() && !regions.iter().any(|r| set.iter().all(|&l| r.first <= l && l <= r.last))
                        })
                        .collect::<Vec<_>>();
                    let before = groups.len();
                    add_groups(parsed, lines, &mut groups);
                    levels.resize(groups.len(), 0);
                    grew = groups.len() > before;
                }
                fix.tried.push(cand);
                if !grew && !raise(&mut levels, &groups) {
                    break;
                }
            }
            Verdict::Inconclusive => {
                cand.rejected = Some("its re-check stopped at a limit: not proved".into());
                fix.tried.push(cand);
                fix.gave_up = Some("a re-check stopped at a limit; raise the limits to go on".into());
                return Ok(());
            }
        }
    }
    fix.gave_up = Some(format!(
        "no region tried makes the program hold ({} tried; the largest are statements of the function bodies)",
        fix.tried.len()
    ));
    Ok(())
}

/// Adds a group of candidate regions for each line set not already in a group.
fn add_groups(parsed: &Parsed<'_>, sets: impl IntoIterator<Item = BTreeSet<u32>>, groups: &mut Vec<Vec<Region>>) {
    for set in sets {
        let cands = parsed.candidates(&set);
        if !cands.is_empty() && !groups.contains(&cands) {
            groups.push(cands);
        }
    }
}

/// Moves every group one region outwards; false when none can grow.
fn raise(levels: &mut [usize], groups: &[Vec<Region>]) -> bool {
    let mut any = false;
    for (l, g) in levels.iter_mut().zip(groups) {
        if *l + 1 < g.len() {
            *l += 1;
            any = true;
        }
    }
    any
}

/// The distinct output sequences of the program's runs (without a violation when
/// `without_violation`), or why they could not all be found.
fn outputs(
    model: &Model,
    limits: &Limits,
    without_violation: bool,
) -> std::result::Result<BTreeSet<Vec<String>>, String> {
    let r = checker(model).strategy(Strategy::Stateful).all_outcomes(true).limits(limits.clone()).check();
    if !r.exhaustive {
        return Err(format!(
            "the search for {}'s output sequences stopped at its limit ({} states)",
            if without_violation { "the original" } else { "the repair" },
            crate::text::thousands(r.stats.states)
        ));
    }
    Ok(r.outcomes().filter(|o| !without_violation || o.violation.is_none()).map(|o| o.output.clone()).collect())
}

/// The lock a region takes: one the program already has where it guards the blamed data, or
/// a new module-level lock.
struct LockChoice {
    /// A lock of the program whose `with` blocks already access a blamed global.
    existing: Option<String>,
    /// The name for a new lock, and the lines that declare it (and import `threading` where
    /// the program does not): inserted before line `at`.
    new_name: String,
    declare_at: u32,
    declare: Vec<String>,
}

impl LockChoice {
    fn of(parsed: &Parsed<'_>, program: &crate::bytecode::Program, globals: &[String]) -> LockChoice {
        let body = &parsed.module.body;
        // Module-level locks: `NAME = threading.Lock()` (or `Lock()`, `RLock()`).
        let locks: Vec<String> = body
            .iter()
            .filter_map(|s| match s {
                Stmt::Assign(a) if a.targets.len() == 1 => {
                    let v = parsed.text(&*a.value);
                    (v.ends_with("Lock()")).then(|| name_of(&a.targets[0])).flatten()
                }
                _ => None,
            })
            .collect();
        let mut existing = None;
        visit(body, &mut |s| {
            if let Stmt::With(w) = s {
                if let Some(l) = w.items.first().and_then(|i| name_of(&i.context_expr)).filter(|l| locks.contains(l)) {
                    let text = parsed.text(w);
                    if existing.is_none() && globals.iter().any(|g| mentions(text, g)) {
                        existing = Some(l);
                    }
                }
            }
        });
        // A name no global or local of the program has (comments, strings and attribute
        // names do not count).
        let used = |n: &str| {
            program.globals.iter().any(|g| g == n) || program.codes.iter().any(|c| c.varnames.iter().any(|x| x == n))
        };
        let new_name = ["lock", "_lock", "state_lock", "repair_lock"]
            .into_iter()
            .find(|n| !used(n))
            .map_or_else(|| "gilcheck_lock".to_string(), String::from);
        // `import threading` (as some name), else the program gets one.
        let mut module = None;
        let mut last_import = 0;
        for s in body {
            match s {
                Stmt::Import(i) => {
                    last_import = parsed.span(s).1;
                    for a in &i.names {
                        if a.name.as_str() == "threading" {
                            module = Some(a.asname.as_ref().map_or("threading", |n| n.as_str()).to_string());
                        }
                    }
                }
                Stmt::ImportFrom(_) => last_import = parsed.span(s).1,
                _ => {}
            }
        }
        let mut declare = Vec::new();
        let module = module.unwrap_or_else(|| {
            declare.push("import threading".to_string());
            "threading".into()
        });
        declare.push(format!("{new_name} = {module}.Lock()"));
        let declare_at = if last_import > 0 { last_import + 1 } else { body.first().map_or(1, |s| parsed.span(s).0) };
        LockChoice { existing, new_name, declare_at, declare }
    }

    /// The edits that wrap `regions`, and what they do in words. With the program's own lock,
    /// a region already inside a `with` of it is atomic already and stays as it is.
    fn wrap(&self, parsed: &Parsed<'_>, regions: &[Region]) -> (Edits, String) {
        let lock = self.existing.clone().unwrap_or_else(|| self.new_name.clone());
        let mut edits = Edits::default();
        let unit = indent_unit(parsed);
        let mut wrapped = Vec::new();
        for r in regions.iter().filter(|r| !r.held.contains(&lock)) {
            edits.wrap(r, &lock, &unit);
            wrapped.push(r.describe());
        }
        let whose = match &self.existing {
            Some(l) => format!("the program's lock `{l}`, which already guards this data elsewhere"),
            None => {
                for line in &self.declare {
                    edits.insert_before(self.declare_at, line.clone());
                }
                format!("a new module-level lock `{lock}`")
            }
        };
        (edits, format!("`with {lock}:` around {} ({whose})", wrapped.join(" and ")))
    }
}

/// The file's indentation unit: the first indented line's indentation (4 spaces if none).
fn indent_unit(parsed: &Parsed<'_>) -> String {
    parsed
        .src
        .text()
        .lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .find(|ws| !ws.is_empty())
        .unwrap_or("    ")
        .to_string()
}

/// Calls `f` with every statement in `body`, nested ones included.
fn visit(body: &[Stmt], f: &mut dyn FnMut(&Stmt)) {
    for s in body {
        f(s);
        for sub in crate::frontend::walk::child_bodies(s) {
            visit(sub, f);
        }
    }
}

/// Rewrites nestings that take locks against the program's order, until the program holds.
fn repair_order(model: &Model, parsed: &Parsed<'_>, message: &str, opts: &FixOptions, fix: &mut Fix) -> Result<()> {
    fix.blamed = vec![format!("deadlock: {message}")];
    // The locks on the wait cycle, as the finding names them (`waits for lock_b`).
    let cycle: Vec<String> = message
        .split("waits for ")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    for cand in order::candidates(parsed, &cycle).into_iter().take(opts.max_candidates) {
        let (text, _) = cand.edits.apply(parsed.src);
        let repaired = model.with_text(text.clone())?;
        let report = check(&repaired, opts);
        let verdict = report.verdict;
        let mut c = Candidate { description: cand.description, text, verdict, rejected: None, report };
        if verdict == Verdict::Holds {
            let outs = match (outputs(model, &opts.output_limits, true), outputs(&repaired, &opts.output_limits, false))
            {
                (Ok(a), Ok(b)) if a == b => Some(Outputs::Same(b.len())),
                (Ok(_), Ok(_)) => None,
                (Err(w), _) | (_, Err(w)) => Some(Outputs::NotCompared(w)),
            };
            match outs {
                Some(o) => {
                    fix.tried.push(c);
                    fix.outputs = Some(o);
                    return Ok(());
                }
                None => c.rejected = Some("it holds, but changes the output sequences the program can print".into()),
            }
        } else {
            c.rejected = Some(match &c.report.counterexample {
                Some(x) => format!("still violated: {}", x.finding.message),
                None => "not proved: its re-check stopped at a limit".into(),
            });
        }
        fix.tried.push(c);
    }
    fix.gave_up = Some(if fix.tried.is_empty() {
        "no two `with` statements take the deadlocked locks in opposite orders: no lock order to propose".into()
    } else {
        format!("no lock order tried makes the program hold ({} tried)", fix.tried.len())
    });
    Ok(())
}
