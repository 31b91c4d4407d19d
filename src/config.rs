//! nib's settings: one typed struct, defaults in one place.
//!
//! Settings arrive as JSON (LSP `initializationOptions` or the `nib` section of
//! `workspace/configuration`); [`Settings::from_json`] reads them key by key so an
//! unknown key becomes a warning and a bad value an error that names the key.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::remote::{Escalate, Target};

/// Everything a user can set. `Default` holds the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// A model manifest name or a path to a `.gguf` file; `None` = the default model.
    /// `NIB_MODEL` overrides it.
    pub model: Option<String>,
    /// Which LoRA adapter specializes the model: `auto` (by the document's language and
    /// frameworks), `none` (the base model), an adapter's name, or a path to an adapter
    /// manifest. `NIB_ADAPTER` overrides it.
    pub adapter: String,
    /// Most tokens generated for one suggestion; `None` = the model's default (its manifest).
    pub max_tokens: Option<u32>,
    /// Threads llama.cpp uses; `None` = chosen from the machine (see `engine::default_threads`).
    pub threads: Option<u32>,
    /// Tokens of context (snippets, imports, scopes, the file prefix and suffix) given to
    /// the model; `None` = the model's default.
    pub context_tokens: Option<u32>,
    /// Milliseconds of generation, once the prompt is read: a suggestion not finished by
    /// then is cut at the last whole token (a block at its last whole line); `None` = the
    /// model's default.
    pub deadline_ms: Option<u64>,
    /// Tokens of context in the short window a new spot is first answered from, while the
    /// full window is read behind it; 0 = always the full window; `None` = the model's default.
    pub cold_tokens: Option<u32>,
    /// Suggestions whose confidence (geometric mean token probability, 0..1) is lower are hidden.
    pub min_confidence: f32,
    /// Per-language switch by language id (`python = false` turns nib off for Python).
    pub languages: BTreeMap<String, bool>,
    /// Reuse work between requests (the KV cache, prefill while typing, typing through a
    /// suggestion). Off, every request reads its whole prompt in a fresh context: the
    /// baseline `nib bench` measures against.
    pub reuse: bool,
    /// Speculative decoding: each token is decoded with a draft of the tokens that followed
    /// the same words earlier in the prompt, checked in the same batch. Off by default: on a
    /// CPU the batch's output head costs nearly as much as the steps it saves, and batched
    /// arithmetic can turn a close choice the other way.
    pub speculative: bool,
    /// Show the model the public signatures of the frameworks a document uses (the names
    /// near the cursor), read from the packages installed in its workspace, in
    /// `environments`, and in cargo's registry. `None` (the default): only in prompts for
    /// an adapter whose manifest asks for them (`signatures`, chosen on benches/val); the
    /// base model does worse with them (README, Specialization).
    pub signatures: Option<bool>,
    /// More folders where packages are installed, for environments kept outside the
    /// workspace: a virtual environment, a `site-packages` folder, a folder holding
    /// `node_modules`.
    pub environments: Vec<std::path::PathBuf>,
    /// When a request goes to the larger model of `escalate_to`; `None` = `low-confidence`.
    pub escalate: Option<Escalate>,
    /// The larger model: a model name loaded in-process when first needed, or a model
    /// server. `None`: nothing escalates and no connection is ever opened.
    pub escalate_to: Option<Target>,
    /// Answers less confident than this (0..1) go to the larger model; `None` = the small
    /// model's manifest's `[confidence] escalate_below`, chosen on benches/val.
    pub escalate_below: Option<f32>,
    /// The same for requests at a line's start; `None` = `escalate_below` when that is
    /// set, else the manifest's `escalate_below_line_start`, else its `escalate_below`.
    pub escalate_below_line_start: Option<f32>,
    /// Most memory a larger local model may take, in MB.
    pub escalate_memory_mb: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: None,
            adapter: "auto".into(),
            max_tokens: None,
            threads: None,
            context_tokens: None,
            deadline_ms: None,
            cold_tokens: None,
            min_confidence: 0.0,
            languages: BTreeMap::new(),
            reuse: true,
            speculative: false,
            signatures: None,
            environments: Vec::new(),
            escalate: None,
            escalate_to: None,
            escalate_below: None,
            escalate_below_line_start: None,
            escalate_memory_mb: 2048,
        }
    }
}

/// How much a suggestion may cost: a model's manifest gives its defaults (`[defaults]`),
/// the settings of the same names override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budgets {
    /// Most tokens generated for a single-line suggestion (a block gets twice as many, see
    /// [`Settings::request_budgets`]).
    pub max_tokens: u32,
    /// Tokens of context before (and, for FIM prompts, after) the cursor.
    pub context_tokens: u32,
    /// Milliseconds of generation once the prompt is read (a block gets four times as long).
    pub deadline_ms: u64,
    /// Tokens of context of the short window that answers at a new spot while the full
    /// `context_tokens` are read behind it (0: none; only used when smaller).
    pub cold_tokens: u32,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            max_tokens: 48,
            context_tokens: 512,
            deadline_ms: 250,
            cold_tokens: 0,
        }
    }
}

/// How much text a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// The rest of a line.
    Line,
    /// Several lines (a body under a block opener, or a client's own prompt): twice the
    /// tokens and four times the time of a line.
    Block,
}

/// Limits a client sets on one request (OpenAI's `max_tokens`, Ollama's `num_predict`,
/// llama.cpp's `n_predict` and `t_max_predict_ms`); they can only lower the budgets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    pub max_tokens: Option<u32>,
    pub deadline_ms: Option<u64>,
}

/// A setting with a value nib cannot use.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("setting `{key}`: {problem}")]
pub struct SettingsError {
    pub key: String,
    pub problem: String,
}

/// Settings read from JSON, with warnings for keys nib does not know.
#[derive(Debug, Default)]
pub struct Loaded {
    pub settings: Settings,
    pub warnings: Vec<String>,
}

impl Settings {
    /// The confidence under which a request escalates, given the small model's own
    /// thresholds (its manifest's `[confidence]`) and whether the cursor is at a line's
    /// start: a threshold set here wins over the manifest's.
    pub fn escalate_below(&self, model: &crate::model::Confidence, line_start: bool) -> f32 {
        let general = self.escalate_below;
        if line_start {
            self.escalate_below_line_start
                .or(general)
                .or(model.escalate_below_line_start)
                .unwrap_or(model.escalate_below)
        } else {
            general.unwrap_or(model.escalate_below)
        }
    }

    /// Reads settings over the defaults. `null` or a missing object gives the defaults.
    pub fn from_json(value: &Value) -> Result<Loaded, SettingsError> {
        let mut loaded = Loaded::default();
        let Some(map) = value.as_object() else {
            if value.is_null() {
                return Ok(loaded);
            }
            return Err(error("nib", "expected an object of settings"));
        };
        let s = &mut loaded.settings;
        for (key, v) in map {
            match key.as_str() {
                "model" => s.model = optional_string(key, v)?,
                "adapter" => s.adapter = optional_string(key, v)?.unwrap_or_else(|| "auto".into()),
                "max_tokens" | "maxTokens" => {
                    s.max_tokens = optional_u64(key, v, 1, 512)?.map(|n| n as u32)
                }
                "threads" => s.threads = optional_u64(key, v, 1, 256)?.map(|n| n as u32),
                "context_tokens" | "contextTokens" => {
                    s.context_tokens = optional_u64(key, v, 64, 32_768)?.map(|n| n as u32)
                }
                "deadline_ms" | "deadlineMs" => s.deadline_ms = optional_u64(key, v, 10, 60_000)?,
                "cold_tokens" | "coldTokens" => {
                    s.cold_tokens = optional_u64(key, v, 0, 32_768)?.map(|n| n as u32)
                }
                "min_confidence" | "minConfidence" => s.min_confidence = fraction(key, v)?,
                "escalate_below" | "escalateBelow" => s.escalate_below = optional_fraction(key, v)?,
                "escalate_below_line_start" | "escalateBelowLineStart" => {
                    s.escalate_below_line_start = optional_fraction(key, v)?
                }
                "languages" => s.languages = language_switches(key, v)?,
                "reuse" => s.reuse = boolean(key, v)?,
                "speculative" => s.speculative = boolean(key, v)?,
                "signatures" => s.signatures = optional_boolean(key, v)?,
                "environments" => s.environments = folders(key, v)?,
                "escalate" => s.escalate = Escalate::from_json(key, v)?,
                "escalate_to" | "escalateTo" => s.escalate_to = Target::from_json(key, v)?,
                "escalate_memory_mb" | "escalateMemoryMb" => {
                    s.escalate_memory_mb = ranged(key, v, 64, 1 << 20)?
                }
                _ => loaded
                    .warnings
                    .push(format!("unknown setting `{key}` ignored")),
            }
        }
        Ok(loaded)
    }

    /// What one request may spend: the model's budgets under these settings, scaled for
    /// `extent`, then lowered to the client's `caps` (which can only lower them). The one
    /// place this rule is written.
    pub fn request_budgets(&self, model: &Budgets, extent: Extent, caps: Caps) -> Budgets {
        let line = Budgets {
            max_tokens: self.max_tokens.unwrap_or(model.max_tokens),
            context_tokens: self.context_tokens.unwrap_or(model.context_tokens),
            deadline_ms: self.deadline_ms.unwrap_or(model.deadline_ms),
            cold_tokens: self.cold_tokens.unwrap_or(model.cold_tokens),
        };
        let scaled = match extent {
            Extent::Line => line,
            Extent::Block => Budgets {
                max_tokens: line.max_tokens * 2,
                deadline_ms: line.deadline_ms * 4,
                ..line
            },
        };
        Budgets {
            max_tokens: caps
                .max_tokens
                .map_or(scaled.max_tokens, |m| m.clamp(1, scaled.max_tokens)),
            deadline_ms: caps
                .deadline_ms
                .map_or(scaled.deadline_ms, |d| d.min(scaled.deadline_ms)),
            ..scaled
        }
    }

    /// Whether nib completes documents of this language id (unknown ids are on).
    pub fn language_enabled(&self, language: &str) -> bool {
        self.languages.get(language).copied().unwrap_or(true)
    }
}

/// The error for setting `key` (a dotted path for a nested one).
pub(crate) fn error(key: &str, problem: &str) -> SettingsError {
    SettingsError {
        key: key.to_string(),
        problem: problem.to_string(),
    }
}

fn optional_string(key: &str, v: &Value) -> Result<Option<String>, SettingsError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(error(key, "expected a string")),
    }
}

fn fraction(key: &str, v: &Value) -> Result<f32, SettingsError> {
    v.as_f64()
        .filter(|n| (0.0..=1.0).contains(n))
        .map(|n| n as f32)
        .ok_or_else(|| error(key, "expected a number from 0 to 1"))
}

/// A fraction, or `None` for `null` (the default).
fn optional_fraction(key: &str, v: &Value) -> Result<Option<f32>, SettingsError> {
    (!v.is_null()).then(|| fraction(key, v)).transpose()
}

/// A list of folder paths (a single path is a list of one).
fn folders(key: &str, v: &Value) -> Result<Vec<std::path::PathBuf>, SettingsError> {
    let one = |v: &Value| {
        v.as_str()
            .filter(|p| !p.trim().is_empty())
            .map(std::path::PathBuf::from)
            .ok_or_else(|| error(key, "expected a folder path or a list of them"))
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|p| vec![p]),
    }
}

fn boolean(key: &str, v: &Value) -> Result<bool, SettingsError> {
    v.as_bool()
        .ok_or_else(|| error(key, "expected true or false"))
}

fn optional_boolean(key: &str, v: &Value) -> Result<Option<bool>, SettingsError> {
    (!v.is_null()).then(|| boolean(key, v)).transpose()
}

fn ranged(key: &str, v: &Value, min: u64, max: u64) -> Result<u64, SettingsError> {
    v.as_u64()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| error(key, &format!("expected a whole number from {min} to {max}")))
}

fn optional_u64(key: &str, v: &Value, min: u64, max: u64) -> Result<Option<u64>, SettingsError> {
    if v.is_null() {
        return Ok(None);
    }
    ranged(key, v, min, max).map(Some)
}

fn language_switches(key: &str, v: &Value) -> Result<BTreeMap<String, bool>, SettingsError> {
    let map = v
        .as_object()
        .ok_or_else(|| error(key, "expected an object like {\"python\": false}"))?;
    map.iter()
        .map(|(lang, on)| {
            on.as_bool()
                .map(|on| (lang.clone(), on))
                .ok_or_else(|| error(&format!("{key}.{lang}"), "expected true or false"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_gives_defaults() {
        let loaded = Settings::from_json(&Value::Null).unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn reads_known_keys_in_both_spellings() {
        let loaded = Settings::from_json(&json!({
            "model": "/models/x.gguf",
            "maxTokens": 16,
            "threads": 2,
            "context_tokens": 512,
            "languages": {"python": false},
            "speculative": true
        }))
        .unwrap();
        let s = loaded.settings;
        assert_eq!(s.model.as_deref(), Some("/models/x.gguf"));
        assert_eq!(s.max_tokens, Some(16));
        assert_eq!(s.threads, Some(2));
        assert_eq!(s.context_tokens, Some(512));
        assert!(s.speculative);
        assert!(!s.language_enabled("python"));
        assert!(s.language_enabled("rust"));
    }

    #[test]
    fn environments_are_a_folder_or_a_list_of_them() {
        let read = |v| Settings::from_json(&json!({ "environments": v, "signatures": true }));
        let s = read(json!("/envs/app")).unwrap().settings;
        assert_eq!(s.environments, vec![std::path::PathBuf::from("/envs/app")]);
        assert_eq!(s.signatures, Some(true));
        let s = read(json!(["/a/.venv", "/b"])).unwrap().settings;
        assert_eq!(s.environments.len(), 2);
        assert_eq!(read(json!(null)).unwrap().settings.environments.len(), 0);
        let e = read(json!([3])).unwrap_err();
        assert_eq!(e.key, "environments");
        assert!(read(json!("")).is_err());
        assert_eq!(Settings::default().signatures, None);
        let off = Settings::from_json(&json!({ "signatures": false })).unwrap();
        assert_eq!(off.settings.signatures, Some(false));
        let unset = Settings::from_json(&json!({ "signatures": null })).unwrap();
        assert_eq!(unset.settings.signatures, None);
        assert!(Settings::from_json(&json!({ "signatures": "yes" })).is_err());
    }

    #[test]
    fn budgets_come_from_the_model_unless_set() {
        let model = Budgets {
            max_tokens: 64,
            context_tokens: 1024,
            deadline_ms: 900,
            cold_tokens: 256,
        };
        let line = |s: &Settings| s.request_budgets(&model, Extent::Line, Caps::default());
        assert_eq!(line(&Settings::default()), model);
        let s =
            Settings::from_json(&json!({"deadlineMs": 100, "max_tokens": null, "coldTokens": 0}))
                .unwrap()
                .settings;
        assert_eq!(
            line(&s),
            Budgets {
                deadline_ms: 100,
                cold_tokens: 0,
                ..model
            }
        );
    }

    #[test]
    fn escalation_thresholds_come_from_the_model_unless_set() {
        let model = crate::model::Confidence {
            escalate_below: 0.7,
            escalate_below_line_start: Some(0.9),
            ..Default::default()
        };
        let read = |v| Settings::from_json(&v).unwrap().settings;
        let below = |s: &Settings| {
            (
                s.escalate_below(&model, false),
                s.escalate_below(&model, true),
            )
        };
        assert_eq!(below(&read(json!({}))), (0.7, 0.9));
        // One threshold set by the user governs every request...
        assert_eq!(below(&read(json!({"escalate_below": 0.5}))), (0.5, 0.5));
        // ...unless a line's start has its own.
        let both = read(json!({"escalateBelow": 0.5, "escalateBelowLineStart": 0.8}));
        assert_eq!(below(&both), (0.5, 0.8));
        assert_eq!(
            below(&read(json!({"escalate_below_line_start": 0.6}))),
            (0.7, 0.6)
        );
        // A model without a line-start threshold uses its one threshold there.
        let plain = crate::model::Confidence {
            escalate_below_line_start: None,
            ..model
        };
        assert_eq!(read(json!({})).escalate_below(&plain, true), 0.7);
        assert!(Settings::from_json(&json!({"escalate_below_line_start": 2})).is_err());
    }

    #[test]
    fn a_block_gets_more_and_a_client_cap_only_lowers_it() {
        let model = Budgets {
            max_tokens: 48,
            context_tokens: 1024,
            deadline_ms: 600,
            cold_tokens: 256,
        };
        let s = Settings::default();
        let block = s.request_budgets(&model, Extent::Block, Caps::default());
        assert_eq!((block.max_tokens, block.deadline_ms), (96, 2400));
        // A cap under the block's budget lowers it; one above it changes nothing.
        let caps = Caps {
            max_tokens: Some(64),
            deadline_ms: Some(1000),
        };
        let capped = s.request_budgets(&model, Extent::Block, caps);
        assert_eq!((capped.max_tokens, capped.deadline_ms), (64, 1000));
        let generous = Caps {
            max_tokens: Some(4096),
            deadline_ms: Some(60_000),
        };
        assert_eq!(s.request_budgets(&model, Extent::Block, generous), block);
        assert_eq!(
            s.request_budgets(&model, Extent::Line, generous),
            model,
            "a line's budget is not raised to a client's cap either"
        );
        assert_eq!(capped.context_tokens, 1024);
    }

    #[test]
    fn unknown_key_warns_and_bad_value_names_the_key() {
        let loaded = Settings::from_json(&json!({"colour": "blue"})).unwrap();
        assert_eq!(loaded.warnings, ["unknown setting `colour` ignored"]);

        let err = Settings::from_json(&json!({"max_tokens": "lots"})).unwrap_err();
        assert_eq!(err.key, "max_tokens");
        assert!(err.to_string().contains("whole number from 1 to 512"));

        let err = Settings::from_json(&json!({"languages": {"go": 1}})).unwrap_err();
        assert_eq!(err.key, "languages.go");
    }
}
