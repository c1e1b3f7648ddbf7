//! Terraform values, with an explicit *unknown*.

use std::collections::BTreeMap;
use std::fmt;

/// A value as Terraform would see it at plan time, or `Unknown` when a static
/// reading cannot know it (a module output, a data source, a variable without
/// a default). Unknown propagates through every operation.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
    #[default]
    Unknown,
}

impl Value {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Terraform's conversion to bool: `true`, `"true"`; `None` when the value
    /// is not convertible (Terraform would reject it), `Some(None)` when unknown.
    pub fn to_bool(&self) -> Option<Option<bool>> {
        match self {
            Value::Bool(b) => Some(Some(*b)),
            Value::String(s) if s == "true" => Some(Some(true)),
            Value::String(s) if s == "false" => Some(Some(false)),
            Value::Unknown => Some(None),
            _ => None,
        }
    }

    /// Terraform's conversion to number: `7`, `"7"`.
    pub fn to_number(&self) -> Option<Option<f64>> {
        match self {
            Value::Number(n) => Some(Some(*n)),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some),
            Value::Unknown => Some(None),
            _ => None,
        }
    }

    /// Terraform's conversion to string: numbers and bools convert, collections do not.
    pub fn to_string_value(&self) -> Option<Option<String>> {
        match self {
            Value::String(s) => Some(Some(s.clone())),
            Value::Number(n) => Some(Some(format_number(*n))),
            Value::Bool(b) => Some(Some(b.to_string())),
            Value::Unknown => Some(None),
            _ => None,
        }
    }

    /// Converts to a Terraform type constraint (`bool`, `number`, `string`); other
    /// constraints leave the value as it is.
    pub fn convert_to(self, ty: &str) -> Value {
        let converted = match ty {
            "bool" => self
                .to_bool()
                .map(|b| b.map_or(Value::Unknown, Value::Bool)),
            "number" => self
                .to_number()
                .map(|n| n.map_or(Value::Unknown, Value::Number)),
            "string" => self
                .to_string_value()
                .map(|s| s.map_or(Value::Unknown, Value::String)),
            _ => None,
        };
        match (converted, self) {
            (_, Value::Null) => Value::Null,
            (Some(v), _) => v,
            (None, original) => original,
        }
    }

    /// Whether any part of the value is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Object(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    /// HCL-like rendering, used in messages: `false`, `"false"`, `7`, `null`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Object(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Unknown => f.write_str("(unknown)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coercion_follows_terraform() {
        assert_eq!(Value::String("true".into()).to_bool(), Some(Some(true)));
        assert_eq!(Value::String("yes".into()).to_bool(), None);
        assert_eq!(Value::String("7".into()).to_number(), Some(Some(7.0)));
        assert_eq!(Value::Number(7.0).to_string_value(), Some(Some("7".into())));
        assert_eq!(Value::Unknown.to_bool(), Some(None));
        assert_eq!(
            Value::String("false".into()).convert_to("bool"),
            Value::Bool(false)
        );
        assert_eq!(Value::Null.convert_to("bool"), Value::Null);
    }
}
