//! The subset check of list and dict comprehensions, generator expressions, and lambdas. They compile as CPython
//! 3.11 compiles them, into a function of their own (a comprehension is called at once with
//! the outermost iterator); the variables of enclosing functions they read come through
//! closure cells, as for nested functions.

use super::*;

/// A comprehension's generator clauses and its result expressions.
struct Comp<'e> {
    generators: &'e [ast::Comprehension],
    /// The element (a list comprehension, a generator expression) or key and value (a dict
    /// comprehension).
    results: Vec<&'e Expr>,
}

fn comp_of(e: &Expr) -> Option<Comp<'_>> {
    match e {
        Expr::ListComp(l) => Some(Comp { generators: &l.generators, results: vec![&l.elt] }),
        Expr::SetComp(l) => Some(Comp { generators: &l.generators, results: vec![&l.elt] }),
        Expr::Generator(g) => Some(Comp { generators: &g.generators, results: vec![&g.elt] }),
        Expr::DictComp(d) => {
            Some(Comp { generators: &d.generators, results: d.key.as_deref().into_iter().chain([&*d.value]).collect() })
        }
        _ => None,
    }
}

impl Checker<'_> {
    /// A list or dict comprehension or a generator expression: synchronous generators whose
    /// targets are names (or tuples of names), and supported expressions everywhere.
    pub(super) fn comprehension(&self, e: &Expr) -> Result<()> {
        let Some(c) = comp_of(e) else { return Ok(()) };
        if let Expr::DictComp(d) = e {
            if d.key.is_none() {
                return Err(self.unsupported(d.range, "dict unpacking '**' in a comprehension", "write key: value"));
            }
        }
        // The outermost iterable is evaluated outside; the targets are the comprehension's own
        // variables everywhere else.
        let mut own = HashSet::new();
        c.generators.iter().for_each(|g| target_names(&g.target, &mut own));
        for (i, g) in c.generators.iter().enumerate() {
            if g.is_async {
                return Err(self.unsupported(g.range, "async comprehension", "use a synchronous for"));
            }
            self.comp_target(&g.target)?;
            if i == 0 {
                self.iterable(&g.iter)?;
            } else {
                self.with_inner_scope(own.clone(), |c| c.iterable(&g.iter))?;
            }
            self.with_inner_scope(own.clone(), |c| g.ifs.iter().try_for_each(|x| c.expr(x)))?;
        }
        self.with_inner_scope(own, |s| c.results.iter().try_for_each(|x| s.expr(x)))
    }

    /// A lambda: positional parameters (with defaults, evaluated where it is made), and a
    /// supported body.
    pub(super) fn lambda(&self, l: &ast::ExprLambda) -> Result<()> {
        const HINT: &str = "lambda with positional parameters (lambda a, b=1: ...), or a def";
        let mut params = HashSet::new();
        if let Some(p) = &l.parameters {
            if let Some(v) = p.vararg.as_ref().or(p.kwarg.as_ref()) {
                return Err(self.unsupported(v.range, "star-args parameter of a lambda", HINT));
            }
            if let Some(k) = p.kwonlyargs.first() {
                return Err(self.unsupported(k.range, "keyword-only parameter of a lambda", HINT));
            }
            for a in p.posonlyargs.iter().chain(p.args.iter()) {
                // A default is evaluated where the lambda is made (`lambda i=i: work(i)`).
                if let Some(d) = &a.default {
                    self.note(self.expr(d));
                }
                params.insert(a.parameter.name.as_str().to_string());
            }
        }
        self.with_inner_scope(params, |c| c.expr(&l.body))
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
