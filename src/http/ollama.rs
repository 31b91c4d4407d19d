//! Ollama's API: `POST /api/generate`, `GET /api/tags`, `POST /api/show`, `GET /api/version`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::routes::{client_key, ready};
use super::stream::{StreamFormat, run, run_streaming, stream_body};
use super::wire::{Api, ApiError, parse};
use crate::completion::RawRequest;
use crate::config::Caps;
use crate::engine::{CancelFlag, Finish, Generation};

/// The version nib answers `/api/version` with: clients check for a recent Ollama.
const OLLAMA_VERSION: &str = "0.5.0";

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    raw: bool,
    /// Ollama streams unless told not to.
    #[serde(default = "yes")]
    stream: bool,
    #[serde(default)]
    options: Options,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Default)]
struct Options {
    #[serde(default)]
    num_predict: Option<i64>,
    #[serde(default)]
    stop: Option<Vec<String>>,
}

pub async fn generate(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<super::guard::Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: Body = parse(Api::Ollama, &body)?;
    ready(&state, Api::Ollama)?;
    // -1 and -2 mean "no limit" to Ollama.
    let asked = body
        .options
        .num_predict
        .filter(|&n| n >= 0)
        .map(|n| n.min(u32::MAX as i64) as u32);
    let request = RawRequest {
        prompt: body.prompt,
        suffix: body.suffix.filter(|s| !s.is_empty()),
        verbatim: body.raw,
        caps: Caps {
            max_tokens: asked,
            deadline_ms: None,
        },
        stop: body.options.stop.unwrap_or_default(),
        cancel: CancelFlag::default(),
        on_text: None,
    };
    let client = client_key("ollama", peer, &headers);
    if body.stream {
        let streamed = run_streaming(&state, Api::Ollama, client, request);
        let format = Lines {
            model: state.model.clone(),
        };
        return Ok((
            [(header::CONTENT_TYPE, "application/x-ndjson")],
            stream_body(streamed, format),
        )
            .into_response());
    }
    let generation = run(&state, Api::Ollama, client, request).await?;
    let text = generation.as_ref().map_or("", |g| g.text.as_str());
    Ok(Json(last(&state.model, text, generation.as_ref())).into_response())
}

/// A piece of the answer (`done: false`).
fn piece(model: &str, text: &str) -> Value {
    json!({ "model": model, "created_at": created_at(), "response": text, "done": false })
}

/// The answer's last object, with why it ended and its counts (durations in ns).
fn last(model: &str, text: &str, generation: Option<&Generation>) -> Value {
    let mut value = piece(model, text);
    value["done"] = json!(true);
    value["done_reason"] = json!(match generation.map(|g| g.finish) {
        Some(Finish::MaxTokens | Finish::Deadline) => "length",
        _ => "stop",
    });
    if let Some(g) = generation {
        let ns = |ms: f64| (ms * 1e6) as u64;
        value["prompt_eval_count"] = json!(g.stats.prefill_tokens);
        value["prompt_eval_duration"] = json!(ns(g.stats.prefill_ms));
        value["eval_count"] = json!(g.stats.decode_tokens);
        value["eval_duration"] = json!(ns(g.stats.decode_ms));
        value["total_duration"] = json!(ns(g.stats.prefill_ms + g.stats.decode_ms));
        value["load_duration"] = json!(0);
    }
    value
}

/// JSON lines, one per piece, then the last.
struct Lines {
    model: String,
}

impl StreamFormat for Lines {
    fn text(&self, delta: &str) -> Bytes {
        Bytes::from(format!("{}\n", piece(&self.model, delta)))
    }

    fn end(&self, rest: &str, generation: Option<&Generation>) -> Bytes {
        Bytes::from(format!("{}\n", last(&self.model, rest, generation)))
    }

    fn error(&self, message: &str) -> Bytes {
        Bytes::from(format!("{}\n", json!({ "error": message })))
    }
}

/// Now, in RFC 3339 (UTC), as Ollama writes `created_at`.
fn created_at() -> String {
    let secs = super::wire::unix_now();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The model as Ollama describes one (Zed reads every field of `details`).
fn model_entry(state: &Shared) -> Value {
    json!({
        "name": state.model,
        "model": state.model,
        "modified_at": created_at(),
        "size": 0,
        "digest": "",
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "",
            "families": [],
            "parameter_size": "",
            "quantization_level": "",
        },
    })
}

pub async fn tags(State(state): State<Shared>) -> Response {
    Json(json!({ "models": [model_entry(&state)] })).into_response()
}

/// `POST /api/show`: the template names `.Suffix`, which tells Continue that nib fills in
/// the middle (it then sends `prompt` and `suffix` apart, and nib lays them out).
pub async fn show(State(state): State<Shared>) -> Response {
    let entry = model_entry(&state);
    Json(json!({
        "modelfile": "",
        "parameters": "",
        "template": "{{ .Prompt }}{{ .Suffix }}",
        "details": entry["details"],
        "model_info": {},
        "capabilities": ["completion", "insert"],
        "modified_at": entry["modified_at"],
    }))
    .into_response()
}

pub async fn version() -> Response {
    Json(json!({ "version": OLLAMA_VERSION })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_424), (2025, 12, 2));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
