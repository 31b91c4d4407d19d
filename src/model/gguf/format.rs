//! The GGUF format: metadata values, tensor descriptions and the header, read under a
//! memory budget ([`read_header`]) and written back by a counting writer.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

/// The first four bytes of every GGUF file.
pub(super) const MAGIC: &[u8; 4] = b"GGUF";
/// Tensor data alignment when `general.alignment` does not say.
const DEFAULT_ALIGNMENT: u64 = 32;
/// No sane metadata string or array is longer; a bigger count means a corrupt file.
const MAX_COUNT: u64 = 1 << 28;
/// Most bytes one metadata string may hold (a chat template is a few KB).
const MAX_STRING: u64 = 16 << 20;

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
    pub(super) fn type_id(&self) -> u32 {
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
    pub(super) fn as_u64(&self) -> Option<u64> {
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
    pub(super) fn with_u64(&self, v: u64) -> Value {
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
    pub(super) fn row_bytes(&self) -> Result<u64, GgufError> {
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
    pub(super) fn n_bytes(&self) -> Result<u64, GgufError> {
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
pub(super) fn block_size(ggml_type: u32) -> Option<(u64, u64)> {
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

pub(super) fn overflow(tensor: &str) -> GgufError {
    GgufError::Corrupt(format!("tensor {tensor}: its size overflows"))
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

    pub(super) fn alignment(&self) -> u64 {
        match self.get("general.alignment").and_then(Value::as_u64) {
            Some(a) if a > 0 => a,
            _ => DEFAULT_ALIGNMENT,
        }
    }

    /// The strings of the array under `key`; `None` when the file has no such array.
    pub fn strings(&self, key: &str) -> Option<Result<Vec<&[u8]>, GgufError>> {
        match self.get(key) {
            Some(Value::Array(_, items)) => Some(
                items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s.as_slice()),
                        _ => Err(GgufError::Corrupt(format!(
                            "{key} holds something other than strings"
                        ))),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The tokenizer's token strings.
    pub fn tokens(&self) -> Result<Vec<&[u8]>, GgufError> {
        self.strings("tokenizer.ggml.tokens").unwrap_or_else(|| {
            Err(GgufError::Trim(
                "the file has no tokenizer.ggml.tokens".into(),
            ))
        })
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
pub(super) struct Writer<W>(pub(super) W, pub(super) u64);

impl<W: Write> Writer<W> {
    pub(super) fn bytes(&mut self, buf: &[u8]) -> Result<(), GgufError> {
        self.0.write_all(buf).map_err(GgufError::Write)?;
        self.1 += buf.len() as u64;
        Ok(())
    }

    pub(super) fn u32(&mut self, v: u32) -> Result<(), GgufError> {
        self.bytes(&v.to_le_bytes())
    }

    pub(super) fn u64(&mut self, v: u64) -> Result<(), GgufError> {
        self.bytes(&v.to_le_bytes())
    }

    pub(super) fn string(&mut self, s: &[u8]) -> Result<(), GgufError> {
        self.u64(s.len() as u64)?;
        self.bytes(s)
    }

    pub(super) fn pad(&mut self, alignment: u64) -> Result<(), GgufError> {
        let zeros = self.1.next_multiple_of(alignment) - self.1;
        self.bytes(&vec![0; zeros as usize])
    }

    pub(super) fn value(&mut self, v: &Value) -> Result<(), GgufError> {
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
mod tests {
    use super::*;
    use crate::model::gguf::tests::tiny_model;

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
}
