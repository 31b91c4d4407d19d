//! Checks of a GGUF file before llama.cpp reads it, and of an adapter against its base.

use std::path::Path;

use super::format::{GgufError, Header, TensorInfo, Value, block_size, overflow, read_header};

/// Most transformer blocks a model may declare (`<arch>.block_count`).
const MAX_BLOCKS: u64 = 1024;

/// Reads a GGUF file's header and checks what llama.cpp would trust, before it parses the
/// file: counts and string lengths under caps, every tensor's dimensions, type, alignment
/// and data inside the file (checked arithmetic), unique tensor names, and the transformer
/// blocks its tensors name within `<arch>.block_count`.
pub fn validate(path: &Path) -> Result<Header, GgufError> {
    let len = std::fs::metadata(path)?.len();
    let header = read_header(path)?;
    let corrupt = |what: String| Err(GgufError::Corrupt(what));
    let Some(data) = len.checked_sub(header.data_start) else {
        return corrupt(format!(
            "the header ends at byte {}, past the end of the {len}-byte file (truncated?)",
            header.data_start
        ));
    };
    let alignment = header.alignment();
    if !alignment.is_power_of_two() {
        return corrupt(format!("an alignment of {alignment}"));
    }
    let mut names = std::collections::HashSet::new();
    for t in &header.tensors {
        if !names.insert(t.name.as_str()) {
            return corrupt(format!("two tensors are named {}", t.name));
        }
        if t.dims.contains(&0) {
            return corrupt(format!("tensor {} has a dimension of 0", t.name));
        }
        if t.offset % alignment != 0 {
            return corrupt(format!(
                "tensor {}: offset {} is not aligned",
                t.name, t.offset
            ));
        }
        let size = checked_size(t)?;
        match t.offset.checked_add(size) {
            Some(end) if end <= data => {}
            _ => {
                return corrupt(format!(
                    "tensor {}: its data ({size} bytes at offset {}) runs past the end of the file's {data} bytes of data (truncated?)",
                    t.name, t.offset
                ));
            }
        }
    }
    let arch = match header.get("general.architecture") {
        Some(Value::String(a)) => String::from_utf8_lossy(a).into_owned(),
        _ => String::new(),
    };
    let blocks = header
        .get(&format!("{arch}.block_count"))
        .and_then(Value::as_u64);
    if let Some(blocks) = blocks {
        if blocks > MAX_BLOCKS {
            return corrupt(format!("{arch}.block_count is {blocks}"));
        }
        for t in &header.tensors {
            let block = t
                .name
                .strip_prefix("blk.")
                .and_then(|rest| rest.split('.').next());
            if let Some(n) = block.and_then(|n| n.parse::<u64>().ok())
                && n >= blocks
            {
                return corrupt(format!(
                    "tensor {} is in block {n} of a model with {blocks} blocks",
                    t.name
                ));
            }
        }
    }
    Ok(header)
}

/// Bytes of a tensor's data ([`TensorInfo::n_bytes`]); a type whose block size is not
/// known here is taken at one byte per eight elements (its data must still fit).
fn checked_size(t: &TensorInfo) -> Result<u64, GgufError> {
    if block_size(t.ggml_type).is_some() {
        return t.n_bytes();
    }
    if t.ggml_type > 64 {
        return Err(GgufError::Corrupt(format!(
            "tensor {} has ggml type {}",
            t.name, t.ggml_type
        )));
    }
    let elements = t
        .dims
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d))
        .ok_or_else(|| overflow(&t.name))?;
    Ok(elements / 8)
}

/// Checks that an adapter's tensors are LoRA factors of the base model's tensors:
/// `<name>.lora_a` of shape [n_in, rank] and `<name>.lora_b` of [rank, n_out] for a base
/// tensor `<name>` of [n_in, n_out].
pub fn check_adapter(adapter: &Header, base: &Header) -> Result<(), String> {
    let base_dims = |name: &str| {
        base.tensors
            .iter()
            .find(|t| t.name == name)
            .map(|t| &t.dims)
    };
    // Per adapted tensor, the rank of its lora_a and its lora_b.
    let mut ranks = std::collections::BTreeMap::<&str, (Option<u64>, Option<u64>)>::new();
    for t in &adapter.tensors {
        let (name, factor) = match (
            t.name.strip_suffix(".lora_a"),
            t.name.strip_suffix(".lora_b"),
        ) {
            (Some(name), _) => (name, 'a'),
            (_, Some(name)) => (name, 'b'),
            _ => {
                return Err(format!(
                    "tensor {} is not a LoRA factor (.lora_a or .lora_b)",
                    t.name
                ));
            }
        };
        let Some(dims) = base_dims(name) else {
            return Err(format!(
                "it adapts {name}, which the base model does not have: it was made for another model"
            ));
        };
        let fits = match factor {
            'a' => t.dims.first() == dims.first(),
            _ => t.dims.get(1) == dims.get(1),
        };
        if !fits || t.dims.len() != 2 {
            return Err(format!(
                "{} has shape {:?}, which does not fit {name} of shape {dims:?}: it was made for another model",
                t.name, t.dims
            ));
        }
        // The rank: lora_a's second dimension, lora_b's first.
        let rank = match factor {
            'a' => t.dims[1],
            _ => t.dims[0],
        };
        let pair = ranks.entry(name).or_insert((None, None));
        match factor {
            'a' => pair.0 = Some(rank),
            _ => pair.1 = Some(rank),
        }
    }
    for (name, pair) in ranks {
        match pair {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "{name}.lora_a has rank {a} but {name}.lora_b has rank {b}: the file is damaged"
                ));
            }
            (Some(_), Some(_)) => {}
            _ => {
                return Err(format!(
                    "{name} has only one of its two LoRA factors (.lora_a, .lora_b): the file is damaged"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gguf::tests::tiny_model;

    /// Where the u64 offset of the tensor named `name` sits in a file written by `tiny_model`
    /// (its name, then one dimension, then its type).
    fn offset_field(bytes: &[u8], name: &str, n_dims: usize) -> usize {
        let at = bytes
            .windows(name.len())
            .position(|w| w == name.as_bytes())
            .unwrap();
        at + name.len() + 4 + 8 * n_dims + 4
    }

    #[test]
    fn broken_files_are_caught_before_llama_cpp_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.gguf");
        tiny_model(&src);
        assert!(validate(&src).is_ok());
        let good = std::fs::read(&src).unwrap();
        let broken = dir.path().join("broken.gguf");
        let check = |bytes: &[u8]| {
            std::fs::write(&broken, bytes).unwrap();
            validate(&broken).map(drop).map_err(|e| e.to_string())
        };
        // Truncated anywhere, the header or the data: an error, never a panic.
        for len in (0..good.len()).step_by(3) {
            let e = check(&good[..len]).unwrap_err();
            assert!(!e.is_empty(), "cut at {len}");
        }
        assert!(
            check(&good[..good.len() - 1])
                .unwrap_err()
                .contains("runs past the end")
        );
        // Counts of tensors and metadata far beyond any model's, and ones just under the cap
        // (no room is reserved for them before they are read).
        for (field, count) in [(8, 1u64 << 40), (16, 1 << 40), (8, 1 << 27), (16, 1 << 27)] {
            let mut bytes = good.clone();
            bytes[field..field + 8].copy_from_slice(&count.to_le_bytes());
            assert!(check(&bytes).is_err(), "count {count} at {field}");
        }
        // A tensor's data past the end of the file, an offset that overflows, a misaligned one.
        let at = offset_field(&good, "output_norm.weight", 1);
        assert_eq!(u64::from_le_bytes(good[at..at + 8].try_into().unwrap()), 96);
        for (offset, says) in [
            (1u64 << 40, "runs past the end"),
            (u64::MAX - 31, "runs past the end"),
            (97, "not aligned"),
        ] {
            let mut bytes = good.clone();
            bytes[at..at + 8].copy_from_slice(&offset.to_le_bytes());
            let e = check(&bytes).unwrap_err();
            assert!(e.contains(says), "{offset}: {e}");
        }
        // Another magic, another version, an empty file.
        let mut bytes = good.clone();
        bytes[0] = b'X';
        assert!(check(&bytes).unwrap_err().contains("not a GGUF"));
        let mut bytes = good.clone();
        bytes[4..8].copy_from_slice(&9u32.to_le_bytes());
        assert!(check(&bytes).unwrap_err().contains("version 9"));
        assert!(check(b"").unwrap_err().contains("not a GGUF"));
    }

    #[test]
    fn an_adapter_must_fit_its_base_model() {
        let header = |tensors: &[(&str, &[u64])]| Header {
            version: 3,
            metadata: Vec::new(),
            tensors: tensors
                .iter()
                .map(|(name, dims)| TensorInfo {
                    name: name.to_string(),
                    dims: dims.to_vec(),
                    ggml_type: 0,
                    offset: 0,
                })
                .collect(),
            data_start: 0,
        };
        let base = header(&[("blk.0.attn_q.weight", &[640, 1024])]);
        let fits = header(&[
            ("blk.0.attn_q.weight.lora_a", &[640, 8]),
            ("blk.0.attn_q.weight.lora_b", &[8, 1024]),
        ]);
        assert_eq!(check_adapter(&fits, &base), Ok(()));
        let ranks_differ = header(&[
            ("blk.0.attn_q.weight.lora_a", &[640, 8]),
            ("blk.0.attn_q.weight.lora_b", &[16, 1024]),
        ]);
        assert!(
            check_adapter(&ranks_differ, &base)
                .unwrap_err()
                .contains("rank 8 but")
        );
        let half = header(&[("blk.0.attn_q.weight.lora_a", &[640, 8])]);
        assert!(
            check_adapter(&half, &base)
                .unwrap_err()
                .contains("only one")
        );
        let wider = header(&[("blk.0.attn_q.weight.lora_a", &[896, 8])]);
        assert!(
            check_adapter(&wider, &base)
                .unwrap_err()
                .contains("another model")
        );
        let deeper = header(&[("blk.30.attn_q.weight.lora_a", &[640, 8])]);
        assert!(
            check_adapter(&deeper, &base)
                .unwrap_err()
                .contains("does not have")
        );
        let odd = header(&[("blk.0.attn_q.weight", &[640, 8])]);
        assert!(
            check_adapter(&odd, &base)
                .unwrap_err()
                .contains("not a LoRA factor")
        );
    }
}
