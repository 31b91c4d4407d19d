//! nib: a local code-completion language server.
//!
//! The path of one suggestion: [`lsp`] receives the request, [`document`] holds the
//! text and its tree, [`context`] decides what the model sees, [`prompt`] lays it
//! out, [`engine`] runs the model, [`postprocess`] trims the answer, and
//! [`completion`] ties these together.

pub mod adapter;
pub mod bench;
pub mod completion;
pub mod config;
pub mod context;
pub mod dataset;
pub mod doctor;
pub mod document;
pub mod engine;
pub mod eval;
#[doc(hidden)]
pub mod faults;
pub mod framework;
pub mod http;
pub mod language;
pub mod lsp;
pub mod model;
pub mod postprocess;
pub mod prompt;
pub mod remote;
pub mod signatures;
