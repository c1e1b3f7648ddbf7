//! The checked tree: finding its files ([`discover`]), reading them safely ([`inputs`]), the
//! configuration, rules and profiles beside them ([`project`]), and git ([`git`]) for PR mode's
//! base and head ([`revisions`]) and for ages from history ([`ages`]).

pub(crate) mod ages;
pub(crate) mod discover;
pub(crate) mod git;
pub(crate) mod inputs;
pub(crate) mod project;
pub(crate) mod revisions;
