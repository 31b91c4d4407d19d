//! The HTTP fronts' common wire: which API an answer is for, errors in each API's shape,
//! JSON bodies read with the failing field named, and the small values the APIs share.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::completion::{CompletionError, Failure};
use crate::engine::Finish;

/// Which API an error is written for: each client reads its own error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    OpenAi,
    Ollama,
    Llama,
}

/// An answer that is not a completion: bad input, a model still loading, a failure.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    pub(super) message: String,
    api: Api,
}

impl ApiError {
    pub(super) fn new(api: Api, status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            api,
        }
    }

    pub(super) fn bad_request(api: Api, message: impl Into<String>) -> ApiError {
        ApiError::new(api, StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = match self.status {
            StatusCode::SERVICE_UNAVAILABLE => "unavailable_error",
            StatusCode::UNAUTHORIZED => "authentication_error",
            StatusCode::FORBIDDEN => "permission_error",
            s if s.is_client_error() => "invalid_request_error",
            _ => "server_error",
        };
        let body = match self.api {
            Api::Ollama => json!({ "error": self.message }),
            Api::OpenAi | Api::Llama => json!({
                "error": { "message": self.message, "type": kind, "code": self.status.as_u16() }
            }),
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Reads a JSON body; an error names the field that is wrong.
pub(super) fn parse<T: DeserializeOwned>(api: Api, body: &Bytes) -> Result<T, ApiError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("the request body is not valid JSON: {inner}")
        } else if path == "." {
            format!("the request body: {inner}")
        } else {
            format!("field `{path}`: {inner}")
        };
        ApiError::bad_request(api, message)
    })
}

/// A string or a list of strings (OpenAI's `prompt` and `stop`).
#[derive(Debug, Clone)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> serde::Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut all = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    all.push(item);
                }
                Ok(OneOrMany::Many(all))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl OneOrMany {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A completion's result as an HTTP answer: its value, `None` when a newer request of
/// the same client cut it short (the client gets an empty answer), or the error to send.
pub(super) fn outcome<T>(
    api: Api,
    result: Result<T, CompletionError>,
) -> Result<Option<T>, ApiError> {
    match result.map_err(Failure::from) {
        Ok(answer) => Ok(Some(answer)),
        Err(Failure::Cancelled) => Ok(None),
        Err(Failure::Loading) => Err(ApiError::new(
            api,
            StatusCode::SERVICE_UNAVAILABLE,
            "Loading model",
        )),
        Err(Failure::BadInput(message)) => Err(ApiError::bad_request(api, message)),
        Err(Failure::Unavailable(message) | Failure::Engine(message)) => Err(ApiError::new(
            api,
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
        )),
        Err(Failure::Internal(message)) => Err(ApiError::new(
            api,
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("a completion request failed: {message}"),
        )),
    }
}

/// Why generation ended, in OpenAI's words.
pub(super) fn finish_reason(finish: Finish) -> &'static str {
    match finish {
        Finish::Stop | Finish::EndOfText => "stop",
        Finish::MaxTokens | Finish::Deadline => "length",
    }
}

/// Seconds since the Unix epoch.
pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
