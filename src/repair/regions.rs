//! Where a `with lock:` region can go, and the edits that put it there.
//!
//! A region is a run of whole statements of one block (a function's body, a loop's body, an
//! arm of an `if`, ...). The candidates for a set of blamed lines are the smallest run of the
//! innermost block that covers them, then each enclosing statement in turn, up to a statement
//! of the body of the function (or of the module code) they are in: never across a `def` or
//! `class`.

use crate::frontend::walk::child_bodies;
use crate::source::SourceFile;
use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_text_size::Ranged;
use std::collections::{BTreeMap, BTreeSet};

/// Statements `first..=last` (lines) of one block, where a `with` can wrap them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Region {
    /// The first line of the first statement.
    pub first: u32,
    /// The last line of the last statement.
    pub last: u32,
    /// The block's indentation.
    pub indent: String,
    /// The function the block is in (`deposit()`, or `module code`).
    pub function: String,
    /// The locks of the `with` statements the block is nested in.
    pub held: Vec<String>,
}

impl Region {
    /// The region in words: `line 11 in deposit()`, `lines 10-12 in buy()`.
    pub fn describe(&self) -> String {
        if self.first == self.last {
            format!("line {} in {}", self.first, self.function)
        } else {
            format!("lines {}-{} in {}", self.first, self.last, self.function)
        }
    }

    fn overlaps(&self, other: &Region) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// The parsed source, with line lookups.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// The file.
    pub src: &'a SourceFile,
    /// Its module.
    pub module: ModModule,
}

impl Parsed<'_> {
    /// The line of a byte offset.
    pub fn line(&self, offset: u32) -> u32 {
        self.src.line_col(offset).0
    }

    /// The lines a statement spans.
    pub fn span(&self, s: impl Ranged) -> (u32, u32) {
        let r = s.range();
        (self.line(r.start().to_u32()), self.line(r.end().to_u32().saturating_sub(1).max(r.start().to_u32())))
    }

    /// The text of a node.
    pub fn text(&self, r: impl Ranged) -> &str {
        &self.src.text()[r.range().start().to_usize()..r.range().end().to_usize()]
    }

    /// The candidate regions covering `lines`, innermost first (empty when the lines are not
    /// all inside one function's statements).
    pub fn candidates(&self, lines: &BTreeSet<u32>) -> Vec<Region> {
        let mut out = Vec::new();
        self.chain(&self.module.body, lines, "module code", &[], &mut out);
        out.retain(|r| self.owns_whole_lines(r));
        out.dedup();
        out
    }

    /// Pushes the regions of `body` covering `lines`, innermost first; returns whether the
    /// lines lie in `body` and whether a `def` or `class` closed the chain.
    fn chain(
        &self,
        body: &[Stmt],
        lines: &BTreeSet<u32>,
        function: &str,
        held: &[String],
        out: &mut Vec<Region>,
    ) -> Option<bool> {
        let spans: Vec<(u32, u32)> = body.iter().map(|s| self.span(s)).collect();
        let mut idx = BTreeSet::new();
        for &l in lines {
            // Every statement on the line: `a = x; x = a` goes together.
            let on: Vec<usize> = (0..spans.len()).filter(|&k| spans[k].0 <= l && l <= spans[k].1).collect();
            if on.is_empty() {
                return None;
            }
            idx.extend(on);
        }
        let (i, j) = (*idx.first()?, *idx.last()?);
        if i == j {
            let s = &body[i];
            let (inner_fn, closes) = match s {
                Stmt::FunctionDef(f) => (format!("{}()", f.name.as_str()), true),
                Stmt::ClassDef(c) => (format!("class {}", c.name.as_str()), true),
                _ => (function.to_string(), false),
            };
            let mut inner_held = held.to_vec();
            if let Stmt::With(w) = s {
                inner_held.extend(w.items.iter().filter_map(|it| name_of(&it.context_expr)));
            }
            if closes {
                inner_held.clear();
            }
            for sub in child_bodies(s) {
                if let Some(closed) = self.chain(sub, lines, &inner_fn, &inner_held, out) {
                    if closed || closes {
                        return Some(true);
                    }
                    break;
                }
            }
            if closes {
                // The lines include a `def` or `class` line itself: no region around it.
                return Some(true);
            }
        }
        if function.starts_with("class ")
            || body[i..=j].iter().any(|s| matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        {
            // A class body holds definitions, and a region never wraps one.
            return None;
        }
        let indent = self.indent_of(spans[i].0);
        if self.whole_lines(body[i].range().start().to_usize(), body[j].range().end().to_usize()) {
            out.push(Region {
                first: spans[i].0,
                last: spans[j].1,
                indent,
                function: function.into(),
                held: held.to_vec(),
            });
        }
        Some(false)
    }

    /// The indentation of `line`.
    pub fn indent_of(&self, line: u32) -> String {
        let text = self.src.line_text(line);
        text[..text.len() - text.trim_start().len()].to_string()
    }

    /// Whether the text from byte `start` to byte `end` is whole lines: only indentation before
    /// it on its first line, only blanks or a comment after it on its last (no `;`-joined
    /// neighbour, no `if x: y` on one line).
    fn whole_lines(&self, start: usize, end: usize) -> bool {
        let text = self.src.text();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let after = text[end..line_end].trim_start();
        text[line_start..start].trim().is_empty() && (after.is_empty() || after.starts_with('#'))
    }

    /// Whether no multi-line string would be re-indented by wrapping the region.
    fn owns_whole_lines(&self, r: &Region) -> bool {
        !(r.first..=r.last).map(|l| self.src.line_text(l)).any(|l| l.contains("\"\"\"") || l.contains("'''"))
    }
}

/// The name an expression is, if it is a plain name.
pub fn name_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        _ => None,
    }
}

/// Whether `text` mentions the identifier `name` as a whole word.
pub fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Line edits of a source file, applied at once.
#[derive(Clone, Debug, Default)]
pub struct Edits {
    /// Lines inserted before a line (after the last line: `lines + 1`).
    insert: BTreeMap<u32, Vec<String>>,
    /// Extra indentation of a line.
    indent: BTreeMap<u32, String>,
    /// Indentation removed from a line (its first so many bytes).
    dedent: BTreeMap<u32, usize>,
    /// Lines replaced.
    replace: BTreeMap<u32, String>,
    /// Lines deleted.
    delete: BTreeSet<u32>,
}

impl Edits {
    /// Inserts `text` as a line before `line`.
    pub fn insert_before(&mut self, line: u32, text: String) {
        self.insert.entry(line).or_default().push(text);
    }

    /// Wraps the region in `with {lock}:`, one indentation `unit` deeper.
    pub fn wrap(&mut self, r: &Region, lock: &str, unit: &str) {
        self.insert_before(r.first, format!("{}with {lock}:", r.indent));
        for l in r.first..=r.last {
            self.indent.entry(l).or_default().push_str(unit);
        }
    }

    /// Removes `bytes` of indentation from lines `first..=last`.
    pub fn dedent(&mut self, first: u32, last: u32, bytes: usize) {
        for l in first..=last {
            *self.dedent.entry(l).or_default() += bytes;
        }
    }

    /// Replaces line `line` with `text`.
    pub fn replace(&mut self, line: u32, text: String) {
        self.replace.insert(line, text);
    }

    /// Deletes line `line`.
    pub fn delete(&mut self, line: u32) {
        self.delete.insert(line);
    }

    /// The edited text, and for each of its lines the original line it came from (`None` for
    /// an inserted line).
    pub fn apply(&self, src: &SourceFile) -> (String, Vec<Option<u32>>) {
        let text = src.text();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::with_capacity(text.len() + 256);
        let mut map = Vec::new();
        for n in 1..=lines.len() as u32 + 1 {
            for ins in self.insert.get(&n).into_iter().flatten() {
                out.push_str(ins);
                out.push('\n');
                map.push(None);
            }
            let Some(orig) = lines.get(n as usize - 1) else { break };
            if self.delete.contains(&n) {
                continue;
            }
            let mut line = self.replace.get(&n).cloned().unwrap_or_else(|| orig.to_string());
            if let Some(&k) = self.dedent.get(&n) {
                let ws = line.len() - line.trim_start().len();
                line = line[k.min(ws)..].to_string();
            }
            if let Some(extra) = self.indent.get(&n) {
                if !line.trim().is_empty() {
                    line = format!("{extra}{line}");
                }
            }
            out.push_str(&line);
            out.push('\n');
            map.push(Some(n));
        }
        (out, map)
    }
}

/// Merges regions: overlapping ones become the larger (a region nested in another is dropped).
pub fn merge(mut regions: Vec<Region>) -> Vec<Region> {
    regions.sort();
    let mut out: Vec<Region> = Vec::new();
    for r in regions {
        if let Some(prev) = out.last_mut() {
            if prev.overlaps(&r) {
                if r.last - r.first > prev.last - prev.first {
                    *prev = r;
                }
                continue;
            }
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (SourceFile, ModModule) {
        let src = SourceFile::new("t.py", text);
        let module = crate::frontend::parse_syntax(&src).unwrap();
        (src, module)
    }

    const PROGRAM: &str = "import threading\nx = 0\n\ndef f():\n    global x\n    for i in range(3):\n        if x > 0:\n            x -= 1\n        y = x; x = y\n\nclass C:\n    def m(self):\n        return 1\n\ndef g():\n    if x: x = 0\n";

    #[test]
    fn candidates_grow_from_the_innermost_block_to_the_functions_statements() {
        let (src, module) = parsed(PROGRAM);
        let p = Parsed { src: &src, module };
        let lines = |r: &[Region]| r.iter().map(|r| (r.first, r.last)).collect::<Vec<_>>();
        // The check and the act: the `if`, then the loop around it.
        assert_eq!(lines(&p.candidates(&BTreeSet::from([7, 8]))), [(7, 8), (6, 9)]);
        let c = &p.candidates(&BTreeSet::from([8]))[0];
        assert_eq!(
            (c.indent.as_str(), c.function.as_str(), c.describe()),
            ("            ", "f()", "line 8 in f()".into())
        );
        // Line 9 holds two statements joined by `;`: the region takes both.
        assert_eq!(lines(&p.candidates(&BTreeSet::from([9]))), [(9, 9), (6, 9)]);
        // Lines of two functions: no region (it would wrap a `def`); a class body: none.
        assert!(p.candidates(&BTreeSet::from([8, 13])).is_empty());
        assert!(p.candidates(&BTreeSet::from([12, 13])).is_empty());
        // `if x: x = 0` on one line: the body shares its line with the header; the `if` whole.
        assert_eq!(lines(&p.candidates(&BTreeSet::from([16]))), [(16, 16)]);
        assert_eq!(p.candidates(&BTreeSet::from([16]))[0].indent, "    ");
    }

    #[test]
    fn edits_wrap_insert_and_map_lines_back() {
        let (src, module) = parsed(PROGRAM);
        let p = Parsed { src: &src, module };
        let r = p.candidates(&BTreeSet::from([7, 8]))[0].clone();
        let mut e = Edits::default();
        e.wrap(&r, "lock", "    ");
        e.insert_before(2, "lock = threading.Lock()".into());
        let (text, map) = e.apply(&src);
        let out: Vec<&str> = text.lines().collect();
        assert_eq!(out[1], "lock = threading.Lock()");
        assert_eq!(&out[7..10], ["        with lock:", "            if x > 0:", "                x -= 1"]);
        assert_eq!(&map[..3], [Some(1), None, Some(2)]);
        assert_eq!(map[7], None);
        assert_eq!(map[8], Some(7));
        assert_eq!(out.len(), PROGRAM.lines().count() + 2);
    }

    #[test]
    fn mentions_matches_whole_identifiers_only() {
        assert!(mentions("x = balance + 1", "balance"));
        assert!(!mentions("x = balances + 1", "balance"));
        assert!(!mentions("x = my_balance", "balance"));
    }
}
