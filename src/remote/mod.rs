//! Escalation: where a request goes when the small model is unsure. Either a larger model
//! of the same family loaded in-process when first needed ([`local`]), or a model server a
//! team already runs ([`server`]): llama.cpp's llama-server (`/infill`), an OpenAI-shaped
//! server such as vLLM (`/v1/completions`), or Ollama (`/api/generate`).
//!
//! Nothing here opens a connection unless the user set `escalate_to`.

pub mod local;
pub mod server;

use serde_json::Value;

use crate::config::{SettingsError, error as problem};

/// When a request goes to the larger model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalate {
    Never,
    /// When the small model's answer is less confident than its manifest's
    /// `[confidence] escalate_below`, or when it has none to show.
    LowConfidence,
    Always,
}

/// Where escalated requests go.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A model manifest name (or a `.gguf` path), loaded in-process when first needed.
    Local(LocalTarget),
    Server(ServerTarget),
}

/// A larger model of the small one's family, run in this process.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTarget {
    pub model: String,
    /// How long an answer may take before the small model's is shown instead.
    pub timeout_ms: u64,
    /// Its own context budget in tokens; `None`: the small model's context.
    pub context_tokens: Option<u32>,
}

/// The wire shape a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `POST /v1/completions` with the FIM-formatted prompt (vLLM, llama-server, LM Studio).
    OpenAi,
    /// llama.cpp's `POST /infill`: the code around the cursor and chunks of other files.
    LlamaServer,
    /// Ollama's `POST /api/generate` with the FIM-formatted prompt, `raw`.
    Ollama,
}

/// A model server and how to talk to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerTarget {
    /// Where it listens, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The model name the server knows (OpenAI's and Ollama's `model`).
    pub model: Option<String>,
    pub api: Api,
    /// The environment variable holding a bearer token, when the server wants one.
    pub api_key_env: Option<String>,
    /// How long an answer may take before the small model's is shown instead.
    pub timeout_ms: u64,
    /// The prompt's budget in the server model's tokens; `None`: the small model's.
    pub context_tokens: Option<u32>,
    /// The server model's `tokenizer.json`, or its GGUF file (a byte-level BPE
    /// vocabulary and its merges), to count that budget in its own tokens; `None`:
    /// counted with the small model's tokenizer (right for the same family).
    pub tokenizer: Option<std::path::PathBuf>,
}

/// Default time a larger model's answer may take.
pub const DEFAULT_TIMEOUT_MS: u64 = 1500;

impl Escalate {
    pub fn from_json(key: &str, v: &Value) -> Result<Option<Escalate>, SettingsError> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s == "never" => Ok(Some(Escalate::Never)),
            Value::String(s) if s == "low-confidence" => Ok(Some(Escalate::LowConfidence)),
            Value::String(s) if s == "always" => Ok(Some(Escalate::Always)),
            _ => Err(problem(
                key,
                "expected \"never\", \"low-confidence\" or \"always\"",
            )),
        }
    }
}

impl Target {
    /// `"qwen2.5-coder-1.5b-code"` or `{"model": ..., "timeout_ms": ...}` for a local
    /// model; `{"url": ..., "model": ..., "api": ..., "api_key_env": ..., "timeout_ms":
    /// ...}` for a server; `null` or `""` for none.
    pub fn from_json(key: &str, v: &Value) -> Result<Option<Target>, SettingsError> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => Ok(Some(Target::Local(LocalTarget {
                model: s.trim().to_string(),
                timeout_ms: DEFAULT_TIMEOUT_MS,
                context_tokens: None,
            }))),
            Value::Object(map) => {
                let text = |field: &str| -> Result<Option<String>, SettingsError> {
                    match map.get(field) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) if !s.trim().is_empty() => {
                            Ok(Some(s.trim().to_string()))
                        }
                        Some(_) => Err(problem(&format!("{key}.{field}"), "expected a string")),
                    }
                };
                let whole =
                    |field: &str, least: u64, most: u64| -> Result<Option<u64>, SettingsError> {
                        match map.get(field) {
                            None | Some(Value::Null) => Ok(None),
                            Some(v) => v
                                .as_u64()
                                .filter(|n| (least..=most).contains(n))
                                .map(Some)
                                .ok_or_else(|| {
                                    problem(
                                        &format!("{key}.{field}"),
                                        &format!("expected a whole number from {least} to {most}"),
                                    )
                                }),
                        }
                    };
                const FIELDS: [&str; 7] = [
                    "url",
                    "model",
                    "api",
                    "api_key_env",
                    "timeout_ms",
                    "context_tokens",
                    "tokenizer",
                ];
                for field in map.keys() {
                    if !FIELDS.contains(&field.as_str()) {
                        return Err(problem(
                            &format!("{key}.{field}"),
                            &format!("unknown field (expected {})", FIELDS.join(", ")),
                        ));
                    }
                }
                let timeout_ms = whole("timeout_ms", 50, 60_000)?.unwrap_or(DEFAULT_TIMEOUT_MS);
                let context_tokens = whole("context_tokens", 64, 131_072)?.map(|n| n as u32);
                let Some(url) = text("url")? else {
                    let model = text("model")?.ok_or_else(|| {
                        problem(key, "expected a \"model\" to load or a server's \"url\"")
                    })?;
                    if ["api", "api_key_env", "tokenizer"]
                        .iter()
                        .any(|f| map.contains_key(*f))
                    {
                        return Err(problem(&format!("{key}.url"), "a server needs a url"));
                    }
                    return Ok(Some(Target::Local(LocalTarget {
                        model,
                        timeout_ms,
                        context_tokens,
                    })));
                };
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(problem(
                        &format!("{key}.url"),
                        "expected an http:// or https:// address",
                    ));
                }
                let api = match text("api")?.as_deref() {
                    None | Some("openai") => Api::OpenAi,
                    Some("llama-server") => Api::LlamaServer,
                    Some("ollama") => Api::Ollama,
                    Some(_) => {
                        return Err(problem(
                            &format!("{key}.api"),
                            "expected \"openai\", \"llama-server\" or \"ollama\"",
                        ));
                    }
                };
                let model = text("model")?;
                if model.is_none() && api != Api::LlamaServer {
                    return Err(problem(
                        &format!("{key}.model"),
                        "this api needs the model's name on the server",
                    ));
                }
                Ok(Some(Target::Server(ServerTarget {
                    url: url.trim_end_matches('/').to_string(),
                    model,
                    api,
                    api_key_env: text("api_key_env")?,
                    timeout_ms,
                    context_tokens,
                    tokenizer: text("tokenizer")?.map(Into::into),
                })))
            }
            _ => Err(problem(
                key,
                "expected a model name or a server {\"url\": ..., \"api\": ...}",
            )),
        }
    }
}

/// Whether a request goes to the larger model: never without a target; with one, as the
/// policy says (`low-confidence` unless set), given the small model's answer (`None` when
/// it has nothing to show) and the confidence below which it escalates.
pub fn should_escalate(
    policy: Option<Escalate>,
    has_target: bool,
    answer: Option<f32>,
    escalate_below: f32,
) -> bool {
    if !has_target {
        return false;
    }
    match policy.unwrap_or(Escalate::LowConfidence) {
        Escalate::Never => false,
        Escalate::Always => true,
        Escalate::LowConfidence => answer.is_none_or(|confidence| confidence < escalate_below),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_read_from_settings() {
        assert_eq!(Target::from_json("t", &json!(null)), Ok(None));
        assert_eq!(
            Target::from_json("t", &json!("qwen2.5-coder-1.5b-code")),
            Ok(Some(Target::Local(LocalTarget {
                model: "qwen2.5-coder-1.5b-code".into(),
                timeout_ms: DEFAULT_TIMEOUT_MS,
                context_tokens: None,
            })))
        );
        assert_eq!(
            Target::from_json("t", &json!({"model": "m", "timeout_ms": 4000})),
            Ok(Some(Target::Local(LocalTarget {
                model: "m".into(),
                timeout_ms: 4000,
                context_tokens: None,
            })))
        );
        assert_eq!(
            Target::from_json("t", &json!({"model": "m", "context_tokens": 512})),
            Ok(Some(Target::Local(LocalTarget {
                model: "m".into(),
                timeout_ms: DEFAULT_TIMEOUT_MS,
                context_tokens: Some(512),
            })))
        );
        let server = Target::from_json(
            "t",
            &json!({"url": "http://127.0.0.1:8080/", "api": "llama-server",
                    "context_tokens": 4096, "tokenizer": "/models/tokenizer.json"}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            server,
            Target::Server(ServerTarget {
                url: "http://127.0.0.1:8080".into(),
                model: None,
                api: Api::LlamaServer,
                api_key_env: None,
                timeout_ms: DEFAULT_TIMEOUT_MS,
                context_tokens: Some(4096),
                tokenizer: Some("/models/tokenizer.json".into()),
            })
        );
        let bad = [
            (json!({"model": "m", "tokenizer": "/t.json"}), "t.url"),
            (
                json!({"model": "m", "context_tokens": 8}),
                "t.context_tokens",
            ),
            (
                json!({"url": "http://x", "model": "m", "context_tokens": 10}),
                "t.context_tokens",
            ),
            (
                json!({"url": "http://x", "model": "m", "tokenizer": 1}),
                "t.tokenizer",
            ),
            (json!({"api": "openai", "model": "m"}), "t.url"),
            (json!({"timeout_ms": 100}), "t"),
            (json!({"url": "127.0.0.1:8080", "model": "m"}), "t.url"),
            (json!({"url": "http://x", "api": "grpc"}), "t.api"),
            (json!({"url": "http://x", "api": "ollama"}), "t.model"),
            (
                json!({"url": "http://x", "model": "m", "timeout_ms": 5}),
                "t.timeout_ms",
            ),
            (
                json!({"url": "http://x", "model": "m", "key": "k"}),
                "t.key",
            ),
            (json!(3), "t"),
        ];
        for (value, key) in bad {
            assert_eq!(
                Target::from_json("t", &value).unwrap_err().key,
                key,
                "{value}"
            );
        }
    }

    #[test]
    fn escalation_follows_the_policy_and_the_confidence() {
        use Escalate::*;
        // No target: nothing escalates, whatever the policy.
        assert!(!should_escalate(Some(Always), false, None, 0.5));
        assert!(should_escalate(None, true, Some(0.3), 0.5));
        assert!(!should_escalate(None, true, Some(0.7), 0.5));
        assert!(should_escalate(None, true, None, 0.5), "nothing to show");
        assert!(should_escalate(Some(Always), true, Some(0.99), 0.5));
        assert!(!should_escalate(Some(Never), true, None, 0.5));
        assert_eq!(Escalate::from_json("e", &json!("always")), Ok(Some(Always)));
        assert!(Escalate::from_json("e", &json!("sometimes")).is_err());
    }
}
