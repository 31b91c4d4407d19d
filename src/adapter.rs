//! LoRA adapters: their manifests, which one serves a document, and the files the
//! engine loads.
//!
//! A manifest (models/adapters/<name>.toml) names the base model it was trained on (by
//! sha256), the languages and frameworks it serves, its prompt template and its GGUF
//! file. The shipped ones are embedded in the binary with their files (build.rs) and
//! written to the cache the first time they are used; a manifest given by path is read
//! from disk. The engine loads them all beside the model and switches per request.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::{self, ModelManifest, PromptSpec};

/// The shipped adapters: (manifest file name, toml text, GGUF bytes).
const BUILTIN: &[(&str, &str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/adapters.rs"));

/// An adapter manifest.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdapterManifest {
    /// What users write in the `adapter` setting or `NIB_ADAPTER`.
    pub name: String,
    pub description: String,
    /// The model manifest it was trained on, and that model file's sha256.
    pub base: String,
    pub base_sha256: String,
    /// Language ids it serves; empty = all.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Frameworks it is specialized for; empty = a general adapter.
    #[serde(default)]
    pub frameworks: Vec<String>,
    /// The GGUF adapter file (beside the manifest), its size and sha256.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// LoRA scale.
    #[serde(default = "one")]
    pub scale: f32,
    /// The layout the adapter was trained with.
    pub prompt: PromptSpec,
    /// Whether the prompts of the files it answers show their frameworks' signatures
    /// (chosen on benches/val for an adapter trained with them); the `signatures` setting
    /// overrides it.
    #[serde(default)]
    pub signatures: bool,
    /// How it was made (steps, data, time, hardware): shown by `nib doctor`, not read.
    #[serde(default)]
    pub training: Option<toml::Table>,
}

fn one() -> f32 {
    1.0
}

/// An adapter ready to load: its manifest and the path of its GGUF file.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    pub manifest: AdapterManifest,
    pub path: PathBuf,
    /// The manifest's path, for an adapter read from disk.
    pub manifest_path: Option<PathBuf>,
}

/// What the `adapter` setting asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The adapter that fits the document's language and frameworks.
    Auto,
    /// The base model alone.
    None,
    /// An adapter by name, or a path to a manifest (`.toml`).
    Named(String),
}

impl Choice {
    /// `NIB_ADAPTER` when set, else the setting.
    pub fn from_setting(setting: &str) -> Choice {
        let env = std::env::var("NIB_ADAPTER").ok();
        Choice::parse(
            env.as_deref()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(setting),
        )
    }

    pub fn parse(value: &str) -> Choice {
        match value.trim() {
            "" | "auto" => Choice::Auto,
            "none" => Choice::None,
            name => Choice::Named(name.to_string()),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AdapterError {
    #[error("no adapter named `{name}`; known: {known} (or a path to an adapter manifest .toml)")]
    Unknown { name: String, known: String },
    #[error("adapter `{name}` was trained on another model ({base}); the model loaded is {model}")]
    OtherBase {
        name: String,
        base: String,
        model: String,
    },
    #[error("adapter manifest {path}: {problem}")]
    Manifest { path: String, problem: String },
    #[error(
        "adapter `{name}`: {path} does not match its manifest's sha256; rebuild or re-export it"
    )]
    Corrupt { name: String, path: String },
    #[error("cannot write adapter `{name}` to {path}: {problem}")]
    Write {
        name: String,
        path: String,
        problem: String,
    },
}

/// The manifests shipped in the binary.
pub fn builtin_manifests() -> Vec<AdapterManifest> {
    BUILTIN
        .iter()
        .map(|(file, text, _)| parse_builtin(file, text))
        .collect()
}

fn parse_builtin(file: &str, text: &str) -> AdapterManifest {
    toml::from_str(text).unwrap_or_else(|e| panic!("built-in adapter {file} is invalid: {e}"))
}

/// Whether any shipped adapter is trained on `model` (the test [`available`] applies).
pub fn any_trained_on(model: &ModelManifest) -> bool {
    let weights = model.weights_sha256();
    builtin_manifests().iter().any(|a| a.base_sha256 == weights)
}

/// The adapters that apply to `model` (shipped ones trained on it, plus the one `choice`
/// names by path), with their files in place. A file that cannot be written or read is an
/// error only for the adapter the choice names; others are skipped with a warning.
pub fn available(model: &ModelManifest, choice: &Choice) -> Result<Vec<Adapter>, AdapterError> {
    let mut out = Vec::new();
    let weights = model.weights_sha256();
    for (file, text, bytes) in BUILTIN {
        let manifest = parse_builtin(file, text);
        if manifest.base_sha256 != weights {
            continue;
        }
        match materialize(&manifest, bytes) {
            Ok(path) => out.push(Adapter {
                manifest,
                path,
                manifest_path: None,
            }),
            Err(e) if matches!(choice, Choice::Named(n) if *n == manifest.name) => return Err(e),
            Err(e) => tracing::warn!("{e}"),
        }
    }
    if let Choice::Named(name) = choice {
        if name.ends_with(".toml") {
            let adapter = from_file(Path::new(name))?;
            if adapter.manifest.base_sha256 != weights {
                return Err(AdapterError::OtherBase {
                    name: adapter.manifest.name,
                    base: adapter.manifest.base,
                    model: model.name.clone(),
                });
            }
            out.retain(|a| a.manifest.name != adapter.manifest.name);
            out.push(adapter);
        } else if !out.iter().any(|a| a.manifest.name == *name) {
            return Err(unknown(name, &out));
        }
    }
    Ok(out)
}

fn unknown(name: &str, adapters: &[Adapter]) -> AdapterError {
    let known: Vec<&str> = adapters.iter().map(|a| a.manifest.name.as_str()).collect();
    AdapterError::Unknown {
        name: name.to_string(),
        known: if known.is_empty() {
            "none for this model".into()
        } else {
            known.join(", ")
        },
    }
}

/// An adapter from a manifest on disk; its file is beside it and must match its sha256.
pub fn from_file(path: &Path) -> Result<Adapter, AdapterError> {
    let problem = |problem: String| AdapterError::Manifest {
        path: path.display().to_string(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| problem(e.to_string()))?;
    let manifest: AdapterManifest = toml::from_str(&text).map_err(|e| problem(e.to_string()))?;
    let file = path.parent().unwrap_or(Path::new(".")).join(&manifest.file);
    let bytes = std::fs::read(&file).map_err(|e| problem(format!("{}: {e}", file.display())))?;
    if sha256_hex(&bytes) != manifest.sha256 {
        return Err(AdapterError::Corrupt {
            name: manifest.name,
            path: file.display().to_string(),
        });
    }
    Ok(Adapter {
        manifest,
        path: file,
        manifest_path: Some(path.to_path_buf()),
    })
}

/// Writes a shipped adapter's file into the cache (once) and returns its path.
fn materialize(manifest: &AdapterManifest, bytes: &[u8]) -> Result<PathBuf, AdapterError> {
    let short = &manifest.sha256[..manifest.sha256.len().min(12)];
    let path = model::cache_dir()
        .join("adapters")
        .join(format!("{}-{short}.gguf", manifest.name));
    let write_error = |problem: String| AdapterError::Write {
        name: manifest.name.clone(),
        path: path.display().to_string(),
        problem,
    };
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(path);
    }
    if sha256_hex(bytes) != manifest.sha256 {
        return Err(AdapterError::Corrupt {
            name: manifest.name.clone(),
            path: format!("models/adapters/{}", manifest.file),
        });
    }
    let folder = path.parent().expect("a file in a folder");
    std::fs::create_dir_all(folder).map_err(|e| write_error(e.to_string()))?;
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| write_error(e.to_string()))?;
    std::fs::rename(&partial, &path).map_err(|e| write_error(e.to_string()))?;
    Ok(path)
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The adapter for a document: the one `choice` names, or with `Auto` a framework adapter
/// for one of the document's frameworks and its language, else a general adapter for its
/// language when there is code after the cursor (`code_after`), else none.
///
/// A general adapter only adds fill-in-the-middle; at the end of a file the base model's
/// own prefix prompt did as well or better (`console.` gave `log(` from the base model and
/// `reload(` from the general adapter at scale 1).
pub fn choose<'a>(
    adapters: &'a [Adapter],
    choice: &Choice,
    language: Option<&str>,
    frameworks: &BTreeSet<String>,
    code_after: bool,
) -> Option<&'a Adapter> {
    let serves_language = |a: &&Adapter| {
        a.manifest.languages.is_empty()
            || language.is_some_and(|l| a.manifest.languages.iter().any(|x| x == l))
    };
    match choice {
        Choice::None => None,
        Choice::Named(name) => adapters.iter().find(|a| is_named(a, name)),
        Choice::Auto => adapters
            .iter()
            .filter(serves_language)
            .find(|a| a.manifest.frameworks.iter().any(|f| frameworks.contains(f)))
            .or_else(|| {
                adapters
                    .iter()
                    .filter(serves_language)
                    .find(|a| code_after && a.manifest.frameworks.is_empty())
            }),
    }
}

/// Whether `name` (a setting's value) names this adapter: its name, or its manifest's path.
pub fn is_named(adapter: &Adapter, name: &str) -> bool {
    adapter.manifest.name == name
        || adapter
            .manifest_path
            .as_deref()
            .is_some_and(|p| p == Path::new(name))
}

/// An adapter that is never loaded, for tests of choosing one.
#[cfg(test)]
pub(crate) fn for_tests(name: &str, languages: &[&str], frameworks: &[&str]) -> Adapter {
    Adapter {
        manifest: AdapterManifest {
            name: name.into(),
            description: String::new(),
            base: "m".into(),
            base_sha256: "00".into(),
            languages: languages.iter().map(|s| s.to_string()).collect(),
            frameworks: frameworks.iter().map(|s| s.to_string()).collect(),
            file: format!("{name}.gguf"),
            size: 0,
            sha256: "00".into(),
            scale: 1.0,
            prompt: model::prompt_spec_of("[prompt]\nkind = \"prefix\"").unwrap(),
            signatures: false,
            training: None,
        },
        path: PathBuf::from(format!("{name}.gguf")),
        manifest_path: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, languages: &[&str], frameworks: &[&str]) -> Adapter {
        for_tests(name, languages, frameworks)
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn auto_prefers_the_framework_adapter_of_the_language() {
        let adapters = [
            adapter("fim", &[], &[]),
            adapter("fastapi", &["python"], &["fastapi"]),
            adapter("react", &["javascript", "tsx"], &["react"]),
        ];
        let pick = |lang, fw: &[&str]| {
            choose(&adapters, &Choice::Auto, lang, &set(fw), true).map(|a| a.manifest.name.as_str())
        };
        assert_eq!(pick(Some("python"), &["fastapi", "react"]), Some("fastapi"));
        assert_eq!(pick(Some("tsx"), &["fastapi", "react"]), Some("react"));
        // A React workspace's Python file gets the general adapter.
        assert_eq!(pick(Some("python"), &["react"]), Some("fim"));
        assert_eq!(pick(None, &[]), Some("fim"));
        // At the end of a file the general adapter brings nothing: the base model answers.
        let at_end = |lang, fw: &[&str]| {
            choose(&adapters, &Choice::Auto, lang, &set(fw), false)
                .map(|a| a.manifest.name.as_str())
        };
        assert_eq!(at_end(Some("python"), &[]), None);
        assert_eq!(at_end(Some("python"), &["fastapi"]), Some("fastapi"));
        assert_eq!(
            choose(
                &adapters,
                &Choice::None,
                Some("python"),
                &set(&["fastapi"]),
                true
            ),
            None
        );
        let named = choose(
            &adapters,
            &Choice::Named("react".into()),
            Some("python"),
            &set(&[]),
            false,
        );
        assert_eq!(named.map(|a| a.manifest.name.as_str()), Some("react"));
    }

    #[test]
    fn choices_parse_and_unknown_names_list_the_known() {
        assert_eq!(Choice::parse("auto"), Choice::Auto);
        assert_eq!(Choice::parse(" none "), Choice::None);
        assert_eq!(Choice::parse("axum"), Choice::Named("axum".into()));
        let err = unknown("flask", &[adapter("fim", &[], &[])]);
        assert_eq!(
            err.to_string(),
            "no adapter named `flask`; known: fim (or a path to an adapter manifest .toml)"
        );
    }

    #[test]
    fn shipped_manifests_parse_and_name_their_files() {
        for (manifest, (_, _, bytes)) in builtin_manifests().iter().zip(BUILTIN) {
            assert_eq!(manifest.size, bytes.len() as u64, "{}", manifest.name);
            assert_eq!(sha256_hex(bytes), manifest.sha256, "{}", manifest.name);
            assert!(
                crate::prompt::uses_suffix(&manifest.prompt) || manifest.prompt.template.is_none()
            );
        }
    }

    #[test]
    fn a_manifest_on_disk_must_match_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.gguf"), b"GGUF-not-really").unwrap();
        let manifest = format!(
            "name = \"x\"\ndescription = \"\"\nbase = \"m\"\nbase_sha256 = \"00\"\nfile = \"x.gguf\"\nsize = 15\nsha256 = \"{}\"\n[prompt]\nkind = \"prefix\"\n",
            sha256_hex(b"GGUF-not-really")
        );
        let path = dir.path().join("x.toml");
        std::fs::write(&path, &manifest).unwrap();
        assert_eq!(from_file(&path).unwrap().manifest.name, "x");
        std::fs::write(dir.path().join("x.gguf"), b"changed").unwrap();
        assert!(matches!(
            from_file(&path),
            Err(AdapterError::Corrupt { .. })
        ));
    }
}
