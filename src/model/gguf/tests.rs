//! Fixtures the tests of this module and of [`crate::model`] share.

use std::path::Path;

use super::format::{MAGIC, TensorInfo, Value, Writer};
use crate::model::quant;

/// One Q5_0 block: scale 1, weights j - 16 (j < 16) and -16.
pub(super) fn q5_0_block() -> Vec<u8> {
    let mut block = vec![0x00, 0x3C, 0, 0, 0, 0];
    block.extend(0..16u8);
    block
}

/// A tiny GGUF: 5 tokens of 4 F32s, a norm of 3 F32s, one Q5_0 block; two special ids.
pub(in crate::model) fn tiny_model(path: &Path) {
    let tokens = ["a", "<pad>", "b", "<eos>", "ab"];
    let metadata = vec![
        (
            "general.architecture".to_owned(),
            Value::String(b"test".to_vec()),
        ),
        (
            "tokenizer.ggml.tokens".to_owned(),
            Value::Array(
                8,
                tokens
                    .iter()
                    .map(|t| Value::String(t.as_bytes().to_vec()))
                    .collect(),
            ),
        ),
        (
            "tokenizer.ggml.scores".to_owned(),
            Value::Array(6, (0..5).map(|i| Value::F32(i as f32)).collect()),
        ),
        (
            "tokenizer.ggml.token_type".to_owned(),
            Value::Array(5, [1, 3, 1, 3, 1].into_iter().map(Value::I32).collect()),
        ),
        ("tokenizer.ggml.eos_token_id".to_owned(), Value::U32(3)),
        ("tokenizer.ggml.padding_token_id".to_owned(), Value::U32(1)),
        (
            "tokenizer.ggml.merges".to_owned(),
            Value::Array(
                8,
                vec![
                    Value::String(b"b a".to_vec()),
                    Value::String(b"a b".to_vec()),
                ],
            ),
        ),
    ];
    let embd = TensorInfo {
        name: "token_embd.weight".into(),
        dims: vec![4, 5],
        ggml_type: 0,
        offset: 0,
    };
    let norm = TensorInfo {
        name: "output_norm.weight".into(),
        dims: vec![3],
        ggml_type: 0,
        offset: 96,
    };
    let up = TensorInfo {
        name: "blk.0.ffn_up.weight".into(),
        dims: vec![32, 1],
        ggml_type: quant::Q5_0,
        offset: 128,
    };
    let mut w = Writer(Vec::new(), 0);
    w.bytes(MAGIC).unwrap();
    w.u32(3).unwrap();
    w.u64(3).unwrap();
    w.u64(metadata.len() as u64).unwrap();
    for (k, v) in &metadata {
        w.string(k.as_bytes()).unwrap();
        w.u32(v.type_id()).unwrap();
        w.value(v).unwrap();
    }
    for t in [&embd, &norm, &up] {
        w.string(t.name.as_bytes()).unwrap();
        w.u32(t.dims.len() as u32).unwrap();
        t.dims.iter().for_each(|&d| w.u64(d).unwrap());
        w.u32(t.ggml_type).unwrap();
        w.u64(t.offset).unwrap();
    }
    w.pad(32).unwrap();
    // Token i's row is [i, i, i, i]; padding to 96 bytes; the norm is [7, 8, 9].
    for i in 0..5 {
        (0..4).for_each(|_| w.bytes(&(i as f32).to_le_bytes()).unwrap());
    }
    w.pad(32).unwrap();
    [7f32, 8., 9.]
        .iter()
        .for_each(|x| w.bytes(&x.to_le_bytes()).unwrap());
    w.pad(32).unwrap();
    w.bytes(&q5_0_block()).unwrap();
    std::fs::write(path, w.0).unwrap();
}
