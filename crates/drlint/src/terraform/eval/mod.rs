//! Static evaluation of Terraform expressions within one module directory.
//!
//! What a static reading can know is computed (literals, `var.*` from their
//! defaults, `local.*`, operators, conditionals, templates and a library of
//! Terraform functions); everything else is [`Value::Unknown`], which
//! propagates. Rules never fire on an unknown value.

mod functions;
mod value;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Strip, Template};

use crate::model::{Attribute, Block, FileIdx, ModuleDir};
use crate::source::SourceFile;

pub use value::{Value, format_number};

/// Where part of a value came from, for secondary labels: "default of variable `x`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    pub what: String,
    pub kind: ViaKind,
}

/// What kind of step a [`Via`] is, for reports that classify where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViaKind {
    /// A `locals` entry.
    Local,
    /// A variable's `default`.
    VariableDefault,
    /// A variable with no default and no value given: set outside this code.
    VariableWithoutDefault,
    /// A variable given a value: tfvars, `--var`, `TF_VAR_*`, a module call's argument.
    VariableValue,
    /// The profile's default, chosen because the argument is null.
    ProfileDefault,
    /// The written value, read through the profile's `values`.
    ProfileReading,
}

/// A value given to a variable from outside the module directory's defaults:
/// a `.tfvars` file, `--var`, `TF_VAR_*`, or the arguments of a module call.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub value: Value,
    /// Where it was set, when that is a place in a file.
    pub via: Option<Via>,
    /// What set it, when it is not a file: "`TF_VAR_x`", "`--var x=...`".
    pub source: String,
}

pub type Bindings = HashMap<String, Binding>;

/// Names bound inside an expression: the variables of enclosing `for` expressions.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub file: FileIdx,
    names: Vec<(String, Value)>,
}

impl Env {
    pub fn new(file: FileIdx) -> Env {
        Env {
            file,
            names: Vec::new(),
        }
    }

    fn with(&self, bound: impl IntoIterator<Item = (String, Value)>) -> Env {
        let mut env = self.clone();
        env.names.extend(bound);
        env
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// Recursion limit for locals referring to locals, and for nested expressions.
const MAX_DEPTH: u32 = 64;

struct VarDecl<'a> {
    file: FileIdx,
    block: &'a Block,
    default: Option<&'a Attribute>,
    ty: Option<String>,
}

/// The evaluation scope of one module directory: its variables (with the
/// values bound from outside) and locals.
pub struct Scope<'a> {
    dir: &'a ModuleDir,
    variables: HashMap<&'a str, VarDecl<'a>>,
    locals: HashMap<&'a str, (FileIdx, &'a Attribute)>,
    bindings: Bindings,
    local_cache: RefCell<HashMap<String, (Value, Vec<Via>)>>,
    depth: Cell<u32>,
}

impl<'a> Scope<'a> {
    pub fn new(dir: &'a ModuleDir, bindings: Bindings) -> Self {
        let mut variables = HashMap::new();
        let mut locals = HashMap::new();
        for (file, block) in dir.blocks() {
            match (block.ident.as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    let ty = block.attribute("type").and_then(|a| match &a.value {
                        Expression::Variable(v) => Some(v.as_str().to_owned()),
                        _ => None,
                    });
                    variables.insert(
                        name.as_str(),
                        VarDecl {
                            file,
                            block,
                            default: block.attribute("default"),
                            ty,
                        },
                    );
                }
                ("locals", []) => {
                    for attr in &block.attributes {
                        locals.insert(attr.name.as_str(), (file, attr));
                    }
                }
                _ => {}
            }
        }
        Scope {
            dir,
            variables,
            locals,
            bindings,
            local_cache: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
        }
    }

    pub fn dir(&self) -> &'a ModuleDir {
        self.dir
    }

    /// Whether the module directory declares `variable "name"`.
    pub fn declares(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }

    fn via(&self, file: FileIdx, span: Range<usize>, what: String, kind: ViaKind) -> Via {
        Via {
            file: Arc::clone(&self.dir.files[file].source),
            span,
            what,
            kind,
        }
    }

    /// Evaluates a top-level expression of file `file`.
    pub fn eval_in(&self, file: FileIdx, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        self.eval(&Env::new(file), expr, vias)
    }

    /// Evaluates an expression, recording where referenced values came from.
    pub fn eval(&self, env: &Env, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(env, expr, vias);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, env: &Env, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => n.value().as_f64().map_or(Value::Unknown, Value::Number),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(env, e, vias)).collect())
            }
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object.iter() {
                    let key_span = match key {
                        ObjectKey::Ident(i) => i.span(),
                        ObjectKey::Expression(e) => e.span(),
                    };
                    if key_span.is_some_and(|s| self.dir.files[env.file].is_masked_key(&s)) {
                        continue;
                    }
                    let name = match key {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(e) => match self.eval(env, e, vias).to_string_value()
                        {
                            Some(Some(s)) => s,
                            _ => return Value::Unknown,
                        },
                    };
                    map.insert(name, self.eval(env, value.expr(), vias));
                }
                Value::Object(map)
            }
            Expression::StringTemplate(t) => self.eval_template(env, t, vias),
            // the parser has already stripped a `<<-` heredoc's indentation
            // The parser strips a `<<-` heredoc's indentation from its top-level
            // text only: with directives inside, the result would be wrong, so unknown.
            Expression::HeredocTemplate(h)
                if h.indent().is_some()
                    && h.template
                        .iter()
                        .any(|e| matches!(e, Element::Directive(_))) =>
            {
                Value::Unknown
            }
            Expression::HeredocTemplate(h) => self.eval_template(env, &h.template, vias),
            Expression::Parenthesis(p) => self.eval(env, p.inner(), vias),
            Expression::Variable(v) => env.lookup(v.as_str()).cloned().unwrap_or(Value::Unknown),
            Expression::Conditional(c) => {
                let (chosen, other) = match self.eval(env, &c.cond_expr, vias).to_bool() {
                    Some(Some(true)) => (&c.true_expr, &c.false_expr),
                    Some(Some(false)) => (&c.false_expr, &c.true_expr),
                    _ => return Value::Unknown,
                };
                let value = self.eval(env, chosen, vias);
                // Terraform gives both branches one type: a number or bool
                // against a string branch becomes a string.
                match (&value, self.eval(env, other, &mut Vec::new())) {
                    (Value::Number(_) | Value::Bool(_), Value::String(_)) => value
                        .to_string_value()
                        .flatten()
                        .map_or(Value::Unknown, Value::String),
                    (Value::Number(_) | Value::Bool(_) | Value::String(_), Value::Unknown) => {
                        Value::Unknown
                    }
                    _ => value,
                }
            }
            Expression::FuncCall(call) => functions::call(self, env, call, vias),
            Expression::Traversal(t) => {
                let (value, rest) = self.eval_root(env, &t.expr, &t.operators, vias);
                self.traverse(env, value, rest, vias)
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(env, &op.expr, vias);
                match op.operator.value() {
                    UnaryOperator::Not => match v.to_bool() {
                        Some(Some(b)) => Value::Bool(!b),
                        _ => Value::Unknown,
                    },
                    UnaryOperator::Neg => match v.to_number() {
                        Some(Some(n)) => Value::Number(-n),
                        _ => Value::Unknown,
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(env, &op.lhs_expr, vias);
                let rhs = self.eval(env, &op.rhs_expr, vias);
                binary(*op.operator.value(), lhs, rhs)
            }
            Expression::ForExpr(f) => self.eval_for(env, f, vias),
        }
    }

    fn traverse(
        &self,
        env: &Env,
        mut value: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        vias: &mut Vec<Via>,
    ) -> Value {
        for (i, op) in ops.iter().enumerate() {
            value = match op.value() {
                TraversalOperator::GetAttr(name) => get_attr(value, name.as_str()),
                TraversalOperator::Index(index) => {
                    let index = self.eval(env, index, vias);
                    get_index(value, &index)
                }
                TraversalOperator::LegacyIndex(i) => {
                    get_index(value, &Value::Number(*i.value() as f64))
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        Value::Unknown => return Value::Unknown,
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    // `.*` applies only the attribute accesses that follow it to
                    // each element; `[*]` applies everything that follows.
                    let per_element = match op.value() {
                        TraversalOperator::AttrSplat(_) => rest
                            .iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count(),
                        _ => rest.len(),
                    };
                    let mapped = Value::List(
                        items
                            .into_iter()
                            .map(|item| self.traverse(env, item, &rest[..per_element], vias))
                            .collect(),
                    );
                    return self.traverse(env, mapped, &rest[per_element..], vias);
                }
            };
        }
        value
    }

    /// `[for k, v in coll : expr if cond]` and `{for k, v in coll : key => value...}`.
    fn eval_for(&self, env: &Env, f: &ForExpr, vias: &mut Vec<Via>) -> Value {
        let Some(pairs) = iteration(self.eval(env, &f.intro.collection_expr, vias)) else {
            return Value::Unknown;
        };
        let mut list = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        for (key, value) in pairs {
            let mut bound = vec![(f.intro.value_var.as_str().to_owned(), value)];
            if let Some(k) = &f.intro.key_var {
                bound.insert(0, (k.as_str().to_owned(), key));
            }
            let inner = env.with(bound);
            if let Some(cond) = &f.cond {
                match self.eval(&inner, &cond.expr, vias).to_bool() {
                    Some(Some(true)) => {}
                    Some(Some(false)) => continue,
                    _ => return Value::Unknown,
                }
            }
            let item = self.eval(&inner, &f.value_expr, vias);
            match &f.key_expr {
                None => list.push(item),
                Some(key_expr) => {
                    let Some(Some(k)) = self.eval(&inner, key_expr, vias).to_string_value() else {
                        return Value::Unknown;
                    };
                    if f.grouping {
                        match object.entry(k).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(group) => group.push(item),
                            _ => return Value::Unknown,
                        }
                    } else if object.insert(k, item).is_some() {
                        // Terraform rejects a repeated key without grouping.
                        return Value::Unknown;
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Value::Object(object)
        } else {
            Value::List(list)
        }
    }

    /// Evaluates the root of a traversal (`var.x`, `local.y`, a `for` variable),
    /// returning the value and the operators still to apply.
    fn eval_root<'e>(
        &self,
        env: &Env,
        root: &Expression,
        ops: &'e [hcl_edit::Decorated<TraversalOperator>],
        vias: &mut Vec<Via>,
    ) -> (Value, &'e [hcl_edit::Decorated<TraversalOperator>]) {
        let Expression::Variable(root) = root else {
            return (self.eval(env, root, vias), ops);
        };
        if let Some(v) = env.lookup(root.as_str()) {
            return (v.clone(), ops);
        }
        let Some(TraversalOperator::GetAttr(name)) = ops.first().map(|o| o.value()) else {
            return (Value::Unknown, &[]);
        };
        let name = name.as_str();
        let value = match root.as_str() {
            "var" => self.variable(name, vias),
            "local" => self.local(name, vias),
            // module outputs, data sources, resources, each, count, path, terraform:
            // not knowable by reading the configuration.
            _ => Value::Unknown,
        };
        (value, &ops[1..])
    }

    /// The value of `var.name`: bound from outside (tfvars, CLI, environment, a
    /// module call), else its default; converted to its type constraint.
    pub fn variable(&self, name: &str, vias: &mut Vec<Via>) -> Value {
        let Some(decl) = self.variables.get(name) else {
            return Value::Unknown;
        };
        let value = if let Some(binding) = self.bindings.get(name) {
            match &binding.via {
                Some(via) => vias.push(Via {
                    what: format!("{} (variable `{name}`)", via.what),
                    kind: ViaKind::VariableValue,
                    ..via.clone()
                }),
                None => vias.push(self.via(
                    decl.file,
                    decl.block.header.clone(),
                    format!("variable `{name}`, set by {}", binding.source),
                    ViaKind::VariableValue,
                )),
            }
            binding.value.clone()
        } else if let Some(default) = decl.default {
            vias.push(self.via(
                decl.file,
                default.span.clone(),
                format!("default of variable `{name}`"),
                ViaKind::VariableDefault,
            ));
            self.eval_in(decl.file, &default.value, &mut Vec::new())
        } else {
            vias.push(self.via(
                decl.file,
                decl.block.header.clone(),
                format!(
                    "variable `{name}`, which has no default: its value is set outside this code"
                ),
                ViaKind::VariableWithoutDefault,
            ));
            Value::Unknown
        };
        match &decl.ty {
            Some(ty) => value.convert_to(ty),
            None => value,
        }
    }

    pub fn local(&self, name: &str, vias: &mut Vec<Via>) -> Value {
        if let Some((value, cached_vias)) = self.local_cache.borrow().get(name) {
            vias.extend(cached_vias.iter().cloned());
            return value.clone();
        }
        let Some((file, attr)) = self.locals.get(name) else {
            return Value::Unknown;
        };
        let mut own = vec![self.via(
            *file,
            attr.span.clone(),
            format!("local `{name}`"),
            ViaKind::Local,
        )];
        let value = self.eval_in(*file, &attr.value, &mut own);
        vias.extend(own.iter().cloned());
        self.local_cache
            .borrow_mut()
            .insert(name.to_owned(), (value.clone(), own));
        value
    }

    fn eval_template(&self, env: &Env, template: &Template, vias: &mut Vec<Via>) -> Value {
        // `"${x}"` is x itself, not its string form (HCL's template unwrapping)
        if let Some(Element::Interpolation(i)) = template.as_single_element()
            && i.strip == Strip::None
        {
            return self.eval(env, &i.expr, vias);
        }
        let mut out = String::new();
        if self.render_template(env, template, vias, &mut out) {
            Value::String(out)
        } else {
            Value::Unknown
        }
    }

    /// Appends the rendered template to `out`; false when a part is unknown.
    /// Whitespace-stripping markers (`~`) are not modelled: such a template is unknown.
    fn render_template(
        &self,
        env: &Env,
        template: &Template,
        vias: &mut Vec<Via>,
        out: &mut String,
    ) -> bool {
        for element in template.iter() {
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    if i.strip != Strip::None {
                        return false;
                    }
                    match self.eval(env, &i.expr, vias).to_string_value() {
                        Some(Some(s)) => out.push_str(&s),
                        _ => return false,
                    }
                }
                Element::Directive(directive) => match &**directive {
                    Directive::If(d) => {
                        let strips = [
                            Some(d.if_expr.strip),
                            d.else_expr.as_ref().map(|e| e.strip),
                            Some(d.endif_expr.strip),
                        ];
                        if strips.iter().flatten().any(|s| *s != Strip::None) {
                            return false;
                        }
                        match self.eval(env, &d.if_expr.cond_expr, vias).to_bool() {
                            Some(Some(true)) => {
                                if !self.render_template(env, &d.if_expr.template, vias, out) {
                                    return false;
                                }
                            }
                            Some(Some(false)) => {
                                if let Some(e) = &d.else_expr
                                    && !self.render_template(env, &e.template, vias, out)
                                {
                                    return false;
                                }
                            }
                            _ => return false,
                        }
                    }
                    Directive::For(d) => {
                        if d.for_expr.strip != Strip::None || d.endfor_expr.strip != Strip::None {
                            return false;
                        }
                        let Some(pairs) =
                            iteration(self.eval(env, &d.for_expr.collection_expr, vias))
                        else {
                            return false;
                        };
                        for (key, value) in pairs {
                            let mut bound = vec![(d.for_expr.value_var.as_str().to_owned(), value)];
                            if let Some(k) = &d.for_expr.key_var {
                                bound.insert(0, (k.as_str().to_owned(), key));
                            }
                            if !self.render_template(
                                &env.with(bound),
                                &d.for_expr.template,
                                vias,
                                out,
                            ) {
                                return false;
                            }
                        }
                    }
                },
            }
        }
        true
    }
}

/// The `(key, value)` pairs a `for` iterates: index and element of a list,
/// key and value of an object; `None` for anything else (or unknown).
fn iteration(collection: Value) -> Option<Vec<(Value, Value)>> {
    match collection {
        Value::List(items) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
        ),
        Value::Object(map) => Some(
            map.into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        ),
        _ => None,
    }
}

fn get_attr(value: Value, name: &str) -> Value {
    match value {
        Value::Object(mut map) => map.remove(name).unwrap_or(Value::Unknown),
        _ => Value::Unknown,
    }
}

fn get_index(value: Value, index: &Value) -> Value {
    match (value, index) {
        (Value::List(mut items), Value::Number(n)) if *n >= 0.0 && (*n as usize) < items.len() => {
            items.swap_remove(*n as usize)
        }
        (Value::Object(mut map), key) => match key.to_string_value() {
            Some(Some(k)) => map.remove(&k).unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        },
        _ => Value::Unknown,
    }
}

/// Terraform equality: values of different types are not equal, except that
/// there is no implicit conversion at all (`"1" == 1` is false).
fn equal(lhs: &Value, rhs: &Value) -> Option<bool> {
    if lhs.contains_unknown() || rhs.contains_unknown() {
        return None;
    }
    Some(lhs == rhs)
}

fn binary(op: BinaryOperator, lhs: Value, rhs: Value) -> Value {
    use BinaryOperator as B;
    match op {
        B::Eq => equal(&lhs, &rhs).map_or(Value::Unknown, Value::Bool),
        B::NotEq => equal(&lhs, &rhs).map_or(Value::Unknown, |b| Value::Bool(!b)),
        B::And => match (lhs.to_bool(), rhs.to_bool()) {
            (Some(Some(false)), _) | (_, Some(Some(false))) => Value::Bool(false),
            (Some(Some(true)), Some(Some(true))) => Value::Bool(true),
            _ => Value::Unknown,
        },
        B::Or => match (lhs.to_bool(), rhs.to_bool()) {
            (Some(Some(true)), _) | (_, Some(Some(true))) => Value::Bool(true),
            (Some(Some(false)), Some(Some(false))) => Value::Bool(false),
            _ => Value::Unknown,
        },
        _ => {
            let (Some(Some(a)), Some(Some(b))) = (lhs.to_number(), rhs.to_number()) else {
                return Value::Unknown;
            };
            match op {
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div if b != 0.0 => Value::Number(a / b),
                B::Mod if b != 0.0 => Value::Number(a % b),
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                _ => Value::Unknown,
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// Evaluates `expr`, an expression written over `var.*` as a module writes it
/// (from a profile), with the given variable values; `Unknown` when it does
/// not parse or reads anything else.
pub fn eval_module_expression(expr: &str, vars: &BTreeMap<String, Value>) -> Value {
    let mut text = String::new();
    for name in vars.keys() {
        text.push_str(&format!("variable \"{name}\" {{}}\n"));
    }
    text.push_str(&format!("locals {{\n  value = {expr}\n}}\n"));
    let Ok(parsed) = crate::hcl::parse_hcl(&text) else {
        return Value::Unknown;
    };
    let source = Arc::new(SourceFile::new("<profile expression>", text.as_str()));
    let dir = ModuleDir {
        path: "<profile expression>".to_owned(),
        files: vec![crate::model::TfFile::from_body(
            source,
            parsed.body,
            Vec::new(),
        )],
    };
    let bindings = vars
        .iter()
        .map(|(name, value)| {
            let binding = Binding {
                value: value.clone(),
                via: None,
                source: "the module call".to_owned(),
            };
            (name.clone(), binding)
        })
        .collect();
    Scope::new(&dir, bindings).local("value", &mut Vec::new())
}
