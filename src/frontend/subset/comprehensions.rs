//! The subset check of list and dict comprehensions and of lambdas. They compile as CPython
//! 3.11 compiles them, into a function of their own (a comprehension is called at once with
//! the outermost iterator); one that reads a local variable of an enclosing function (or of an
//! enclosing comprehension or lambda) would need a closure, which the checker does not model,
//! so it is refused.

use super::*;

/// A comprehension's generator clauses and its result expressions.
struct Comp<'e> {
    generators: &'e [ast::Comprehension],
    /// The element (a list comprehension) or key and value (a dict comprehension).
    results: Vec<&'e Expr>,
}

fn comp_of(e: &Expr) -> Option<Comp<'_>> {
    match e {
        Expr::ListComp(l) => Some(Comp { generators: &l.generators, results: vec![&l.elt] }),
        Expr::DictComp(d) => {
            Some(Comp { generators: &d.generators, results: d.key.as_deref().into_iter().chain([&*d.value]).collect() })
        }
        _ => None,
    }
}

/// The names a comprehension's targets bind.
fn bound(c: &Comp<'_>) -> HashSet<String> {
    fn names(t: &Expr, out: &mut HashSet<String>) {
        match t {
            Expr::Name(n) => {
                out.insert(n.id.as_str().to_string());
            }
            Expr::Tuple(tu) => tu.elts.iter().for_each(|x| names(x, out)),
            Expr::List(l) => l.elts.iter().for_each(|x| names(x, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    c.generators.iter().for_each(|g| names(&g.target, &mut out));
    out
}

/// The parts of a comprehension evaluated in its own scope: every iterable but the outermost,
/// the conditions, and the result expressions.
fn inside<'e>(c: &Comp<'e>) -> Vec<&'e Expr> {
    let mut out = Vec::new();
    for (i, g) in c.generators.iter().enumerate() {
        if i > 0 {
            out.push(&g.iter);
        }
        out.extend(g.ifs.iter());
    }
    out.extend(c.results.iter().copied());
    out
}

/// The first name that `e`, evaluated in a scope whose own variables are `scope`, reads
/// through a closure: a name of `closure` (variables of enclosing function or comprehension
/// scopes that this scope does not shadow), here or in a comprehension nested in `e`.
fn closure_use<'e>(e: &'e Expr, closure: &HashSet<String>, scope: &HashSet<String>) -> Option<&'e ast::ExprName> {
    let mut found = None;
    walk(e, &mut |x| {
        if found.is_some() {
            return false;
        }
        match x {
            Expr::Name(n) if matches!(n.ctx, ExprContext::Load) && closure.contains(n.id.as_str()) => {
                found = Some(n);
                false
            }
            Expr::Lambda(l) => {
                // A lambda's body runs in its own scope, like a comprehension's.
                let own: HashSet<String> = l
                    .parameters
                    .iter()
                    .flat_map(|p| p.posonlyargs.iter().chain(p.args.iter()))
                    .map(|a| a.parameter.name.as_str().to_string())
                    .collect();
                let outer: HashSet<String> = closure.union(scope).filter(|n| !own.contains(*n)).cloned().collect();
                found = closure_use(&l.body, &outer, &own);
                false
            }
            _ => match comp_of(x) {
                Some(c) => {
                    // The outermost iterable runs in the current scope, the rest in the
                    // comprehension's, where the current scope's variables need a closure.
                    found = c.generators.first().and_then(|g| closure_use(&g.iter, closure, scope));
                    if found.is_none() {
                        let own = bound(&c);
                        let outer: HashSet<String> =
                            closure.union(scope).filter(|n| !own.contains(*n)).cloned().collect();
                        found = inside(&c).into_iter().find_map(|p| closure_use(p, &outer, &own));
                    }
                    false
                }
                None => true,
            },
        }
    });
    found
}

/// Visits `e` and its subexpressions in source order; `f` returns whether to descend.
fn walk<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr) -> bool) {
    use ruff_python_ast::visitor::source_order::{walk_expr, SourceOrderVisitor};
    struct V<'f, F>(&'f mut F);
    impl<'e, F: FnMut(&'e Expr) -> bool> SourceOrderVisitor<'e> for V<'_, F> {
        fn visit_expr(&mut self, e: &'e Expr) {
            if (self.0)(e) {
                walk_expr(self, e);
            }
        }
    }
    V(f).visit_expr(e);
}

impl Checker<'_> {
    /// A list or dict comprehension: synchronous generators whose targets are names (or
    /// tuples of names), supported expressions everywhere, and no closure.
    pub(super) fn comprehension(&self, e: &Expr) -> Result<()> {
        let Some(c) = comp_of(e) else { return Ok(()) };
        if let Expr::DictComp(d) = e {
            if d.key.is_none() {
                return Err(self.unsupported(d.range, "dict unpacking '**' in a comprehension", "write key: value"));
            }
        }
        for g in c.generators {
            if g.is_async {
                return Err(self.unsupported(g.range, "async comprehension", "use a synchronous for"));
            }
            self.comp_target(&g.target)?;
            self.iterable(&g.iter)?;
            g.ifs.iter().try_for_each(|x| self.expr(x))?;
        }
        c.results.iter().try_for_each(|x| self.expr(x))?;
        let scope = self.locals.clone().unwrap_or_default();
        if let Some(n) = closure_use(e, &HashSet::new(), &scope) {
            return Err(self.unsupported(
                n.range,
                format!("a comprehension that reads '{}', a variable of the function or comprehension around it", n.id),
                "closures are not modelled: pass the value in a global, or build the result with a for loop",
            ));
        }
        Ok(())
    }

    /// A lambda: positional parameters without defaults, a supported body, and no closure.
    pub(super) fn lambda(&self, l: &ast::ExprLambda) -> Result<()> {
        const HINT: &str = "lambda with positional parameters (lambda a, b: ...), or a def";
        let mut params = HashSet::new();
        if let Some(p) = &l.parameters {
            if let Some(v) = p.vararg.as_ref().or(p.kwarg.as_ref()) {
                return Err(self.unsupported(v.range, "star-args parameter of a lambda", HINT));
            }
            if let Some(k) = p.kwonlyargs.first() {
                return Err(self.unsupported(k.range, "keyword-only parameter of a lambda", HINT));
            }
            for a in p.posonlyargs.iter().chain(p.args.iter()) {
                if let Some(d) = &a.default {
                    return Err(self.unsupported(d.range(), "default parameter value of a lambda", HINT));
                }
                params.insert(a.parameter.name.as_str().to_string());
            }
        }
        self.expr(&l.body)?;
        let enclosing: HashSet<String> =
            self.locals.clone().unwrap_or_default().into_iter().filter(|n| !params.contains(n)).collect();
        if let Some(n) = closure_use(&l.body, &enclosing, &params) {
            return Err(self.unsupported(
                n.range,
                format!("a lambda that reads '{}', a variable of the function or comprehension around it", n.id),
                "closures are not modelled: pass the value as a parameter, or use a global",
            ));
        }
        Ok(())
    }

    fn comp_target(&self, t: &Expr) -> Result<()> {
        match t {
            Expr::Name(_) => Ok(()),
            Expr::Tuple(tu) => tu.elts.iter().try_for_each(|x| self.comp_target(x)),
            other => Err(self.unsupported(
                other.range(),
                "this comprehension target",
                "a comprehension's target is a name or a tuple of names",
            )),
        }
    }
}
