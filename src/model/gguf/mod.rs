//! Just enough of the GGUF format to rewrite a model with a smaller vocabulary.
//!
//! A GGUF file is a header (magic, version, counts), typed key-value metadata, tensor
//! descriptions (name, shape, type, offset) and the tensor data, each tensor aligned.
//! [`trim_vocabulary`] reads one, keeps the tokens it is told to keep (the tokenizer's
//! arrays and the rows of the embedding and output matrices), renumbers the special
//! token ids, widens Q5_0 and Q6_K matrices to Q8_0 when asked ([`super::quant`]) and
//! writes the result. Everything else is copied byte for byte.
//!
//! `format` reads headers and writes files, `validate` checks what llama.cpp would trust
//! before it reads a file, `trim` rewrites a model with fewer tokens, and `tokenizer`
//! builds a model's tokenizer from its vocabulary and merges.

mod format;
mod tokenizer;
mod trim;
mod validate;

#[cfg(test)]
pub(super) mod tests;

pub use format::{GgufError, Header, TensorInfo, Value, read_header};
pub use tokenizer::bpe_tokenizer;
pub use trim::{Trim, trim_vocabulary};
pub use validate::{check_adapter, validate};
