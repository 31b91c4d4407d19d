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
mod routes;
mod stream;
mod wire;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use anyhow::{Context as _, Result, bail};

use crate::completion::{self, Completer, Newest};
use crate::config::Settings;

/// Where llama.vim and llama.vscode look for llama.cpp's server.
pub const DEFAULT_PORT: u16 = 8012;

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
    requests: Newest,
    /// The documents of `/infill` clients.
    buffers: infill::Buffers,
    ids: AtomicU64,
}

impl State {
    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
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
            routes::router(self.state).into_make_service_with_connect_info::<guard::Peer>(),
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
        requests: Newest::default(),
        buffers: infill::Buffers::default(),
        ids: AtomicU64::new(1),
    });
    if let Some(mut events) = loaded.events {
        eprintln!("{}", loaded.title);
        let model = state.model.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                // A failure stays in the engine's status too, for /health and every request.
                if let Some(notice) = completion::notice(&event) {
                    eprintln!("nib http: {model}: {}", notice.text);
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
