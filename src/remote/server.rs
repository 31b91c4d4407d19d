//! A model server as the larger model: the three wire shapes, and a client that gives up
//! on a server that is down for a while instead of trying it on every keystroke.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Api, ServerTarget};

/// What the larger model is asked: the context the small model saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// The whole prompt in the model family's FIM layout (OpenAI and Ollama shapes).
    pub prompt: String,
    /// The code before the cursor as the prompt shows it (imports and scopes, then the
    /// window before the cursor), for `/infill`.
    pub prefix: String,
    /// The code after the cursor as the prompt shows it, for `/infill`.
    pub suffix: String,
    /// Other files' snippets (file name, text), for `/infill`'s `input_extra`.
    pub extra: Vec<(String, String)>,
    pub max_tokens: u32,
    /// Where the answer ends (the model's stop strings; a line break for one line).
    pub stop: Vec<String>,
}

/// Why a server gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RemoteError {
    /// It failed recently and is left alone until `retry_in` has passed.
    #[error("the server failed {failures} time(s) in a row; trying again in {retry_in:?}")]
    Resting { failures: u32, retry_in: Duration },
    #[error("{0}")]
    Failed(String),
}

/// The path and JSON body of a request in `target`'s shape.
pub fn request(target: &ServerTarget, ask: &Ask) -> (&'static str, Value) {
    match target.api {
        Api::OpenAi => (
            "/v1/completions",
            json!({
                "model": target.model,
                "prompt": ask.prompt,
                "max_tokens": ask.max_tokens,
                "temperature": 0.0,
                "stop": ask.stop,
                "stream": false,
            }),
        ),
        Api::LlamaServer => {
            let extra: Vec<Value> = ask
                .extra
                .iter()
                .map(|(filename, text)| json!({"filename": filename, "text": text}))
                .collect();
            (
                "/infill",
                json!({
                    "input_prefix": ask.prefix,
                    "input_suffix": ask.suffix,
                    "input_extra": extra,
                    "prompt": "",
                    "n_predict": ask.max_tokens,
                    "temperature": 0.0,
                    "top_k": 1,
                    "stop": ask.stop,
                    "cache_prompt": true,
                    "stream": false,
                }),
            )
        }
        Api::Ollama => (
            "/api/generate",
            json!({
                "model": target.model,
                "prompt": ask.prompt,
                "raw": true,
                "stream": false,
                "options": {
                    "temperature": 0.0,
                    "num_predict": ask.max_tokens,
                    "stop": ask.stop,
                },
            }),
        ),
    }
}

/// The generated text of a server's answer.
pub fn answer(api: Api, body: &Value) -> Result<String, RemoteError> {
    let text = match api {
        Api::OpenAi => body.pointer("/choices/0/text"),
        Api::LlamaServer => body.get("content"),
        Api::Ollama => body.get("response"),
    };
    match text.and_then(Value::as_str) {
        Some(text) => Ok(text.to_string()),
        None => {
            let error = body
                .get("error")
                .map(|e| e.get("message").unwrap_or(e).to_string());
            Err(RemoteError::Failed(match error {
                Some(e) => format!("the server answered with an error: {e}"),
                None => "the server's answer has no generated text".into(),
            }))
        }
    }
}

/// Longest wait before a failed server is tried again.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The wait after the first failure; it doubles with each one after.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// How a server has been doing.
#[derive(Debug, Default)]
struct Health {
    failures: u32,
    retry_at: Option<Instant>,
}

/// A configured server and what nib knows of its health.
pub struct Server {
    pub target: ServerTarget,
    agent: ureq::Agent,
    health: Mutex<Health>,
    /// The target's tokenizer, read when first needed (or why it could not be).
    tokenizer: OnceLock<Result<Arc<Tokenizer>, String>>,
}

/// Counts tokens as a server's model does, from its `tokenizer.json` or from the
/// vocabulary and merges of its GGUF file.
pub struct Tokenizer(tokenizers::Tokenizer);

impl Tokenizer {
    pub fn from_file(path: &Path) -> Result<Tokenizer, String> {
        let gguf = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gguf"));
        let tokenizer = if gguf {
            crate::model::gguf::read_header(path)
                .map_err(|e| e.to_string())
                .and_then(|header| crate::model::gguf::bpe_tokenizer(&header))
        } else {
            tokenizers::Tokenizer::from_file(path).map_err(|e| e.to_string())
        };
        tokenizer
            .map(Tokenizer)
            .map_err(|e| format!("cannot read the tokenizer {}: {e}", path.display()))
    }

    /// Tokens of `text`, without the special tokens a model adds around a prompt; a text
    /// the tokenizer fails on is estimated at one token per three bytes.
    pub fn count(&self, text: &str) -> usize {
        self.0
            .encode_fast(text, false)
            .map_or(text.len() / 3, |e| e.len())
    }
}

impl Server {
    pub fn new(target: ServerTarget) -> Arc<Server> {
        let agent = ureq::Agent::config_builder()
            .user_agent(concat!("nib/", env!("CARGO_PKG_VERSION")))
            .timeout_global(Some(Duration::from_millis(target.timeout_ms)))
            .http_status_as_error(false)
            .build()
            .into();
        Arc::new(Server {
            target,
            agent,
            health: Mutex::new(Health::default()),
            tokenizer: OnceLock::new(),
        })
    }

    /// The tokenizer of the target's `tokenizer` setting, `None` without one. It is read
    /// once, on a blocking thread (a tokenizer.json is megabytes).
    pub async fn tokenizer(&self) -> Result<Option<Arc<Tokenizer>>, String> {
        let Some(path) = self.target.tokenizer.clone() else {
            return Ok(None);
        };
        if let Some(loaded) = self.tokenizer.get() {
            return loaded.clone().map(Some);
        }
        let loaded = tokio::task::spawn_blocking(move || Tokenizer::from_file(&path).map(Arc::new))
            .await
            .unwrap_or_else(|e| Err(format!("reading the tokenizer failed: {e}")));
        if let Err(e) = &loaded {
            tracing::warn!("escalation: {e}");
        }
        self.tokenizer.get_or_init(|| loaded).clone().map(Some)
    }

    /// The larger model's answer, within the target's `timeout_ms`. A server that failed
    /// is not asked again until its backoff has passed (1 s, doubling up to a minute).
    pub async fn ask(self: &Arc<Self>, ask: Ask) -> Result<String, RemoteError> {
        {
            let health = self.health.lock().unwrap();
            if let Some(at) = health.retry_at
                && let Some(retry_in) = at.checked_duration_since(Instant::now())
            {
                return Err(RemoteError::Resting {
                    failures: health.failures,
                    retry_in,
                });
            }
        }
        let server = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || server.call(&ask))
            .await
            .unwrap_or_else(|e| Err(RemoteError::Failed(format!("the request failed: {e}"))));
        let mut health = self.health.lock().unwrap();
        match &result {
            Ok(_) => *health = Health::default(),
            Err(e) => {
                health.failures += 1;
                let wait = FIRST_BACKOFF
                    .saturating_mul(1 << (health.failures - 1).min(6))
                    .min(MAX_BACKOFF);
                health.retry_at = Some(Instant::now() + wait);
                tracing::warn!(
                    "escalation to {} failed ({e}); not asked again for {wait:?}",
                    self.target.url
                );
            }
        }
        result
    }

    fn call(&self, ask: &Ask) -> Result<String, RemoteError> {
        let (path, body) = request(&self.target, ask);
        let url = format!("{}{path}", self.target.url);
        let mut call = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if let Some(var) = &self.target.api_key_env {
            let key = std::env::var(var).map_err(|_| {
                RemoteError::Failed(format!("the environment variable {var} is not set"))
            })?;
            call = call.header("Authorization", &format!("Bearer {key}"));
        }
        let failed = |e: &dyn std::fmt::Display| RemoteError::Failed(format!("{url}: {e}"));
        let mut response = call.send(body.to_string()).map_err(|e| failed(&e))?;
        let status = response.status();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| failed(&e))?;
        if !status.is_success() {
            let text: String = text.chars().take(200).collect();
            return Err(failed(&format!("HTTP {status}: {text}")));
        }
        let json: Value = serde_json::from_str(&text).map_err(|e| failed(&e))?;
        answer(self.target.api, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(api: Api) -> ServerTarget {
        ServerTarget {
            url: "http://127.0.0.1:1".into(),
            model: Some("qwen2.5-coder:1.5b".into()),
            api,
            api_key_env: None,
            timeout_ms: 500,
            context_tokens: None,
            tokenizer: None,
        }
    }

    fn ask() -> Ask {
        Ask {
            prompt: "<|fim_prefix|>def f(x):\n    return <|fim_suffix|>\n<|fim_middle|>".into(),
            prefix: "def f(x):\n    return ".into(),
            suffix: "\n".into(),
            extra: vec![("util.py".into(), "def g(y): ...\n".into())],
            max_tokens: 32,
            stop: vec!["\n".into()],
        }
    }

    #[test]
    fn requests_take_each_servers_shape() {
        let (path, body) = request(&target(Api::OpenAi), &ask());
        assert_eq!(path, "/v1/completions");
        assert_eq!(body["prompt"], ask().prompt);
        assert_eq!(body["model"], "qwen2.5-coder:1.5b");
        assert_eq!(body["max_tokens"], 32);

        let (path, body) = request(&target(Api::LlamaServer), &ask());
        assert_eq!(path, "/infill");
        assert_eq!(body["input_prefix"], "def f(x):\n    return ");
        assert_eq!(body["input_suffix"], "\n");
        assert_eq!(body["input_extra"][0]["filename"], "util.py");
        assert_eq!(body["n_predict"], 32);
        assert_eq!(body["cache_prompt"], true);

        // Ollama's documented request: the prompt as it is (`raw`), no streaming, the
        // limits among the options.
        let (path, body) = request(&target(Api::Ollama), &ask());
        assert_eq!(path, "/api/generate");
        assert_eq!(body["raw"], true);
        assert_eq!(body["stream"], false);
        assert_eq!(body["options"]["num_predict"], 32);
        assert_eq!(body["options"]["stop"][0], "\n");
    }

    #[test]
    fn answers_are_read_from_each_servers_shape() {
        // Ollama's documented answer to a non-streamed /api/generate.
        let ollama = json!({
            "model": "qwen2.5-coder:1.5b",
            "created_at": "2023-08-04T19:22:45.499127Z",
            "response": "x * 2",
            "done": true,
            "done_reason": "stop",
            "total_duration": 10706818083u64,
            "eval_count": 4
        });
        assert_eq!(answer(Api::Ollama, &ollama), Ok("x * 2".into()));
        let openai = json!({"object": "text_completion", "choices": [{"index": 0, "text": "x * 2", "finish_reason": "stop"}]});
        assert_eq!(answer(Api::OpenAi, &openai), Ok("x * 2".into()));
        let infill = json!({"content": "x * 2", "stop": true, "tokens_predicted": 4});
        assert_eq!(answer(Api::LlamaServer, &infill), Ok("x * 2".into()));
        let error = json!({"error": {"code": 400, "message": "model not found"}});
        assert!(
            answer(Api::Ollama, &error)
                .unwrap_err()
                .to_string()
                .contains("model not found")
        );
    }

    #[tokio::test]
    async fn a_server_that_is_down_is_tried_once_then_left_to_rest() {
        // Nothing listens on port 1 of loopback: the connection is refused at once.
        let server = Server::new(target(Api::LlamaServer));
        let first = server.ask(ask()).await.unwrap_err();
        assert!(matches!(first, RemoteError::Failed(_)), "{first}");
        for _ in 0..10 {
            let next = server.ask(ask()).await.unwrap_err();
            assert!(
                matches!(next, RemoteError::Resting { failures: 1, .. }),
                "{next}"
            );
        }
    }
}
