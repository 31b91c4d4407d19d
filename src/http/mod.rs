//! `nib http`: the engine behind the completion APIs editors already call, on loopback.
//!
//! - OpenAI's legacy `/v1/completions` and `/v1/models` (Zed's `open_ai_compatible_api`
//!   edit predictions, Continue);
//! - Ollama's `/api/generate`, `/api/tags`, `/api/show` and `/api/version` (Zed's
//!   `ollama` provider, Continue);
//! - llama.cpp server's `/infill` and `/health` (llama.vim, llama.vscode), completed with
//!   nib's own context building.
//!
//! Every request goes through the same [`Completer`] and engine thread as the language
//! server. [`guard`] keeps the port safe: loopback only unless a token is set, no foreign
//! `Host` (DNS rebinding) or browser `Origin`, a bearer token compared in constant time.

mod guard;
mod infill;
mod ollama;
mod openai;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dashmap::DashMap;
use futures_util::stream;
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::sync::mpsc;

use crate::completion::{self, Completer, CompletionError, RawRequest};
use crate::config::Settings;
use crate::engine::{
    CancelFlag, CancelOnDrop, EngineError, EngineStatus, Finish, Generation, LoadEvent,
};

/// Where llama.vim and llama.vscode look for llama.cpp's server.
pub const DEFAULT_PORT: u16 = 8012;
/// Largest request body: a prompt with a few files of context.
const BODY_LIMIT: usize = 4 << 20;
/// Most tokens one request may generate; larger asks are lowered to it.
pub const MAX_TOKENS_LIMIT: u32 = 1024;

/// How `nib http` was asked to serve.
pub struct Options {
    pub bind: IpAddr,
    pub port: u16,
    /// A file holding the bearer token clients must send (mode 0600), read again when it changes.
    pub token_file: Option<PathBuf>,
    /// Host names clients may use besides loopback and this machine's addresses.
    pub allow_hosts: Vec<String>,
    pub settings: Settings,
}

/// What every handler shares.
struct State {
    completer: Arc<Completer>,
    model: String,
    token: Option<guard::Token>,
    /// The address the server listens on.
    bound: IpAddr,
    /// Host names a request may name besides loopback and the address it reached.
    allowed_hosts: Vec<String>,
    /// The newest request per client and route; a newer one cancels it.
    inflight: DashMap<String, CancelFlag>,
    ids: AtomicU64,
}

type Shared = Arc<State>;

/// A server bound to its port, its model loading.
pub struct Started {
    /// Where it listens (`--port 0` picks a free port).
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    state: Shared,
}

impl Started {
    /// The completer behind every endpoint (its engine tells when the model is loaded).
    pub fn completer(&self) -> Arc<Completer> {
        Arc::clone(&self.state.completer)
    }

    /// Serves until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        axum::serve(
            self.listener,
            router(self.state).into_make_service_with_connect_info::<guard::Peer>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        Ok(())
    }
}

/// Serves until interrupted.
pub async fn serve(options: Options) -> Result<()> {
    let started = start(options).await?;
    // Tests and scripts read this line for the port (`--port 0` picks a free one).
    eprintln!("nib http: listening on http://{}", started.addr);
    started
        .run(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// Checks the options, binds the port and starts loading the model; problems go to stderr.
pub async fn start(options: Options) -> Result<Started> {
    let token = match &options.token_file {
        Some(path) => Some(guard::Token::open(path)?),
        None => None,
    };
    if !options.bind.is_loopback() && token.is_none() {
        bail!(
            "refusing to serve on {} without a token: anyone on the network could use it; \
             pass --token-file FILE (a file only you can read, mode 0600), or bind 127.0.0.1",
            options.bind
        );
    }
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("could not listen on {addr} (is another server using the port? try --port)")
    })?;
    let local = listener.local_addr()?;

    let settings = Arc::new(RwLock::new(options.settings));
    let loaded = completion::load(&settings).await;
    for problem in &loaded.problems {
        eprintln!("{problem}");
    }
    let state = Arc::new(State {
        completer: Arc::new(loaded.completer),
        model: loaded.model_name,
        token,
        bound: options.bind,
        allowed_hosts: options.allow_hosts,
        inflight: DashMap::new(),
        ids: AtomicU64::new(1),
    });
    if let Some(mut events) = loaded.events {
        eprintln!("{}", loaded.title);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                match event {
                    LoadEvent::Progress(_) => {}
                    LoadEvent::Ready { load_ms } => {
                        eprintln!("nib http: model {} ready in {load_ms} ms", state.model);
                    }
                    LoadEvent::Restarting(reason) => {
                        eprintln!("nib http: the engine stopped because {reason}; restarting it");
                    }
                    LoadEvent::Failed(message) => {
                        // The engine's status keeps it, for /health and every request.
                        eprintln!("nib http: {message}");
                    }
                }
            }
        });
    }
    Ok(Started {
        addr: local,
        listener,
        state,
    })
}

fn router(state: Shared) -> Router {
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

/// Which API an error is written for: each client reads its own error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    OpenAi,
    Ollama,
    Llama,
}

/// An answer that is not a completion: bad input, a model still loading, a failure.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
    api: Api,
}

impl ApiError {
    fn new(api: Api, status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            api,
        }
    }

    fn bad_request(api: Api, message: impl Into<String>) -> ApiError {
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
fn parse<T: DeserializeOwned>(api: Api, body: &Bytes) -> Result<T, ApiError> {
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
enum OneOrMany {
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
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Whether the engine can take requests; the error says why not.
fn ready(state: &State, api: Api) -> Result<(), ApiError> {
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
fn client_key(route: &str, peer: guard::Peer, headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!("{route} {} {agent}", peer.remote.ip())
}

impl State {
    /// A cancellation flag for a new request of `client`; the client's older request is cancelled.
    fn begin(&self, client: String) -> CancelFlag {
        let cancel = CancelFlag::default();
        if let Some(older) = self.inflight.insert(client, cancel.clone()) {
            older.cancel();
        }
        cancel
    }

    /// Forgets a finished request of `client`, unless a newer one took its place.
    fn end(&self, client: &str, cancel: &CancelFlag) {
        self.inflight.remove_if(client, |_, flag| flag.same(cancel));
    }

    /// Runs `work` with the flag of a new request of `client` (whose older request is
    /// cancelled). Dropping the future, as a closed connection does, cancels the decode;
    /// an answer cut short by a newer request of the client is `None`.
    async fn as_newest<T, F>(
        &self,
        client: String,
        work: impl FnOnce(CancelFlag) -> F,
    ) -> Result<Option<T>, CompletionError>
    where
        F: std::future::Future<Output = Result<T, CompletionError>>,
    {
        let cancel = self.begin(client.clone());
        let _cancel_if_dropped = CancelOnDrop(cancel.clone());
        let result = work(cancel.clone()).await;
        self.end(&client, &cancel);
        unless_superseded(result)
    }

    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
}

/// A client-made completion, run to its end.
async fn run(
    state: &State,
    client: String,
    request: RawRequest,
) -> Result<Option<Generation>, CompletionError> {
    state
        .as_newest(client, |cancel| {
            state
                .completer
                .complete_raw(RawRequest { cancel, ..request })
        })
        .await
}

/// A request cancelled because a newer one of its client took over answers with nothing.
fn unless_superseded<T>(result: Result<T, CompletionError>) -> Result<Option<T>, CompletionError> {
    match result {
        Ok(answer) => Ok(Some(answer)),
        Err(CompletionError::Engine(EngineError::Cancelled)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What a streamed completion sends on.
enum Event {
    Text(String),
    Done(Result<Option<Generation>, CompletionError>),
}

/// Runs a completion in the background, sending its text as it grows; the receiver
/// dropped (the client went away) cancels it.
fn run_streaming(state: &Shared, client: String, mut request: RawRequest) -> Streamed {
    let (sender, events) = mpsc::unbounded_channel();
    let cancel = state.begin(client.clone());
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
    let state = Arc::clone(state);
    let guard = CancelOnDrop(cancel.clone());
    tokio::spawn(async move {
        let result = state.completer.complete_raw(request).await;
        state.end(&client, &cancel);
        let _ = sender.send(Event::Done(unless_superseded(result)));
    });
    Streamed {
        events,
        _guard: guard,
        streamed: 0,
        finished: false,
    }
}

/// The events of a streamed completion, as the response body reads them.
struct Streamed {
    events: mpsc::UnboundedReceiver<Event>,
    /// Dropped with the body: a client that hangs up cancels the decode.
    _guard: CancelOnDrop,
    /// Bytes of text sent so far.
    streamed: usize,
    finished: bool,
}

/// What a stream writes: each new piece of text, then the end (with the text the stop
/// rules kept back until the end, and the generation, `None` when it was cancelled).
trait StreamFormat: Send + 'static {
    fn text(&self, delta: &str) -> Bytes;
    fn end(&self, rest: &str, generation: Option<&Generation>) -> Bytes;
    fn error(&self, message: &str) -> Bytes;
}

/// A streamed response body in `format`.
fn stream_body(streamed: Streamed, format: impl StreamFormat) -> Body {
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
                format.error(&e.to_string())
            }
            None => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(chunk), (s, format)))
    });
    Body::from_stream(chunks)
}

/// Why generation ended, in OpenAI's words.
fn finish_reason(finish: Finish) -> &'static str {
    match finish {
        Finish::Stop | Finish::EndOfText => "stop",
        Finish::MaxTokens | Finish::Deadline => "length",
    }
}

/// An error of the completion path as an HTTP answer.
fn completion_error(api: Api, e: CompletionError) -> ApiError {
    match e {
        CompletionError::Engine(EngineError::Loading) => {
            ApiError::new(api, StatusCode::SERVICE_UNAVAILABLE, "Loading model")
        }
        CompletionError::BadOffset { .. } => ApiError::bad_request(api, e.to_string()),
        e => ApiError::new(api, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `max_tokens` as asked, lowered to [`MAX_TOKENS_LIMIT`]; when not asked, the model's
/// budget for a block (four lines' worth).
fn max_tokens(state: &State, asked: Option<u32>) -> u32 {
    asked
        .unwrap_or_else(|| 4 * state.completer.budgets().max_tokens)
        .min(MAX_TOKENS_LIMIT)
}

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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
