//! A model's tokenizer built from its GGUF file's vocabulary and merges, to count
//! tokens the way that model does without its `tokenizer.json` (escalation targets:
//! a server's model whose GGUF the user has).
//!
//! Only byte-level BPE vocabularies (`tokenizer.ggml.model` = `gpt2`: Qwen, Llama 3,
//! StarCoder, DeepSeek and most code models) are built. Their tokens are stored in
//! GPT-2's byte-to-character form, as in a `tokenizer.json`; the text is split first
//! by the pre-tokenizer llama.cpp uses for the file's `tokenizer.ggml.pre` (GPT-2's when
//! nib does not know it, which can differ on digits and spaces: a count, not an exact
//! encoding). Control and user-defined tokens (`<|fim_prefix|>`) count as one token.

use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use super::format::{Header, Value};

/// llama.cpp's pre-tokenizer expressions (llama-vocab.cpp) for the `tokenizer.ggml.pre`
/// values nib knows; the rest use GPT-2's.
fn split_pattern(pre: &str) -> Option<&'static str> {
    match pre {
        "qwen2" | "deepseek-r1-qwen" => Some(
            r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        ),
        "llama3" | "llama-bpe" | "smaug-bpe" | "falcon3" => Some(
            r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        ),
        _ => None,
    }
}

fn strings<'h>(header: &'h Header, key: &str) -> Result<Vec<&'h [u8]>, String> {
    header
        .strings(key)
        .ok_or_else(|| format!("the file has no {key}"))?
        .map_err(|e| e.to_string())
}

fn text(header: &Header, key: &str) -> Option<String> {
    match header.get(key) {
        Some(Value::String(s)) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// The tokenizer of the model whose GGUF header this is.
pub fn bpe_tokenizer(header: &Header) -> Result<Tokenizer, String> {
    let model = text(header, "tokenizer.ggml.model").unwrap_or_default();
    if model != "gpt2" {
        return Err(format!(
            "its vocabulary is not byte-level BPE (tokenizer.ggml.model = {model:?}); give the model's tokenizer.json instead"
        ));
    }
    let tokens = strings(header, "tokenizer.ggml.tokens")?;
    let types = header.token_types().unwrap_or_default();
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (String::from_utf8_lossy(t).into_owned(), id as u32))
        .collect();
    // A trimmed vocabulary keeps merges whose result it dropped; those cannot apply.
    let merges: Vec<(String, String)> = strings(header, "tokenizer.ggml.merges")?
        .into_iter()
        .filter_map(|m| {
            let m = String::from_utf8_lossy(m);
            let (a, b) = m.split_once(' ')?;
            let known = vocab.contains_key(a)
                && vocab.contains_key(b)
                && vocab.contains_key(&format!("{a}{b}"));
            known.then(|| (a.to_string(), b.to_string()))
        })
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| format!("its vocabulary and merges do not make a tokenizer: {e}"))?;
    let mut tokenizer = Tokenizer::new(bpe);
    let pre = text(header, "tokenizer.ggml.pre").unwrap_or_default();
    match split_pattern(&pre) {
        Some(pattern) => {
            let split = Split::new(
                SplitPattern::Regex(pattern.to_string()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(|e| format!("the pre-tokenizer of {pre:?}: {e}"))?;
            tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
                split.into(),
                ByteLevel::new(false, false, false).into(),
            ])));
        }
        None => {
            tokenizer.with_pre_tokenizer(Some(ByteLevel::new(false, false, true)));
        }
    }
    // Control (3) and user-defined (4) tokens are matched whole, before the split.
    let special: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .filter(|(_, t)| matches!(t, 3 | 4))
        .map(|(token, _)| AddedToken::from(String::from_utf8_lossy(token).into_owned(), true))
        .collect();
    tokenizer.add_special_tokens(&special);
    Ok(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(model: &str, pre: &str, merges: &[&str]) -> Header {
        let strings = |items: &[&str]| {
            Value::Array(
                8,
                items
                    .iter()
                    .map(|s| Value::String(s.as_bytes().to_vec()))
                    .collect(),
            )
        };
        // "Ġ" is the space in GPT-2's byte-to-character form.
        let tokens = ["a", "b", "Ġ", "Ġa", "ab", "Ġab", "1", "<|fim_prefix|>"];
        Header {
            version: 3,
            metadata: vec![
                (
                    "tokenizer.ggml.model".into(),
                    Value::String(model.as_bytes().to_vec()),
                ),
                (
                    "tokenizer.ggml.pre".into(),
                    Value::String(pre.as_bytes().to_vec()),
                ),
                ("tokenizer.ggml.tokens".into(), strings(&tokens)),
                (
                    "tokenizer.ggml.token_type".into(),
                    Value::Array(
                        5,
                        [1, 1, 1, 1, 1, 1, 1, 3]
                            .into_iter()
                            .map(Value::I32)
                            .collect(),
                    ),
                ),
                ("tokenizer.ggml.merges".into(), strings(merges)),
            ],
            tensors: Vec::new(),
            data_start: 0,
        }
    }

    fn ids(tokenizer: &Tokenizer, text: &str) -> Vec<u32> {
        tokenizer
            .encode_fast(text, false)
            .unwrap()
            .get_ids()
            .to_vec()
    }

    #[test]
    fn merges_apply_in_their_order_after_the_split() {
        let merged = bpe_tokenizer(&header("gpt2", "qwen2", &["Ġ a", "Ġa b", "a b"])).unwrap();
        assert_eq!(ids(&merged, "ab ab"), [4, 5]);
        // The same tokens, merged in another order: " ab" stops at "Ġ" + "ab".
        let other = bpe_tokenizer(&header("gpt2", "qwen2", &["a b", "Ġ a", "Ġa b"])).unwrap();
        assert_eq!(ids(&other, "ab ab"), [4, 2, 4]);
        // An unknown pre-tokenizer falls back to GPT-2's.
        let gpt2 =
            bpe_tokenizer(&header("gpt2", "something-new", &["Ġ a", "Ġa b", "a b"])).unwrap();
        assert_eq!(ids(&gpt2, "ab ab"), [4, 5]);
    }

    #[test]
    fn control_tokens_count_as_one_and_digits_stand_alone() {
        let t = bpe_tokenizer(&header("gpt2", "qwen2", &["a b"])).unwrap();
        assert_eq!(ids(&t, "<|fim_prefix|>ab"), [7, 4]);
        assert_eq!(ids(&t, "11"), [6, 6]);
    }

    #[test]
    fn merges_into_dropped_tokens_are_left_out_and_other_vocabularies_refused() {
        // "b a" makes "ba", which this vocabulary lacks (trimmed away, say).
        let t = bpe_tokenizer(&header("gpt2", "qwen2", &["b a", "a b"])).unwrap();
        assert_eq!(ids(&t, "ba"), [1, 0]);
        let e = bpe_tokenizer(&header("llama", "", &[])).unwrap_err();
        assert!(e.contains("not byte-level BPE"), "{e}");
        let mut no_merges = header("gpt2", "qwen2", &[]);
        no_merges
            .metadata
            .retain(|(k, _)| k != "tokenizer.ggml.merges");
        assert!(bpe_tokenizer(&no_merges).unwrap_err().contains("merges"));
    }
}
