//! `tgforge import copilot DIR`.

use std::path::Path;

use super::Imported;
use crate::Failure;

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub service: Option<String>,
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub spec_name: String,
}

pub fn import(dir: &Path, _options: &Options) -> Result<Imported, Failure> {
    Err(super::input_error(dir, None, "not yet", None))
}
