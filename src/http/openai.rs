//! OpenAI's legacy completions: `POST /v1/completions` (and `/completions`), `GET /v1/models`.

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
use super::wire::{Api, ApiError, OneOrMany, finish_reason, parse, unix_now};
use crate::completion::RawRequest;
use crate::config::Caps;
use crate::engine::{CancelFlag, Generation};

/// The fields nib reads; others (`temperature`, `top_p`, `n`, ...) are accepted and left
/// alone: nib decodes greedily.
#[derive(Deserialize)]
struct Body {
    prompt: OneOrMany,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    stop: Option<OneOrMany>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    #[allow(dead_code)]
    temperature: Option<f64>,
}

pub async fn completions(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<super::guard::Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: Body = parse(Api::OpenAi, &body)?;
    ready(&state, Api::OpenAi)?;
    let prompt = body.prompt.into_vec().concat();
    let request = RawRequest {
        prompt,
        suffix: body.suffix,
        verbatim: false,
        caps: Caps {
            max_tokens: body.max_tokens,
            deadline_ms: None,
        },
        stop: body.stop.map(OneOrMany::into_vec).unwrap_or_default(),
        cancel: CancelFlag::default(),
        on_text: None,
    };
    let client = client_key("openai", peer, &headers);
    let id = format!("cmpl-nib-{}", state.next_id());
    if body.stream {
        let streamed = run_streaming(&state, Api::OpenAi, client, request);
        let format = Sse {
            id,
            model: state.model.clone(),
        };
        return Ok((
            [
                (header::CONTENT_TYPE, "text/event-stream"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            stream_body(streamed, format),
        )
            .into_response());
    }
    let generation = run(&state, Api::OpenAi, client, request).await?;
    let text = generation.as_ref().map_or("", |g| g.text.as_str());
    let mut answer = chunk(&id, &state.model, text, Some(reason(generation.as_ref())));
    answer["usage"] = usage(generation.as_ref());
    Ok(Json(answer).into_response())
}

/// One `text_completion` object: the whole answer, or a piece of a stream.
fn chunk(id: &str, model: &str, text: &str, finish: Option<&str>) -> Value {
    json!({
        "id": id,
        "object": "text_completion",
        "created": unix_now(),
        "model": model,
        "choices": [{ "text": text, "index": 0, "logprobs": null, "finish_reason": finish }],
    })
}

fn reason(generation: Option<&Generation>) -> &'static str {
    generation.map_or("stop", |g| finish_reason(g.finish))
}

fn usage(generation: Option<&Generation>) -> Value {
    let (prompt, completion) =
        generation.map_or((0, 0), |g| (g.stats.prompt_tokens, g.stats.decode_tokens));
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    })
}

/// Server-sent events: a `text_completion` per piece, the last with its finish reason
/// and usage, then `[DONE]`.
struct Sse {
    id: String,
    model: String,
}

impl Sse {
    fn event(value: &Value) -> Bytes {
        Bytes::from(format!("data: {value}\n\n"))
    }
}

impl StreamFormat for Sse {
    fn text(&self, delta: &str) -> Bytes {
        Sse::event(&chunk(&self.id, &self.model, delta, None))
    }

    fn end(&self, rest: &str, generation: Option<&Generation>) -> Bytes {
        let mut last = chunk(&self.id, &self.model, rest, Some(reason(generation)));
        last["usage"] = usage(generation);
        Bytes::from(format!("data: {last}\n\ndata: [DONE]\n\n"))
    }

    fn error(&self, message: &str) -> Bytes {
        let error = json!({ "error": { "message": message, "type": "server_error" } });
        Bytes::from(format!("data: {error}\n\ndata: [DONE]\n\n"))
    }
}

/// `GET /v1/models`: the one model nib serves.
pub async fn models(State(state): State<Shared>) -> Response {
    Json(json!({
        "object": "list",
        "data": [{ "id": state.model, "object": "model", "created": 0, "owned_by": "nib" }],
    }))
    .into_response()
}
