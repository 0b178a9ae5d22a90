//! The serial run: every thread to completion inside its `start()`, computed independently of gilcheck.

use super::*;

pub(super) enum Stop {
    Raise,
    /// The serial schedule would block (or values grew too large): no serial value.
    Give,
}

pub(super) struct Serial {
    pub(super) g: Vec<i128>,
    pub(super) locked: Vec<bool>,
    /// The list `a`, `d["k"]` and `obj.n`.
    pub(super) a: Vec<i128>,
    pub(super) d: i128,
    pub(super) n: i128,
}

impl Serial {
    fn release(&mut self, l: usize) -> Result<(), Stop> {
        if self.locked[l] {
            self.locked[l] = false;
            Ok(())
        } else {
            Err(Stop::Raise)
        }
    }

    fn acquire(&mut self, l: usize) -> Result<(), Stop> {
        if self.locked[l] {
            Err(Stop::Give)
        } else {
            self.locked[l] = true;
            Ok(())
        }
    }

    fn set(&mut self, g: usize, v: Option<i128>) -> Result<(), Stop> {
        self.g[g] = small(v)?;
        Ok(())
    }

    fn exec(&mut self, body: &[Stmt], n: i128) -> Result<(), Stop> {
        for s in body {
            match s {
                Stmt::Add { g, c } => self.set(*g, self.g[*g].checked_add(*c as i128))?,
                Stmt::Sub { g, c } => self.set(*g, self.g[*g].checked_sub(*c as i128))?,
                Stmt::Mul { g, c } => self.set(*g, self.g[*g].checked_mul(*c as i128))?,
                Stmt::Copy { g, h, c } => self.set(*g, self.g[*h].checked_add(*c as i128))?,
                Stmt::AddParam { g } => self.set(*g, self.g[*g].checked_add(n))?,
                Stmt::Rmw { g } => self.set(*g, self.g[*g].checked_add(1))?,
                Stmt::StrAppend | Stmt::Print { .. } | Stmt::PrintStr { .. } | Stmt::Pass => {}
                Stmt::ListAdd { i, c } | Stmt::ListSet { i, c } => {
                    self.a[*i] = small(self.a[*i].checked_add(*c as i128))?
                }
                Stmt::Append { c } => self.a.push(*c as i128),
                Stmt::DictAdd { c } => self.d = small(self.d.checked_add(*c as i128))?,
                Stmt::AttrAdd { c } | Stmt::Bump { c } => self.n = small(self.n.checked_add(*c as i128))?,
                Stmt::PropRead { g } => self.set(*g, self.g[*g].checked_add(self.n))?,
                Stmt::CallInc { g, c } => self.set(*g, self.g[*g].checked_add(*c as i128))?,
                Stmt::Abs { g, c } => self.set(*g, self.g[*g].checked_sub(*c as i128).map(i128::abs))?,
                Stmt::Len { g } => self.set(*g, self.g[*g].checked_add(self.a.len() as i128))?,
                Stmt::Max { g, c } => self.set(*g, Some(self.g[*g].max(*c as i128)))?,
                Stmt::Assert { g, c, .. } => {
                    if self.g[*g] > *c as i128 {
                        return Err(Stop::Raise);
                    }
                }
                Stmt::BareRelease { lock } => self.release(*lock)?,
                Stmt::If { param, g, c, then, els } => {
                    let v = if *param { n } else { self.g[*g] };
                    if v > *c as i128 {
                        self.exec(then, n)?;
                    } else if let Some(e) = els {
                        self.exec(e, n)?;
                    }
                }
                Stmt::For { k, body } | Stmt::While { k, body } => {
                    for _ in 0..*k {
                        self.exec(body, n)?;
                    }
                }
                Stmt::With { lock, body } | Stmt::TryFinally { lock, body } => {
                    self.acquire(*lock)?;
                    let r = self.exec(body, n);
                    match r {
                        Ok(()) => self.release(*lock)?,
                        Err(Stop::Raise) => {
                            let _ = self.release(*lock);
                            return Err(Stop::Raise);
                        }
                        Err(e) => return Err(e),
                    }
                }
                Stmt::AcqRel { lock, body } => {
                    self.acquire(*lock)?;
                    self.exec(body, n)?;
                    self.release(*lock)?;
                }
            }
        }
        Ok(())
    }
}

/// `v`, where it is known and not too large.
pub(super) fn small(v: Option<i128>) -> Result<i128, Stop> {
    match v {
        Some(v) if v.abs() < 1_000_000_000 => Ok(v),
        _ => Err(Stop::Give),
    }
}

/// Globals after the interleaving in which each thread runs to completion inside its `start()`;
/// `None` if anything raises or blocks on the way.
pub(super) fn serial_run(p: &Prog) -> Option<Vec<i128>> {
    let mut st = Serial {
        g: p.init.iter().map(|&v| v as i128).collect(),
        locked: vec![false; p.n_locks],
        a: vec![0, 0],
        d: 0,
        n: 0,
    };
    for &(f, arg) in &p.threads {
        st.exec(&p.funcs[f].body, arg.unwrap_or(0) as i128).ok()?;
    }
    st.exec(&p.main_body, 0).ok()?;
    Some(st.g)
}
