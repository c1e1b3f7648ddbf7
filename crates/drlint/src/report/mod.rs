//! Output formats, each behind [`Render`].

mod human;
mod inspect;
mod json;

use std::io;

pub use human::Human;
pub use inspect::render_inspection;
pub use json::Json;

use crate::check::CheckReport;

pub trait Render {
    fn render(&self, report: &CheckReport, out: &mut dyn io::Write) -> io::Result<()>;
}
