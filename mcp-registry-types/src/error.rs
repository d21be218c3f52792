//! The error every fallible operation of the crate can be turned into.

use std::fmt;

#[cfg(feature = "host-config")]
use crate::host::{ExportError, ImportError};
use crate::plan::PlanError;
use crate::validate::Report;
use crate::vocab::name::NameError;
use crate::vocab::url_template::UrlTemplateError;
use crate::vocab::version::VersionError;
use crate::wire::error::ParseError;

/// Every error this crate returns.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// The JSON could not be read as the expected payload.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A server name breaks the registry's rules.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A version string breaks the registry's rules.
    #[error(transparent)]
    Version(#[from] VersionError),
    /// A URL template is not a usable URL.
    #[error(transparent)]
    UrlTemplate(#[from] UrlTemplateError),
    /// A connection plan cannot be made.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A plan cannot be written to a host's config file.
    #[cfg(feature = "host-config")]
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A host's config file cannot be read.
    #[cfg(feature = "host-config")]
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A constructed document breaks the registry's rules.
    #[error("invalid server.json: {0}")]
    Invalid(Report),
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for finding in self.findings().iter().filter(|f| f.severity().is_error()) {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{finding}")?;
        }
        if first {
            f.write_str("no errors")?;
        }
        Ok(())
    }
}
