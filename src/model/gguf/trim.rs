//! Rewriting a model with a smaller vocabulary ([`trim_vocabulary`]).

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::format::{GgufError, Header, MAGIC, Value, Writer, read_header};
use crate::model::quant;

/// Matrices with one row per token: the input embedding and, when not tied, the output head.
const VOCAB_TENSORS: [&str; 2] = ["token_embd.weight", "output.weight"];
/// Metadata arrays with one entry per token.
const VOCAB_ARRAYS: [&str; 3] = [
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type",
];

/// The BPE merges ("left right", in rank order) whose result is a kept token. A kept
/// token's parts are substrings of it, which the kept set includes (see `vocab::select`),
/// so text whose tokens are all kept merges exactly as with every merge; a merge left out
/// would only have made a token that is gone.
fn kept_merges(header: &Header, keep: &[u32], merges: &[Value]) -> Result<Vec<Value>, GgufError> {
    let tokens = header.tokens()?;
    let kept: std::collections::HashSet<&[u8]> =
        keep.iter().map(|&id| tokens[id as usize]).collect();
    let mut out = Vec::with_capacity(merges.len());
    for merge in merges {
        let Value::String(text) = merge else {
            return Err(GgufError::Corrupt(
                "tokenizer.ggml.merges holds a value that is not a string".into(),
            ));
        };
        let Some(space) = text.iter().position(|&b| b == b' ') else {
            return Err(GgufError::Corrupt(format!(
                "the merge {:?} has no space between its parts",
                String::from_utf8_lossy(text)
            )));
        };
        let joined = [&text[..space], &text[space + 1..]].concat();
        if kept.contains(joined.as_slice()) {
            out.push(merge.clone());
        }
    }
    Ok(out)
}

/// How [`trim_vocabulary`] rewrites a model.
#[derive(Debug, Clone, Copy)]
pub struct Trim<'a> {
    /// The tokens to keep: ids of the source, ascending, no repeats.
    pub keep: &'a [u32],
    /// The source file's sha256, recorded in the copy.
    pub source_sha256: &'a str,
    /// Store Q5_0 and Q6_K matrices (but the vocabulary's) as Q8_0.
    pub widen_to_q8_0: bool,
}

/// Writes a copy of the GGUF file `src` to `dst` that keeps only the tokens `how.keep`:
/// the tokenizer arrays and the embedding and output rows shrink, special token ids are
/// renumbered, and `nib.vocabulary.*` records where it came from. A special token that is
/// not kept is an error. Returns the new vocabulary size.
pub fn trim_vocabulary(src: &Path, dst: &mut dyn Write, how: Trim) -> Result<usize, GgufError> {
    let Trim {
        keep,
        source_sha256,
        widen_to_q8_0,
    } = how;
    let header = read_header(src)?;
    let n_vocab = header.tokens()?.len();
    if keep.is_empty() || keep.windows(2).any(|w| w[0] >= w[1]) {
        return Err(GgufError::Trim(
            "the token ids to keep must be ascending, without repeats, and not empty".into(),
        ));
    }
    if let Some(&last) = keep.last().filter(|&&id| id as usize >= n_vocab) {
        return Err(GgufError::Trim(format!(
            "token id {last} is out of range: the model has {n_vocab} tokens"
        )));
    }
    let new_id = |old: u64| keep.binary_search(&(old as u32)).ok().map(|i| i as u64);

    let mut metadata = Vec::with_capacity(header.metadata.len() + 2);
    for (key, value) in &header.metadata {
        let value = match value {
            Value::Array(t, items) if VOCAB_ARRAYS.contains(&key.as_str()) => {
                if items.len() != n_vocab {
                    return Err(GgufError::Corrupt(format!(
                        "{key} has {} entries for {n_vocab} tokens",
                        items.len()
                    )));
                }
                Value::Array(
                    *t,
                    keep.iter().map(|&id| items[id as usize].clone()).collect(),
                )
            }
            v if key.starts_with("tokenizer.ggml.") && key.ends_with("_token_id") => {
                let old = v
                    .as_u64()
                    .ok_or_else(|| GgufError::Corrupt(format!("{key} is not an integer")))?;
                let id = new_id(old).ok_or_else(|| {
                    GgufError::Trim(format!("{key} ({old}) is not among the tokens kept"))
                })?;
                v.with_u64(id)
            }
            Value::Array(t, merges) if key == "tokenizer.ggml.merges" => {
                Value::Array(*t, kept_merges(&header, keep, merges)?)
            }
            v => v.clone(),
        };
        metadata.push((key.clone(), value));
    }
    metadata.retain(|(k, _)| !k.starts_with("nib.vocabulary."));
    metadata.push((
        "nib.vocabulary.source_sha256".into(),
        Value::String(source_sha256.as_bytes().to_vec()),
    ));
    metadata.push((
        "nib.vocabulary.source_size".into(),
        Value::U32(n_vocab as u32),
    ));

    let alignment = header.alignment();
    let mut tensors = Vec::with_capacity(header.tensors.len());
    let mut offset = 0;
    for t in &header.tensors {
        let mut t = t.clone();
        if VOCAB_TENSORS.contains(&t.name.as_str()) {
            if t.dims.len() != 2 || t.dims[1] != n_vocab as u64 {
                return Err(GgufError::Corrupt(format!(
                    "{} has shape {:?}, not [n_embd, {n_vocab}]",
                    t.name, t.dims
                )));
            }
            t.dims[1] = keep.len() as u64;
        } else if widen_to_q8_0 && quant::widens(t.ggml_type) {
            t.ggml_type = quant::Q8_0;
        }
        t.offset = offset;
        offset = (offset + t.n_bytes()?).next_multiple_of(alignment);
        tensors.push(t);
    }

    let mut w = Writer(BufWriter::with_capacity(1 << 20, dst), 0);
    w.bytes(MAGIC)?;
    w.u32(header.version)?;
    w.u64(tensors.len() as u64)?;
    w.u64(metadata.len() as u64)?;
    for (key, value) in &metadata {
        w.string(key.as_bytes())?;
        w.u32(value.type_id())?;
        w.value(value)?;
    }
    for t in &tensors {
        w.string(t.name.as_bytes())?;
        w.u32(t.dims.len() as u32)?;
        for &d in &t.dims {
            w.u64(d)?;
        }
        w.u32(t.ggml_type)?;
        w.u64(t.offset)?;
    }
    w.pad(alignment)?;
    let data_start = w.1;

    let mut file = File::open(src)?;
    let file_len = file.metadata()?.len();
    for (old, new) in header.tensors.iter().zip(&tensors) {
        let start = header.data_start + old.offset;
        let len = old.n_bytes()?;
        if start + len > file_len {
            return Err(GgufError::Corrupt(format!(
                "tensor {} ends past the end of the file",
                old.name
            )));
        }
        let mut data = vec![0; len as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut data)?;
        if VOCAB_TENSORS.contains(&old.name.as_str()) {
            let row = old.row_bytes()? as usize;
            for &id in keep {
                w.bytes(&data[id as usize * row..][..row])?;
            }
        } else if new.ggml_type != old.ggml_type {
            w.bytes(&quant::widen_to_q8_0(old.ggml_type, &data))?;
        } else {
            w.bytes(&data)?;
        }
        debug_assert_eq!(w.1 - data_start, new.offset + new.n_bytes()?);
        w.pad(alignment)?;
    }
    w.0.flush().map_err(GgufError::Write)?;
    Ok(keep.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gguf::tests::{q5_0_block, tiny_model};

    fn floats(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn trimming_keeps_the_chosen_tokens_rows_and_renumbers_specials() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("a.gguf"), dir.path().join("b.gguf"));
        tiny_model(&src);
        let mut out = File::create(&dst).unwrap();
        assert_eq!(
            trim_vocabulary(
                &src,
                &mut out,
                Trim {
                    keep: &[1, 3, 4],
                    source_sha256: "abc",
                    widen_to_q8_0: true,
                }
            )
            .unwrap(),
            3
        );
        drop(out);

        let h = read_header(&dst).unwrap();
        assert_eq!(h.tokens().unwrap(), [&b"<pad>"[..], b"<eos>", b"ab"]);
        assert_eq!(h.token_types().unwrap(), [3, 3, 1]);
        assert_eq!(
            h.get("tokenizer.ggml.scores"),
            Some(&Value::Array(
                6,
                vec![Value::F32(1.), Value::F32(3.), Value::F32(4.)]
            ))
        );
        assert_eq!(
            h.get("tokenizer.ggml.padding_token_id"),
            Some(&Value::U32(0))
        );
        assert_eq!(h.get("tokenizer.ggml.eos_token_id"), Some(&Value::U32(1)));
        // "a b" makes the kept "ab"; "b a" made no token at all.
        assert_eq!(
            h.get("tokenizer.ggml.merges"),
            Some(&Value::Array(8, vec![Value::String(b"a b".to_vec())]))
        );
        assert_eq!(
            h.get("nib.vocabulary.source_sha256"),
            Some(&Value::String(b"abc".to_vec()))
        );
        assert_eq!(h.tensors[0].dims, [4, 3]);
        let bytes = std::fs::read(&dst).unwrap();
        let data = &bytes[h.data_start as usize..];
        let embd = floats(&data[..48]);
        assert_eq!(embd, [1., 1., 1., 1., 3., 3., 3., 3., 4., 4., 4., 4.]);
        let norm_at = h.tensors[1].offset as usize;
        assert_eq!(norm_at % 32, 0);
        assert_eq!(floats(&data[norm_at..norm_at + 12]), [7., 8., 9.]);
        // The Q5_0 block is now Q8_0, aligned after the norm, and padded, ends the file.
        let up = &h.tensors[2];
        assert_eq!((up.ggml_type, up.offset), (quant::Q8_0, 96));
        let widened = quant::widen_to_q8_0(quant::Q5_0, &q5_0_block());
        assert_eq!(&data[96..96 + 34], &widened[..]);
        assert_eq!(data.len(), 96 + 64);
    }

    #[test]
    fn dropping_a_special_token_or_bad_ids_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.gguf");
        tiny_model(&src);
        let trim = |keep: &[u32]| {
            let how = Trim {
                keep,
                source_sha256: "",
                widen_to_q8_0: false,
            };
            trim_vocabulary(&src, &mut Vec::new(), how).unwrap_err()
        };
        // <pad> (the padding id) is dropped.
        assert!(trim(&[2, 3]).to_string().contains("padding_token_id (1)"));
        assert!(trim(&[1, 3, 9]).to_string().contains("out of range"));
        assert!(trim(&[1, 0]).to_string().contains("ascending"));
        assert!(trim(&[]).to_string().contains("not empty"));
    }
}
