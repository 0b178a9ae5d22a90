//! The subset check of the `random` module's calls: in a sleep's length, seeded, or as an
//! explored choice.

use super::*;

impl Checker<'_> {
    /// The call of a `random` function that `e` is, with the function's name; also when it is
    /// scaled by a positive number (`random.randint(1, 3) / 10`, `0.1 * random.random()`), which
    /// keeps the sleep's length non-negative whatever the draw.
    pub(super) fn random_callee<'e>(&self, e: &'e Expr) -> Option<(&'e ast::ExprCall, String)> {
        let positive = |x: &Expr| match x {
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_u64().is_some_and(|v| v > 0),
                ast::Number::Float(f) => *f > 0.0 && f.is_finite(),
                ast::Number::Complex { .. } => false,
            },
            _ => false,
        };
        match e {
            Expr::Call(c) => self.module_callee(&c.func).filter(|(m, _)| m == "random").map(|(_, f)| (c, f)),
            Expr::BinOp(b) if matches!(b.op, ast::Operator::Mult | ast::Operator::Div) && positive(&b.right) => {
                self.random_callee(&b.left)
            }
            Expr::BinOp(b) if b.op == ast::Operator::Mult && positive(&b.left) => self.random_callee(&b.right),
            _ => None,
        }
    }

    /// `random.f(...)` as the length of a sleep: a value only the sleep sees.
    pub(super) fn random_in_sleep(&self, c: &ast::ExprCall, f: &str) -> Result<()> {
        const HINT: &str = "as a sleep's length: random.random(), random.uniform(a, b), random.randint(a, b) or \
             random.choice(seq)";
        let n = c.arguments.args.len();
        let ok = match f {
            "random" => n == 0,
            "uniform" | "randint" => n == 2,
            "choice" => n == 1,
            other => return Err(self.unsupported(c.range(), format!("random.{other}"), HINT)),
        };
        self.no_keywords(c, &format!("random.{f}"), HINT)?;
        if !ok || c.arguments.args.iter().any(|a| matches!(a, Expr::Starred(_))) {
            return Err(self.unsupported(c.range(), format!("random.{f}() with these arguments"), HINT));
        }
        c.arguments.args.iter().for_each(|a| self.note(self.expr(a)));
        Ok(())
    }

    /// `random.f(...)` in a program that seeds the generator: python3.11's own draws.
    pub(super) fn seeded_random_call(&self, c: &ast::ExprCall, f: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "after random.seed(n): random.seed(n), random(), uniform(a, b), randint(a, b), \
             choice(seq), shuffle(list) and getrandbits(k)";
        let n = c.arguments.args.len();
        let ok = match f {
            "seed" | "choice" | "shuffle" | "getrandbits" => n == 1,
            "random" => n == 0,
            "uniform" | "randint" => n == 2,
            other => return Err(self.unsupported(range, format!("random.{other}"), HINT)),
        };
        self.no_keywords(c, &format!("random.{f}"), HINT)?;
        if !ok {
            return Err(self.unsupported(c.range(), format!("random.{f}() with {n} arguments"), HINT));
        }
        Ok(())
    }

    /// Whether `e` names the `random` module or one of its functions, or a clock of `time`.
    pub(super) fn names_random(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n)
                if !self.is_local(n.id.as_str()) && self.modules.get(n.id.as_str()).is_some_and(|m| m == "random") =>
            {
                true
            }
            _ => self.module_callee(e).is_some_and(|(m, f)| {
                m == "random" || (m == "time" && matches!(f.as_str(), "time" | "monotonic" | "perf_counter"))
            }),
        }
    }

    /// The `random` module, or one of its functions, named other than in a call
    /// (`draw = random.randint`): its draws are then explored value by value wherever it is
    /// called (`randint`, `choice`), or it is refused, unless the module seeds the generator.
    pub(super) fn random_reference(&self, e: &Expr) -> Result<()> {
        if self.seeded && !matches!(self.module_callee(e), Some((m, _)) if m == "time") {
            return Ok(());
        }
        const HINT: &str = "call random.randint(a, b) and random.choice(seq) where their value is used (each value \
             is explored), or seed the generator with random.seed(n)";
        match self.module_callee(e) {
            Some((m, f)) if f == "randint" || f == "choice" || m == "time" => {
                let at = e.range().start().to_u32();
                self.draws.set(Some(self.draws.get().map_or(at, |d| d.min(at))));
                Ok(())
            }
            Some((_, f)) => {
                Err(self.unsupported(e.range(), format!("random.{f} as a value without random.seed(n)"), HINT))
            }
            None => Err(self.unsupported(e.range(), "the module random as a value without random.seed(n)", HINT)),
        }
    }

    /// `random.f(...)` other than as a sleep's length: python3.11's own draws after
    /// `random.seed(n)`; without a seed, `randint(a, b)` and `choice(seq)` are explored value by
    /// value, and the other functions are refused.
    pub(super) fn random_call(&self, c: &ast::ExprCall, f: &str, range: TextRange) -> Result<()> {
        if self.seeded {
            return self.seeded_random_call(c, f, range);
        }
        const HINT: &str = "without random.seed(n), random.randint(a, b) and random.choice(seq) are explored value by \
             value (up to 64 values each); seed the generator with random.seed(n) at the top of the module to use the \
             other functions (their values are then python3.11's own), or use a random value only as a sleep's \
             length, e.g. time.sleep(random.uniform(0.1, 0.5))";
        let n = c.arguments.args.len();
        let ok = match f {
            "randint" => n == 2,
            "choice" => n == 1,
            other => return Err(self.unsupported(range, format!("random.{other} without random.seed(n)"), HINT)),
        };
        self.no_keywords(c, &format!("random.{f}"), HINT)?;
        if !ok || c.arguments.args.iter().any(|a| matches!(a, Expr::Starred(_))) {
            return Err(self.unsupported(c.range(), format!("random.{f}() with {n} arguments"), HINT));
        }
        c.arguments.args.iter().for_each(|a| self.note(self.expr(a)));
        let at = c.range().start().to_u32();
        self.draws.set(Some(self.draws.get().map_or(at, |d| d.min(at))));
        Ok(())
    }
}
