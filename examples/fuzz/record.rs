//! The failure store: one directory per class of failure, a class being (command, kind,
//! first line of the message with digits and the file's path normalised), holding the
//! smallest input seen for it.

use super::case::Case;
use super::oracle::{self, Failure};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One class of failure.
#[derive(Clone, Debug)]
pub struct Class {
    /// The oracle.
    pub kind: oracle::Kind,
    /// The subcommand.
    pub command: String,
    /// The normalised first line.
    pub message: String,
    /// How many inputs fell in it.
    pub count: u64,
    /// The smallest input (source length) seen.
    pub example: Case,
    /// Its failure's full detail.
    pub detail: String,
    /// Where its files are.
    pub dir: PathBuf,
}

/// The class of `failure` of `case`: the command, the oracle, and the normalised first line.
pub fn key(case: &Case, failure: &Failure) -> String {
    let message = normalise(failure.detail.lines().next().unwrap_or(""));
    format!("{}|{}|{}", case.command(), failure.kind.name(), message)
}

/// The classes found so far, written under a directory as they come.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// The classes, by key.
    pub classes: BTreeMap<String, Class>,
}

/// The class of a message: digits (and digit groups `1,000`) become `N`; its first 80
/// characters.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    let mut digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() || (digits && c == ',') {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    out.chars().take(80).collect()
}

impl Store {
    /// A store writing under `dir` (created).
    pub fn new(dir: &Path) -> Store {
        let _ = std::fs::create_dir_all(dir);
        Store { dir: dir.to_path_buf(), classes: BTreeMap::new() }
    }

    /// Adds `failure` of `case`; writes the class's files when it is new or the input smaller.
    pub fn add(&mut self, case: &Case, failure: &Failure) {
        let message = normalise(failure.detail.lines().next().unwrap_or(""));
        let key = key(case, failure);
        let name = format!("{}-{}-{:016x}", failure.kind.name(), case.command(), hash(&key));
        let dir = self.dir.join(name);
        let entry = self.classes.entry(key).or_insert_with(|| Class {
            kind: failure.kind,
            command: case.command().to_string(),
            message,
            count: 0,
            example: case.clone(),
            detail: failure.detail.clone(),
            dir: dir.clone(),
        });
        entry.count += 1;
        let fresh = entry.count == 1;
        if fresh || case.source.len() < entry.example.source.len() {
            entry.example = case.clone();
            entry.detail = failure.detail.clone();
            let _ = std::fs::create_dir_all(&dir);
            let input = dir.join("input.py");
            let _ = std::fs::write(&input, &case.source);
            let mut text = format!(
                "command: {}\nkind: {}{}\ninput index: {}\nreason: {}\n",
                case.shell(&input.display().to_string()),
                failure.kind.name(),
                if oracle::enabled(failure.kind) { "" } else { " (oracle not yet switched on)" },
                case.index,
                failure.detail
            );
            if !case.stdin.is_empty() {
                text.push_str(&format!("stdin:\n{}", String::from_utf8_lossy(&case.stdin)));
            }
            let _ = std::fs::write(dir.join("reason.txt"), text);
        }
    }

    /// How many inputs failed an oracle that is switched on.
    pub fn enabled_failures(&self) -> u64 {
        self.classes.values().filter(|c| oracle::enabled(c.kind)).map(|c| c.count).sum()
    }

    /// One line per class, the switched-on oracles first.
    pub fn summary(&self) -> String {
        let mut rows: Vec<&Class> = self.classes.values().collect();
        rows.sort_by_key(|c| (!oracle::enabled(c.kind), c.kind, c.command.clone(), std::cmp::Reverse(c.count)));
        let mut s = String::new();
        for c in rows {
            s.push_str(&format!(
                "{}{:>7}  {:<26} {:<9} {}\n",
                if oracle::enabled(c.kind) { "FAIL " } else { "known" },
                c.count,
                c.kind.name(),
                c.command,
                c.message
            ));
        }
        s
    }
}

fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}
