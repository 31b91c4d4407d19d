//! The routes of `nib http` and what they share: whether the engine is ready, which
//! client a request comes from, and `/nib/status`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::wire::{Api, ApiError};
use super::{Shared, State, guard, infill, ollama, openai};
use crate::engine::EngineStatus;

/// Largest request body: a prompt with a few files of context.
const BODY_LIMIT: usize = 4 << 20;

pub(super) fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/completions", post(openai::completions))
        .route("/completions", post(openai::completions))
        .route("/v1/models", get(openai::models))
        .route("/api/generate", post(ollama::generate))
        .route("/api/tags", get(ollama::tags))
        .route("/api/show", post(ollama::show))
        .route("/api/version", get(ollama::version))
        .route("/infill", post(infill::infill))
        .route("/health", get(infill::health))
        .route("/v1/health", get(infill::health))
        .route("/nib/status", get(status))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::check,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Whether the engine can take requests; the error says why not.
pub(super) fn ready(state: &State, api: Api) -> Result<(), ApiError> {
    match state.completer.engine().status() {
        EngineStatus::Ready => Ok(()),
        EngineStatus::Loading => Err(ApiError::new(
            api,
            StatusCode::SERVICE_UNAVAILABLE,
            "Loading model",
        )),
        EngineStatus::Failed(message) => Err(ApiError::new(
            api,
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
        )),
    }
}

/// The client a request comes from (its address and program), with the route: a newer
/// request of the same client on the same route cancels the older one.
pub(super) fn client_key(route: &str, peer: guard::Peer, headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!("{route} {} {agent}", peer.remote.ip())
}

/// `GET /nib/status`: the model, whether the engine is busy, and what it has done.
async fn status(axum::extract::State(state): axum::extract::State<Shared>) -> Response {
    let engine = state.completer.engine();
    let activity = engine.activity();
    let work = engine.prompt_work();
    let status = match engine.status() {
        EngineStatus::Loading => "loading".to_string(),
        EngineStatus::Ready => "ready".to_string(),
        EngineStatus::Failed(message) => format!("failed: {message}"),
    };
    axum::Json(json!({
        "model": state.model,
        "status": status,
        "busy": activity.busy,
        "generated_tokens": activity.generated,
        "cancelled": activity.cancelled,
        "prompt_tokens_read": work.read,
        "prompt_tokens_moved": work.moved,
    }))
    .into_response()
}
