//! llama.cpp server's `POST /infill` and `GET /health`, for llama.vim and llama.vscode.
//!
//! Unlike the OpenAI and Ollama routes, `/infill` sends the code around the cursor and
//! chunks of other files, not a prompt: nib builds its own context from them (the
//! definitions in the chunks of the names near the cursor) and post-processes the answer
//! as it does for editors.

use std::hash::{Hash, Hasher};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Api, ApiError, MAX_TOKENS_LIMIT, Shared, client_key, completion_error, parse, ready};
use crate::completion::{Caps, Request, Suggestion};
use crate::document::Document;
use crate::engine::Finish;
use crate::language::LanguageRegistry;

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
            .map(|n| n.min(i64::from(MAX_TOKENS_LIMIT)) as u32),
        deadline_ms: body.t_max_predict_ms.filter(|&ms| ms > 0),
    };
    let uri = format!("nib-http://client/{}", hash(&client));
    let document = Document::open(&text, version(&text), language).snapshot();
    let others = others(&body.input_extra);
    let answered = state
        .as_newest(client, |cancel| {
            state.completer.complete(Request {
                uri,
                document,
                others,
                cursor,
                cancel,
                caps,
            })
        })
        .await
        .map_err(|e| completion_error(Api::Llama, e))?;
    let suggestion = answered.as_ref().and_then(Option::as_ref);
    let mut value = answer(&state, suggestion, body.n_predict.unwrap_or(-1));
    if answered.is_none() {
        // Not llama.cpp's: says that a newer request of the same client took over.
        value["cancelled"] = json!(true);
    }
    Ok(Json(select(value, fields)).into_response())
}

/// The chunks of other files as documents, one per file name (chunks of one file joined).
fn others(extra: &[Extra]) -> Vec<(String, crate::document::Snapshot)> {
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
            let document = Document::open(&text, version(&text), language);
            (name, document.snapshot())
        })
        .collect()
}

/// A version that changes with the text, so definitions parsed once are reused until then.
fn version(text: &str) -> i32 {
    hash(text) as i32
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
