//! A model's vocabulary: the text of every token, and the tokenizer alone (read from the
//! GGUF without its weights) for tools and tests that need what the engine sees.

use std::path::Path;

use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::token::LlamaToken;

/// The text of every token of the vocabulary, in one buffer.
pub(super) struct Pieces {
    bytes: Vec<u8>,
    /// `bytes[ends[i-1]..ends[i]]` is token i's text.
    ends: Vec<u32>,
}

impl Pieces {
    pub(super) fn of(model: &LlamaModel) -> Pieces {
        let vocab = model.vocab();
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(vocab.n_tokens() as usize);
        for id in 0..vocab.n_tokens() {
            vocab.token_to_piece_into(LlamaToken(id), &mut bytes, false, None);
            ends.push(bytes.len() as u32);
        }
        Pieces { bytes, ends }
    }

    pub(super) fn get(&self, token: LlamaToken) -> &[u8] {
        let i = token.0 as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }
}

/// A model's tokenizer, loaded without its weights.
pub struct Vocabulary {
    model: LlamaModel,
    pieces: Pieces,
}

impl Vocabulary {
    /// Reads the vocabulary of the GGUF model at `path`.
    pub fn load(path: &Path) -> Result<Vocabulary, String> {
        let backend = super::load::backend()?;
        let params = LlamaModelParams::default().with_vocab_only(true);
        let model = LlamaModel::load_from_file(backend, path, &params).map_err(|e| {
            format!(
                "llama.cpp could not read the vocabulary of {}: {e}",
                path.display()
            )
        })?;
        let pieces = Pieces::of(&model);
        Ok(Vocabulary { model, pieces })
    }

    /// The tokens of `text` (control tokens written in it are parsed as such; no BOS).
    pub fn tokenize(&self, text: &str) -> Vec<LlamaToken> {
        super::worker::tokenize(&self.model, text, false)
    }

    /// A token's text (`""` for control tokens).
    pub fn piece(&self, token: LlamaToken) -> &[u8] {
        self.pieces.get(token)
    }
}
