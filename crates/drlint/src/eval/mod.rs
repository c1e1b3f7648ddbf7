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

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};

use crate::model::{Attribute, Block, FileIdx, ModuleDir};

pub use value::{Value, format_number};

/// Where part of a value came from, for secondary labels: "default of variable `x`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub file: FileIdx,
    pub span: Range<usize>,
    pub what: String,
}

/// Recursion limit for locals referring to locals, and for nested expressions.
const MAX_DEPTH: u32 = 64;

struct VarDecl<'a> {
    file: FileIdx,
    block: &'a Block,
    default: Option<&'a Attribute>,
    ty: Option<String>,
}

/// The evaluation scope of one module directory: its variables and locals.
pub struct Scope<'a> {
    dir: &'a ModuleDir,
    variables: HashMap<&'a str, VarDecl<'a>>,
    locals: HashMap<&'a str, (FileIdx, &'a Attribute)>,
    local_cache: RefCell<HashMap<String, (Value, Vec<Via>)>>,
    depth: Cell<u32>,
}

impl<'a> Scope<'a> {
    pub fn new(dir: &'a ModuleDir) -> Self {
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
            local_cache: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
        }
    }

    pub fn dir(&self) -> &'a ModuleDir {
        self.dir
    }

    /// Evaluates an expression of file `file`, recording where referenced values came from.
    pub fn eval(&self, file: FileIdx, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(file, expr, vias);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, file: FileIdx, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => n.value().as_f64().map_or(Value::Unknown, Value::Number),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                let values: Vec<Value> = items.iter().map(|e| self.eval(file, e, vias)).collect();
                Value::List(values)
            }
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object.iter() {
                    let key_span = match key {
                        ObjectKey::Ident(i) => i.span(),
                        ObjectKey::Expression(e) => e.span(),
                    };
                    if key_span.is_some_and(|s| self.dir.files[file].is_masked_key(&s)) {
                        continue;
                    }
                    let name = match key {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(e) => match self.eval(file, e, vias) {
                            Value::String(s) => s,
                            other => match other.to_string_value() {
                                Some(Some(s)) => s,
                                _ => return Value::Unknown,
                            },
                        },
                    };
                    map.insert(name, self.eval(file, value.expr(), vias));
                }
                Value::Object(map)
            }
            Expression::StringTemplate(t) => self.eval_template(file, t, vias),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() || h.delimiter.as_str().is_empty() {
                    h.dedent();
                }
                self.eval_template(file, &h.template, vias)
            }
            Expression::Parenthesis(p) => self.eval(file, p.inner(), vias),
            Expression::Variable(_) => Value::Unknown,
            Expression::Conditional(c) => {
                let cond = self.eval(file, &c.cond_expr, vias);
                match cond.to_bool() {
                    Some(Some(true)) => self.eval(file, &c.true_expr, vias),
                    Some(Some(false)) => self.eval(file, &c.false_expr, vias),
                    _ => Value::Unknown,
                }
            }
            Expression::FuncCall(call) => functions::call(self, file, call, vias),
            Expression::Traversal(t) => {
                let (mut value, rest) = self.eval_root(file, &t.expr, &t.operators, vias);
                for op in rest {
                    value = match op.value() {
                        TraversalOperator::GetAttr(name) => get_attr(value, name.as_str()),
                        TraversalOperator::Index(index) => {
                            let index = self.eval(file, index, vias);
                            get_index(value, &index)
                        }
                        TraversalOperator::LegacyIndex(i) => {
                            get_index(value, &Value::Number(*i.value() as f64))
                        }
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                            Value::Unknown
                        }
                    };
                }
                value
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(file, &op.expr, vias);
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
                let lhs = self.eval(file, &op.lhs_expr, vias);
                let rhs = self.eval(file, &op.rhs_expr, vias);
                binary(*op.operator.value(), lhs, rhs)
            }
            Expression::ForExpr(_) => Value::Unknown,
        }
    }

    /// Evaluates the root of a traversal (`var.x`, `local.y`), returning the
    /// value and the operators still to apply.
    fn eval_root<'e>(
        &self,
        file: FileIdx,
        root: &Expression,
        ops: &'e [hcl_edit::Decorated<TraversalOperator>],
        vias: &mut Vec<Via>,
    ) -> (Value, &'e [hcl_edit::Decorated<TraversalOperator>]) {
        let (Expression::Variable(root), Some(first)) = (root, ops.first()) else {
            return (self.eval(file, root, vias), ops);
        };
        let TraversalOperator::GetAttr(name) = first.value() else {
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

    /// The value of `var.name`: its default, converted to its type constraint.
    pub fn variable(&self, name: &str, vias: &mut Vec<Via>) -> Value {
        let Some(decl) = self.variables.get(name) else {
            return Value::Unknown;
        };
        match decl.default {
            Some(default) => {
                vias.push(Via {
                    file: decl.file,
                    span: default.span.clone(),
                    what: format!("default of variable `{name}`"),
                });
                let value = self.eval(decl.file, &default.value, &mut Vec::new());
                match &decl.ty {
                    Some(ty) => value.convert_to(ty),
                    None => value,
                }
            }
            None => {
                vias.push(Via {
                    file: decl.file,
                    span: decl.block.header.clone(),
                    what: format!(
                        "variable `{name}` has no default: its value is set outside this code"
                    ),
                });
                Value::Unknown
            }
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
        let mut own = vec![Via {
            file: *file,
            span: attr.span.clone(),
            what: format!("local `{name}`"),
        }];
        let value = self.eval(*file, &attr.value, &mut own);
        vias.extend(own.iter().cloned());
        self.local_cache
            .borrow_mut()
            .insert(name.to_owned(), (value.clone(), own));
        value
    }

    fn eval_template(&self, file: FileIdx, template: &Template, vias: &mut Vec<Via>) -> Value {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => match self.eval(file, &i.expr, vias).to_string_value()
                {
                    Some(Some(s)) => out.push_str(&s),
                    _ => return Value::Unknown,
                },
                Element::Directive(_) => return Value::Unknown,
            }
        }
        Value::String(out)
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
