//! llama.cpp server's `POST /infill` and `GET /health`, for llama.vim and llama.vscode.
//!
//! Unlike the OpenAI and Ollama routes, `/infill` sends the code around the cursor and
//! chunks of other files, not a prompt: nib builds its own context from them (the
//! definitions in the chunks of the names near the cursor) and post-processes the answer
//! as it does for editors.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI32, Ordering};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use std::sync::Arc;

use super::Shared;
use super::routes::{client_key, ready};
use super::wire::{Api, ApiError, outcome, parse};
use crate::completion::{Request, Suggestion};
use crate::config::Caps;
use crate::document::{Document, Snapshot};
use crate::engine::Finish;
use crate::language::{Language, LanguageRegistry};

/// Most `/infill` texts kept as documents (clients' current files and their chunks' files).
const MAX_BUFFERS: usize = 64;

/// The texts `/infill` clients send, kept as documents between requests: a keystroke
/// updates a document by the part that changed, and its tree is parsed incrementally,
/// instead of the whole text being parsed again.
#[derive(Default)]
pub(super) struct Buffers {
    /// Per client and file name: when it was last used, and the document.
    documents: dashmap::DashMap<String, (i32, Document)>,
    /// Counts uses; also each new text's version, unique across buffers.
    clock: AtomicI32,
}

impl Buffers {
    /// A snapshot of the document kept under `key`, made to hold `text`.
    fn snapshot(&self, key: &str, text: &str, language: Option<Arc<Language>>) -> Snapshot {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let id = |l: Option<&Arc<Language>>| l.map(|l| l.id.clone());
        if let Some(mut entry) = self.documents.get_mut(key)
            && id(entry.1.language()) == id(language.as_ref())
        {
            entry.0 = tick;
            entry.1.update_to(text, tick);
            return entry.1.snapshot();
        }
        let document = Document::open(text, tick, language);
        let snapshot = document.snapshot();
        self.documents.insert(key.to_string(), (tick, document));
        if self.documents.len() > MAX_BUFFERS {
            let oldest = self
                .documents
                .iter()
                .min_by_key(|entry| entry.value().0)
                .map(|entry| entry.key().clone());
            if let Some(oldest) = oldest {
                self.documents.remove(&oldest);
            }
        }
        snapshot
    }
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    input_prefix: String,
    #[serde(default)]
    input_suffix: String,
    #[serde(default)]
    input_extra: Vec<Extra>,
    /// The start of the current line, up to the cursor.
    #[serde(default)]
    prompt: String,
    /// Most tokens to generate; 0 asks only to read the context (llama.vim's cache warming).
    #[serde(default)]
    n_predict: Option<i64>,
    #[serde(default)]
    t_max_predict_ms: Option<u64>,
    /// Which fields of the answer to send, as `a/b` paths; the answer is then flat.
    #[serde(default)]
    response_fields: Option<Vec<String>>,
    #[serde(default)]
    stream: bool,
    /// The file being edited (not in llama.cpp's API; a client may send it so that nib
    /// knows the language).
    #[serde(default)]
    filename: Option<String>,
}

/// A chunk of another file (llama.vim's ring buffer of recently seen code).
#[derive(Deserialize)]
struct Extra {
    #[serde(default)]
    filename: String,
    #[serde(default)]
    text: String,
}

pub async fn infill(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<super::guard::Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: Body = parse(Api::Llama, &body)?;
    ready(&state, Api::Llama)?;
    if body.stream {
        return Err(ApiError::bad_request(
            Api::Llama,
            "field `stream`: nib answers /infill in one piece; send false",
        ));
    }
    let fields = body.response_fields.as_deref();
    if body.n_predict == Some(0) {
        // Reading ahead is nib's own business (it keeps every prompt's cache): nothing to do.
        return Ok(Json(select(answer(&state, None, 0), fields)).into_response());
    }
    let client = client_key("infill", peer, &headers);
    let text = format!("{}{}{}", body.input_prefix, body.prompt, body.input_suffix);
    let cursor = body.input_prefix.len() + body.prompt.len();
    let language = body
        .filename
        .as_deref()
        .and_then(|name| LanguageRegistry::builtin().detect(None, name));
    let caps = Caps {
        max_tokens: body
            .n_predict
            .filter(|&n| n > 0)
            .map(|n| n.min(i64::from(u32::MAX)) as u32),
        deadline_ms: body.t_max_predict_ms.filter(|&ms| ms > 0),
    };
    let key = format!("{client}\n{}", body.filename.as_deref().unwrap_or(""));
    let uri = format!("nib-http://client/{}", hash(&key));
    let document = state.buffers.snapshot(&key, &text, language);
    let others = others(&state.buffers, &client, &body.input_extra);
    let completer = Arc::clone(&state.completer);
    let result = state
        .requests
        .run(client, move |cancel| async move {
            let request = Request {
                uri,
                document,
                others,
                cursor,
                cancel,
                caps,
            };
            completer.complete(request).await
        })
        .await;
    let answered = outcome(Api::Llama, result)?;
    let suggestion = answered.as_ref().and_then(Option::as_ref);
    let mut value = answer(&state, suggestion, body.n_predict.unwrap_or(-1));
    if answered.is_none() {
        // Not llama.cpp's: says that a newer request of the same client took over.
        value["cancelled"] = json!(true);
    }
    Ok(Json(select(value, fields)).into_response())
}

/// The chunks of other files as documents, one per file name (chunks of one file joined).
fn others(buffers: &Buffers, client: &str, extra: &[Extra]) -> Vec<(String, Snapshot)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for chunk in extra {
        let name = if chunk.filename.is_empty() {
            "chunk"
        } else {
            chunk.filename.as_str()
        };
        match files.iter_mut().find(|(n, _)| n == name) {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(&chunk.text);
            }
            None => files.push((name.to_string(), chunk.text.clone())),
        }
    }
    files
        .into_iter()
        .map(|(name, text)| {
            let language = LanguageRegistry::builtin().detect(None, &name);
            let document = buffers.snapshot(&format!("{client}\n{name}"), &text, language);
            (name, document)
        })
        .collect()
}

fn hash(value: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The answer as llama.cpp's server writes it (llama.vscode reads `generation_settings`
/// and `timings`, llama.vim the timings and `tokens_cached`).
fn answer(state: &Shared, suggestion: Option<&Suggestion>, n_predict: i64) -> Value {
    let content = suggestion.map_or("", |s| s.text.as_str());
    let timings = suggestion.map(|s| &s.timings);
    let stats = timings.map(|t| t.engine.clone()).unwrap_or_default();
    let per = |ms: f64, n: usize| if n == 0 { 0.0 } else { ms / n as f64 };
    let rate = |ms: f64, n: usize| {
        if ms <= 0.0 {
            0.0
        } else {
            n as f64 * 1000.0 / ms
        }
    };
    let stop_type = match timings.and_then(|t| t.finish) {
        Some(Finish::EndOfText) => "eos",
        Some(Finish::Stop) => "word",
        Some(Finish::MaxTokens | Finish::Deadline) => "limit",
        None => "none",
    };
    let cached = stats.reused_tokens + stats.moved_tokens;
    json!({
        "index": 0,
        "content": content,
        "tokens": [],
        "id_slot": 0,
        "stop": true,
        "model": state.model,
        "tokens_predicted": stats.decode_tokens,
        "tokens_evaluated": stats.prompt_tokens,
        "generation_settings": {
            "n_predict": n_predict,
            "temperature": 0.0,
            "stream": false,
            "samplers": ["greedy"],
        },
        "prompt": "",
        "has_new_line": content.contains('\n'),
        "truncated": false,
        "stop_type": stop_type,
        "stopping_word": "",
        "tokens_cached": cached,
        "timings": {
            "cache_n": cached,
            "prompt_n": stats.prefill_tokens,
            "prompt_ms": stats.prefill_ms,
            "prompt_per_token_ms": per(stats.prefill_ms, stats.prefill_tokens),
            "prompt_per_second": rate(stats.prefill_ms, stats.prefill_tokens),
            "predicted_n": stats.decode_tokens,
            "predicted_ms": stats.decode_ms,
            "predicted_per_token_ms": per(stats.decode_ms, stats.decode_tokens),
            "predicted_per_second": rate(stats.decode_ms, stats.decode_tokens),
        },
    })
}

/// Only the asked fields, keyed by their paths (llama.cpp's `response_fields`); all when not asked.
fn select(answer: Value, fields: Option<&[String]>) -> Value {
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        return answer;
    };
    let mut flat = Map::new();
    for path in fields {
        let found = path
            .split('/')
            .try_fold(&answer, |value, key| value.get(key));
        if let Some(value) = found.filter(|_| !path.is_empty()) {
            flat.insert(path.clone(), value.clone());
        }
    }
    Value::Object(flat)
}

/// `GET /health`: 503 while the model loads (as llama.cpp's server answers), 500 when it
/// could not be loaded, 200 when ready.
pub async fn health(State(state): State<Shared>) -> Result<Response, ApiError> {
    ready(&state, Api::Llama)?;
    Ok(Json(json!({ "status": "ok" })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_text_is_kept_and_updated_and_the_oldest_goes() {
        let buffers = Buffers::default();
        let python = LanguageRegistry::builtin().get("python");
        let first = buffers.snapshot("a", "def f():\n    return 1\n", python.clone());
        let second = buffers.snapshot("a", "def f():\n    return 12\n", python.clone());
        assert_eq!(second.text.to_string(), "def f():\n    return 12\n");
        assert_ne!(first.version, second.version, "a new text is a new version");
        assert!(second.tree.is_some());
        let same = buffers.snapshot("a", "def f():\n    return 12\n", python.clone());
        assert_eq!(
            same.version, second.version,
            "the same text keeps its version"
        );
        assert_eq!(buffers.documents.len(), 1);
        for i in 0..MAX_BUFFERS {
            buffers.snapshot(&format!("other {i}"), "x = 1\n", python.clone());
        }
        assert_eq!(buffers.documents.len(), MAX_BUFFERS);
        assert!(
            !buffers.documents.contains_key("a"),
            "the least recently used left"
        );
    }

    #[test]
    fn response_fields_flatten_paths_and_skip_missing_ones() {
        let answer = json!({ "content": "x", "timings": { "prompt_n": 3 }, "truncated": false });
        let fields: Vec<String> = ["content", "timings/prompt_n", "timings/nope", "truncated"]
            .map(String::from)
            .into();
        assert_eq!(
            select(answer.clone(), Some(&fields)),
            json!({ "content": "x", "timings/prompt_n": 3, "truncated": false })
        );
        assert_eq!(select(answer.clone(), Some(&[String::new()])), json!({}));
        assert_eq!(select(answer.clone(), None), answer);
    }
}
