//! Just enough of the GGUF format to rewrite a model with a smaller vocabulary.
//!
//! A GGUF file is a header (magic, version, counts), typed key-value metadata, tensor
//! descriptions (name, shape, type, offset) and the tensor data, each tensor aligned.
//! [`trim_vocabulary`] reads one, keeps the tokens it is told to keep (the tokenizer's
//! arrays and the rows of the embedding and output matrices), renumbers the special
//! token ids, widens Q5_0 and Q6_K matrices to Q8_0 when asked ([`super::quant`]) and
//! writes the result. Everything else is copied byte for byte.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::quant;

/// The first four bytes of every GGUF file.
const MAGIC: &[u8; 4] = b"GGUF";
/// Tensor data alignment when `general.alignment` does not say.
const DEFAULT_ALIGNMENT: u64 = 32;
/// Matrices with one row per token: the input embedding and, when not tied, the output head.
const VOCAB_TENSORS: [&str; 2] = ["token_embd.weight", "output.weight"];
/// Metadata arrays with one entry per token.
const VOCAB_ARRAYS: [&str; 3] = [
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type",
];
/// No sane metadata string or array is longer; a bigger count means a corrupt file.
const MAX_COUNT: u64 = 1 << 28;

/// Why a GGUF file could not be read or rewritten.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// Reading the source file failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// Writing the rewritten file failed.
    #[error(transparent)]
    Write(io::Error),
    #[error("not a GGUF file (it does not start with \"GGUF\")")]
    NotGguf,
    #[error("GGUF version {0} is not supported (2 and 3 are)")]
    Version(u32),
    #[error("corrupt GGUF file: {0}")]
    Corrupt(String),
    #[error("cannot trim the vocabulary: {0}")]
    Trim(String),
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(Vec<u8>),
    /// The element type's id and the elements.
    Array(u32, Vec<Value>),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    fn type_id(&self) -> u32 {
        match self {
            Value::U8(_) => 0,
            Value::I8(_) => 1,
            Value::U16(_) => 2,
            Value::I16(_) => 3,
            Value::U32(_) => 4,
            Value::I32(_) => 5,
            Value::F32(_) => 6,
            Value::Bool(_) => 7,
            Value::String(_) => 8,
            Value::Array(..) => 9,
            Value::U64(_) => 10,
            Value::I64(_) => 11,
            Value::F64(_) => 12,
        }
    }

    /// An integer value as u64 (token ids are stored as u32 but any integer type is valid).
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The same integer type holding `v`.
    fn with_u64(&self, v: u64) -> Value {
        match self {
            Value::U8(_) => Value::U8(v as u8),
            Value::U16(_) => Value::U16(v as u16),
            Value::U64(_) => Value::U64(v),
            Value::I8(_) => Value::I8(v as i8),
            Value::I16(_) => Value::I16(v as i16),
            Value::I32(_) => Value::I32(v as i32),
            Value::I64(_) => Value::I64(v as i64),
            _ => Value::U32(v as u32),
        }
    }
}

/// A tensor's description; its data lives at `offset` from the start of the data section.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// Dimensions, innermost first (ggml's ne): a matrix with one row per token is [n_embd, n_vocab].
    pub dims: Vec<u64>,
    /// ggml type id.
    pub ggml_type: u32,
    pub offset: u64,
}

impl TensorInfo {
    /// Bytes of one row (the innermost dimension).
    fn row_bytes(&self) -> Result<u64, GgufError> {
        let (block, bytes) = block_size(self.ggml_type).ok_or_else(|| {
            GgufError::Trim(format!(
                "tensor {} has ggml type {}, which this rewriter does not know",
                self.name, self.ggml_type
            ))
        })?;
        let row = self.dims.first().copied().unwrap_or(1);
        if row % block != 0 {
            return Err(GgufError::Corrupt(format!(
                "tensor {}: a row of {row} is not a whole number of {block}-element blocks",
                self.name
            )));
        }
        (row / block)
            .checked_mul(bytes)
            .ok_or_else(|| overflow(&self.name))
    }

    /// Bytes of the tensor's data, with checked arithmetic (the dimensions come from the file).
    fn n_bytes(&self) -> Result<u64, GgufError> {
        let rows = self
            .dims
            .iter()
            .skip(1)
            .try_fold(1u64, |n, &d| n.checked_mul(d))
            .ok_or_else(|| overflow(&self.name))?;
        self.row_bytes()?
            .checked_mul(rows)
            .ok_or_else(|| overflow(&self.name))
    }
}

/// (elements per block, bytes per block) of the ggml types models are stored in.
fn block_size(ggml_type: u32) -> Option<(u64, u64)> {
    Some(match ggml_type {
        0 => (1, 4),     // F32
        1 => (1, 2),     // F16
        2 => (32, 18),   // Q4_0
        3 => (32, 20),   // Q4_1
        6 => (32, 22),   // Q5_0
        7 => (32, 24),   // Q5_1
        8 => (32, 34),   // Q8_0
        10 => (256, 84), // Q2_K
        11 => (256, 110),
        12 => (256, 144),
        13 => (256, 176),
        14 => (256, 210), // Q6_K
        30 => (1, 2),     // BF16
        _ => return None,
    })
}

/// A GGUF file's header: everything but the tensor data.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub version: u32,
    pub metadata: Vec<(String, Value)>,
    pub tensors: Vec<TensorInfo>,
    /// Where the data section starts in the file.
    pub data_start: u64,
}

impl Header {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn alignment(&self) -> u64 {
        match self.get("general.alignment").and_then(Value::as_u64) {
            Some(a) if a > 0 => a,
            _ => DEFAULT_ALIGNMENT,
        }
    }

    /// The tokenizer's token strings.
    pub fn tokens(&self) -> Result<Vec<&[u8]>, GgufError> {
        match self.get("tokenizer.ggml.tokens") {
            Some(Value::Array(_, items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.as_slice()),
                    _ => Err(GgufError::Corrupt("a token is not a string".into())),
                })
                .collect(),
            _ => Err(GgufError::Trim(
                "the file has no tokenizer.ggml.tokens".into(),
            )),
        }
    }

    /// The tokenizer's token types (1 normal, 3 control, 4 user-defined, 6 byte, ...).
    pub fn token_types(&self) -> Result<Vec<i64>, GgufError> {
        match self.get("tokenizer.ggml.token_type") {
            Some(Value::Array(_, items)) => Ok(items
                .iter()
                .map(|v| match *v {
                    Value::I32(t) => t.into(),
                    ref other => other.as_u64().map_or(-1, |t| t as i64),
                })
                .collect()),
            _ => Err(GgufError::Trim(
                "the file has no tokenizer.ggml.token_type".into(),
            )),
        }
    }
}

/// Reads the header of the GGUF file at `path`.
pub fn read_header(path: &Path) -> Result<Header, GgufError> {
    let file = File::open(path)?;
    // What the header may take in memory: about the file's own size. Each value costs more
    // here than in the file (a one-byte array element becomes a 32-byte value), so a
    // hostile array of 2^28 bytes would otherwise take 8 GB.
    let budget = file.metadata()?.len().saturating_add(HEADER_SLACK);
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 20, file),
        read: 0,
        budget,
    };
    let mut magic = [0; 4];
    r.bytes(&mut magic).map_err(|_| GgufError::NotGguf)?;
    if &magic != MAGIC {
        return Err(GgufError::NotGguf);
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(GgufError::Version(version));
    }
    let n_tensors = r.count()?;
    let n_metadata = r.count()?;
    // Counts come from the file: room grows as entries are read, not from the count.
    let mut metadata = Vec::with_capacity(n_metadata.min(1024) as usize);
    for _ in 0..n_metadata {
        let key = String::from_utf8(r.string()?)
            .map_err(|_| GgufError::Corrupt("a metadata key is not UTF-8".into()))?;
        let type_id = r.u32()?;
        metadata.push((key, r.value(type_id)?));
    }
    let mut tensors = Vec::with_capacity(n_tensors.min(4096) as usize);
    for _ in 0..n_tensors {
        let name = String::from_utf8(r.string()?)
            .map_err(|_| GgufError::Corrupt("a tensor name is not UTF-8".into()))?;
        let n_dims = r.u32()?;
        if n_dims > 4 {
            return Err(GgufError::Corrupt(format!(
                "tensor {name} has {n_dims} dimensions"
            )));
        }
        let dims = (0..n_dims).map(|_| r.u64()).collect::<Result<_, _>>()?;
        let ggml_type = r.u32()?;
        let offset = r.u64()?;
        tensors.push(TensorInfo {
            name,
            dims,
            ggml_type,
            offset,
        });
    }
    let mut header = Header {
        version,
        metadata,
        tensors,
        data_start: 0,
    };
    header.data_start = r.read.next_multiple_of(header.alignment());
    Ok(header)
}

/// Most transformer blocks a model may declare (`<arch>.block_count`).
const MAX_BLOCKS: u64 = 1024;
/// Most bytes one metadata string may hold (a chat template is a few KB).
const MAX_STRING: u64 = 16 << 20;

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

fn overflow(tensor: &str) -> GgufError {
    GgufError::Corrupt(format!("tensor {tensor}: its size overflows"))
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

/// What a header may take in memory beyond its file's size (a vocabulary-only file of a
/// few MB decodes to about twice that).
const HEADER_SLACK: u64 = 64 << 20;

/// A reader that counts the bytes it has read (for the data section's offset) and the
/// memory the values it decodes take, against a budget.
struct Reader<R> {
    inner: R,
    read: u64,
    budget: u64,
}

impl<R: Read> Reader<R> {
    fn bytes(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buf)?;
        self.read += buf.len() as u64;
        Ok(())
    }

    /// Takes `n` bytes of memory from the budget.
    fn spend(&mut self, n: u64) -> Result<(), GgufError> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            GgufError::Corrupt(
                "its header would take more memory than the file's size (a damaged file?)".into(),
            )
        })?;
        Ok(())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut buf = [0; N];
        self.bytes(&mut buf).map_err(eof_is_corrupt)?;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        self.array().map(u64::from_le_bytes)
    }

    fn count(&mut self) -> Result<u64, GgufError> {
        let n = self.u64()?;
        if n > MAX_COUNT {
            return Err(GgufError::Corrupt(format!("a count of {n}")));
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<Vec<u8>, GgufError> {
        let n = self.count()?;
        if n > MAX_STRING {
            return Err(GgufError::Corrupt(format!("a string of {n} bytes")));
        }
        self.spend(n)?;
        let mut s = vec![0; n as usize];
        self.bytes(&mut s).map_err(eof_is_corrupt)?;
        Ok(s)
    }

    fn value(&mut self, type_id: u32) -> Result<Value, GgufError> {
        self.spend(std::mem::size_of::<Value>() as u64)?;
        Ok(match type_id {
            0 => Value::U8(u8::from_le_bytes(self.array()?)),
            1 => Value::I8(i8::from_le_bytes(self.array()?)),
            2 => Value::U16(u16::from_le_bytes(self.array()?)),
            3 => Value::I16(i16::from_le_bytes(self.array()?)),
            4 => Value::U32(self.u32()?),
            5 => Value::I32(i32::from_le_bytes(self.array()?)),
            6 => Value::F32(f32::from_le_bytes(self.array()?)),
            7 => Value::Bool(self.array::<1>()?[0] != 0),
            8 => Value::String(self.string()?),
            9 => {
                let element = self.u32()?;
                if element == 9 {
                    return Err(GgufError::Corrupt("nested arrays".into()));
                }
                let n = self.count()?;
                let items = (0..n)
                    .map(|_| self.value(element))
                    .collect::<Result<_, _>>()?;
                Value::Array(element, items)
            }
            10 => Value::U64(self.u64()?),
            11 => Value::I64(i64::from_le_bytes(self.array()?)),
            12 => Value::F64(f64::from_le_bytes(self.array()?)),
            t => return Err(GgufError::Corrupt(format!("metadata type {t}"))),
        })
    }
}

fn eof_is_corrupt(e: io::Error) -> GgufError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        GgufError::Corrupt("the file ends in the middle of its header".into())
    } else {
        GgufError::Io(e)
    }
}

/// A writer that counts the bytes it has written (for alignment).
struct Writer<W>(W, u64);

impl<W: Write> Writer<W> {
    fn bytes(&mut self, buf: &[u8]) -> Result<(), GgufError> {
        self.0.write_all(buf).map_err(GgufError::Write)?;
        self.1 += buf.len() as u64;
        Ok(())
    }

    fn u32(&mut self, v: u32) -> Result<(), GgufError> {
        self.bytes(&v.to_le_bytes())
    }

    fn u64(&mut self, v: u64) -> Result<(), GgufError> {
        self.bytes(&v.to_le_bytes())
    }

    fn string(&mut self, s: &[u8]) -> Result<(), GgufError> {
        self.u64(s.len() as u64)?;
        self.bytes(s)
    }

    fn pad(&mut self, alignment: u64) -> Result<(), GgufError> {
        let zeros = self.1.next_multiple_of(alignment) - self.1;
        self.bytes(&vec![0; zeros as usize])
    }

    fn value(&mut self, v: &Value) -> Result<(), GgufError> {
        match v {
            Value::U8(x) => self.bytes(&x.to_le_bytes()),
            Value::I8(x) => self.bytes(&x.to_le_bytes()),
            Value::U16(x) => self.bytes(&x.to_le_bytes()),
            Value::I16(x) => self.bytes(&x.to_le_bytes()),
            Value::U32(x) => self.u32(*x),
            Value::I32(x) => self.bytes(&x.to_le_bytes()),
            Value::F32(x) => self.bytes(&x.to_le_bytes()),
            Value::Bool(x) => self.bytes(&[u8::from(*x)]),
            Value::String(s) => self.string(s),
            Value::Array(element, items) => {
                self.u32(*element)?;
                self.u64(items.len() as u64)?;
                items.iter().try_for_each(|item| self.value(item))
            }
            Value::U64(x) => self.u64(*x),
            Value::I64(x) => self.bytes(&x.to_le_bytes()),
            Value::F64(x) => self.bytes(&x.to_le_bytes()),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// One Q5_0 block: scale 1, weights j - 16 (j < 16) and -16.
    fn q5_0_block() -> Vec<u8> {
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

    #[test]
    fn a_header_may_not_take_more_memory_than_its_file() {
        // One array of 3 Mi one-byte elements: 3 MB in the file, 96 MB as values.
        let n: u64 = 3 << 20;
        let mut bytes = b"GGUF".to_vec();
        bytes.extend(3u32.to_le_bytes());
        bytes.extend(0u64.to_le_bytes()); // tensors
        bytes.extend(1u64.to_le_bytes()); // metadata
        bytes.extend(1u64.to_le_bytes());
        bytes.push(b'x');
        bytes.extend(9u32.to_le_bytes()); // an array
        bytes.extend(0u32.to_le_bytes()); // of u8
        bytes.extend(n.to_le_bytes());
        bytes.resize(bytes.len() + n as usize, 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.gguf");
        std::fs::write(&path, &bytes).unwrap();
        match read_header(&path) {
            Err(GgufError::Corrupt(why)) => assert!(why.contains("more memory"), "{why}"),
            other => panic!("{:?}", other.map(|h| h.metadata.len())),
        }
        // The same array of a tenth the length reads.
        let small = 300 << 10;
        bytes[41..49].copy_from_slice(&(small as u64).to_le_bytes());
        bytes.truncate(49 + small);
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_header(&path).is_ok());
    }

    #[test]
    fn a_truncated_or_foreign_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.gguf");
        tiny_model(&src);
        let bytes = std::fs::read(&src).unwrap();
        std::fs::write(&src, &bytes[..60]).unwrap();
        assert!(matches!(read_header(&src), Err(GgufError::Corrupt(_))));
        std::fs::write(&src, b"PK\x03\x04 not a model").unwrap();
        assert!(matches!(read_header(&src), Err(GgufError::NotGguf)));
    }

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
