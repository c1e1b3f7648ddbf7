//! Declarative rules: definitions loaded from YAML, conditions, and the engine
//! that runs them over the data stores of a module directory.

mod condition;
mod definition;
mod engine;
mod finding;
mod fixes;
mod items;
mod subject;

pub(crate) use finding::{Place, place_of, severity_of, uncalled_finding};

pub use condition::{Field, Fields, Origin, Truth};
#[cfg(test)]
pub use definition::FixSpec;
pub use definition::{Rule, RuleError, Select, Severity, fill_template};
pub use engine::{
    ActiveRule, Argument, Context, DirFacts, DirOutcome, HardCodedUse, Inspected, ModuleCycle,
    Refactoring, check_root, join_dir,
};
pub use fixes::add_to_change;
pub use subject::{ADDRESS, IN_PRODUCTION, PROFILE};
