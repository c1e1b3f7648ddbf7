//! Terraform: parse (hcl) → spanned model (model) → evaluation per module
//! folder, with variables from outside (vars) and module instances (eval),
//! module profiles (profile), and the Kubernetes namespace manifest that says
//! whether a folder is production (namespace).

pub mod eval;
pub mod hcl;
pub mod model;
pub mod namespace;
pub mod profile;
pub mod vars;
