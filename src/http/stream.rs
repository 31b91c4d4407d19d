//! Completions of client-made prompts, whole or streamed: each runs as the newest request
//! of its client, and a client that hangs up cancels its decode.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use futures_util::stream;
use tokio::sync::mpsc;

use super::Shared;
use super::wire::{Api, ApiError, outcome};
use crate::completion::{RawRequest, Ticket, caught};
use crate::engine::Generation;

/// A client-made completion, run to its end; `None` when a newer request of the client
/// took over.
pub(super) async fn run(
    state: &Shared,
    api: Api,
    client: String,
    request: RawRequest,
) -> Result<Option<Generation>, ApiError> {
    let completer = Arc::clone(&state.completer);
    let result = state
        .requests
        .run(client, move |cancel| async move {
            completer
                .complete_raw(RawRequest { cancel, ..request })
                .await
        })
        .await;
    outcome(api, result)
}

/// What a streamed completion sends on.
enum Event {
    Text(String),
    Done(Result<Option<Generation>, ApiError>),
}

/// Runs a completion in the background, sending its text as it grows; the receiver
/// dropped (the client went away) cancels it.
pub(super) fn run_streaming(
    state: &Shared,
    api: Api,
    client: String,
    mut request: RawRequest,
) -> Streamed {
    let (sender, events) = mpsc::unbounded_channel();
    let ticket = state.requests.begin(client);
    let cancel = ticket.flag();
    let sent = Mutex::new(0usize);
    let text_sender = sender.clone();
    let on_cancel = cancel.clone();
    request.on_text = Some(Box::new(move |text: &str| {
        let mut sent = sent.lock().unwrap();
        if text.len() > *sent {
            if text_sender
                .send(Event::Text(text[*sent..].to_string()))
                .is_err()
            {
                on_cancel.cancel();
            }
            *sent = text.len();
        }
    }));
    request.cancel = cancel.clone();
    let completer = Arc::clone(&state.completer);
    tokio::spawn(async move {
        // A panic ends the stream with an error chunk, as the other routes answer 500.
        let result = caught(async move { completer.complete_raw(request).await }).await;
        let _ = sender.send(Event::Done(outcome(api, result)));
    });
    Streamed {
        events,
        _ticket: ticket,
        streamed: 0,
        finished: false,
    }
}

/// The events of a streamed completion, as the response body reads them.
pub(super) struct Streamed {
    events: mpsc::UnboundedReceiver<Event>,
    /// Dropped with the body: a client that hangs up cancels the decode.
    _ticket: Ticket,
    /// Bytes of text sent so far.
    streamed: usize,
    finished: bool,
}

/// What a stream writes: each new piece of text, then the end (with the text the stop
/// rules kept back until the end, and the generation, `None` when it was cancelled).
pub(super) trait StreamFormat: Send + 'static {
    fn text(&self, delta: &str) -> Bytes;
    fn end(&self, rest: &str, generation: Option<&Generation>) -> Bytes;
    fn error(&self, message: &str) -> Bytes;
}

/// A streamed response body in `format`.
pub(super) fn stream_body(streamed: Streamed, format: impl StreamFormat) -> Body {
    let chunks = stream::unfold((streamed, format), |(mut s, format)| async move {
        if s.finished {
            return None;
        }
        let chunk = match s.events.recv().await {
            Some(Event::Text(delta)) => {
                s.streamed += delta.len();
                format.text(&delta)
            }
            Some(Event::Done(Ok(generation))) => {
                s.finished = true;
                let rest = generation
                    .as_ref()
                    .and_then(|g| g.text.get(s.streamed..))
                    .unwrap_or("");
                format.end(rest, generation.as_ref())
            }
            Some(Event::Done(Err(e))) => {
                s.finished = true;
                format.error(&e.message)
            }
            None => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(chunk), (s, format)))
    });
    Body::from_stream(chunks)
}
