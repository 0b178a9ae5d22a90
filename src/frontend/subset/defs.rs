//! The subset check of definitions: module-level classes (methods, `@property`, class
//! attributes) and functions (positional parameters, no nesting).

use super::*;

impl Checker<'_> {
    pub(super) fn class(&mut self, c: &ast::StmtClassDef) -> Result<()> {
        if self.locals.is_some() {
            return Err(self.unsupported(
                c.range,
                "class definition inside a function",
                "define classes at module level",
            ));
        }
        if self.blocks > 1 {
            return Err(self.unsupported(c.range, "class definition inside a block", "define classes at module level"));
        }
        if let Some(d) = c.decorator_list.first() {
            return Err(self.unsupported(d.range, "class decorator", HINT_CLASS));
        }
        if let Some(t) = &c.type_params {
            return Err(self.unsupported(t.range, "type parameters", HINT_CLASS));
        }
        if let Some(args) = &c.arguments {
            if let Some(b) = args.args.first() {
                return Err(self.unsupported(b.range(), "class inheritance (a base class)", HINT_CLASS));
            }
            if let Some(k) = args.keywords.first() {
                return Err(self.unsupported(k.range, "class keyword argument", HINT_CLASS));
            }
        }
        self.in_class = true;
        let r = self.stmts(&c.body);
        self.in_class = false;
        r
    }

    pub(super) fn class_stmt(&mut self, s: &Stmt) -> Result<()> {
        match s {
            Stmt::FunctionDef(f) => {
                self.in_class = false;
                let r = self.function(f, true);
                self.in_class = true;
                r
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if !matches!(t, Expr::Name(_)) {
                        return Err(self.unsupported(
                            t.range(),
                            "class attribute target other than a name",
                            HINT_CLASS,
                        ));
                    }
                }
                self.expr(&a.value)
            }
            Stmt::AnnAssign(a) => {
                if !matches!(&*a.target, Expr::Name(_)) {
                    return Err(self.unsupported(
                        a.target.range(),
                        "class attribute target other than a name",
                        HINT_CLASS,
                    ));
                }
                self.ann_assign(a)
            }
            Stmt::Pass(_) => Ok(()),
            Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)) => Ok(()),
            Stmt::ClassDef(c) => Err(self.unsupported(c.range, "nested class", HINT_CLASS)),
            other => Err(self.unsupported(other.range(), "statement in a class body", HINT_CLASS)),
        }
    }

    pub(super) fn function(&mut self, f: &ast::StmtFunctionDef, method: bool) -> Result<()> {
        if self.locals.is_some() {
            return Err(self.unsupported(f.range, "nested function", "define functions at module level"));
        }
        if f.is_async {
            return Err(self.unsupported(f.range, "async function", "use a plain def and threads"));
        }
        for d in &f.decorator_list {
            let is_property = matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "property");
            if !(method && is_property && f.decorator_list.len() == 1) {
                let hint = if method {
                    "the only supported decorator is @property on a method (getters only, no setters)"
                } else {
                    "use a plain def (@property is supported on methods)"
                };
                return Err(self.unsupported(d.range, "decorator", hint));
            }
        }
        if let Some(t) = &f.type_params {
            return Err(self.unsupported(t.range, "type parameters", "use a plain def"));
        }
        // Annotations are evaluated where the `def` runs (unless the future import makes them
        // strings).
        if let Some(r) = &f.returns {
            self.note(self.annotation(r));
        }
        let p = &f.parameters;
        if let Some(v) = &p.vararg {
            return Err(self.unsupported(
                v.range,
                format!("star-args parameter '*{}'", v.name.as_str()),
                "use positional parameters",
            ));
        }
        if let Some(k) = &p.kwarg {
            return Err(self.unsupported(
                k.range,
                format!("keyword parameter '**{}'", k.name.as_str()),
                "use positional parameters",
            ));
        }
        if let Some(k) = p.kwonlyargs.first() {
            return Err(self.unsupported(
                k.range,
                format!("keyword-only parameter '{}'", k.name().as_str()),
                "use positional parameters",
            ));
        }
        let mut locals = HashSet::new();
        for param in p.posonlyargs.iter().chain(p.args.iter()) {
            if let Some(d) = &param.default {
                if crate::compile::fold::fold(d).is_none() {
                    self.note(Err(self.unsupported(
                        d.range(),
                        "default parameter value that is not a constant",
                        "use a constant default (a number, a string, True/False/None, or a tuple of those), \
                         or default to None and compute the value in the function",
                    )));
                }
            }
            if let Some(a) = &param.parameter.annotation {
                self.note(self.annotation(a));
            }
            let name = param.name().as_str();
            if !locals.insert(name.to_string()) {
                return Err(
                    self.compile_error(param.range, format!("duplicate argument '{name}' in function definition"))
                );
            }
        }
        let mut defs = HashSet::new();
        bound_names(&f.body, &mut defs, &mut locals);
        locals.extend(defs);
        let mut globals = HashSet::new();
        collect_global_names(&f.body, &mut globals);
        locals.retain(|n| !globals.contains(n));
        self.locals = Some(locals);
        let saved_loops = std::mem::replace(&mut self.loops, 0);
        let r = self.stmts(&f.body);
        self.loops = saved_loops;
        self.locals = None;
        r
    }
}
