//! The language server: document sync, settings, model loading and the two completion requests.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::gen_lsp_types::*;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

use super::convert::{completion_item, inline_item};
use super::position::{Encoding, offset_at};
use crate::adapter;
use crate::completion::{self, Completer, Failure, Level, Newest, Request, Suggestion};
use crate::config::Settings;
use crate::document::{Document, DocumentStore, Snapshot};
use crate::engine::LoadEvent;
use crate::language::LanguageRegistry;

/// How long after an edit the prompt is prefilled, when no request came in between.
const PREFILL_DEBOUNCE: Duration = Duration::from_millis(25);

/// The service for a backend: the LSP methods, and nib's own `nib/cursor` notification
/// (where the cursor rests, from nib's editor plugins).
pub(super) fn service(backend: impl Fn(Client) -> Backend) -> (LspService<Backend>, ClientSocket) {
    LspService::build(backend)
        .custom_method("nib/cursor", Backend::cursor_rests)
        .finish()
}

/// State the server shares with an in-process caller (the CLI and tests read timings).
#[derive(Default)]
pub struct Shared {
    /// The completer, once `initialized` has started the engine.
    pub completer: OnceLock<Arc<Completer>>,
    /// The open documents.
    pub documents: Arc<DocumentStore>,
}

pub struct Backend {
    client: Client,
    documents: Arc<DocumentStore>,
    settings: Arc<RwLock<Settings>>,
    encoding: OnceLock<Encoding>,
    /// The newest request per document; a newer one cancels it.
    requests: Newest,
    /// The pending prefill: the user is at one spot, so there is one (keyed by its
    /// document); a request or a newer prefill cancels it.
    prefills: Newest,
    progress_supported: AtomicBool,
    /// Settings messages from `initialize`, sent once the client is initialized.
    pending_messages: Mutex<Vec<(MessageType, String)>>,
    shared: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_shared(client, Arc::default())
    }

    pub fn with_shared(client: Client, shared: Arc<Shared>) -> Backend {
        Backend {
            client,
            documents: Arc::clone(&shared.documents),
            settings: Arc::default(),
            encoding: OnceLock::new(),
            requests: Newest::default(),
            prefills: Newest::default(),
            progress_supported: AtomicBool::new(false),
            pending_messages: Mutex::default(),
            shared,
        }
    }

    fn encoding(&self) -> Encoding {
        *self.encoding.get().unwrap_or(&Encoding::Utf16)
    }

    /// Reads settings; returns what to tell the user (warnings to log, errors to show).
    fn apply_settings(&self, value: &Value) -> Vec<(MessageType, String)> {
        // Clients send either the `nib` section or an object holding it.
        let value = value.get("nib").unwrap_or(value);
        match Settings::from_json(value) {
            Ok(loaded) => {
                let mut messages: Vec<_> = loaded
                    .warnings
                    .iter()
                    .map(|w| (MessageType::Warning, format!("nib: {w}")))
                    .collect();
                // Adapters load with the model: a new one needs a restart.
                if let (Some(completer), adapter::Choice::Named(name)) = (
                    self.shared.completer.get(),
                    adapter::Choice::from_setting(&loaded.settings.adapter),
                ) && !completer
                    .adapters()
                    .iter()
                    .any(|a| adapter::is_named(a, &name))
                {
                    let known: Vec<&str> = completer
                        .adapters()
                        .iter()
                        .map(|a| a.manifest.name.as_str())
                        .collect();
                    messages.push((
                        MessageType::Error,
                        format!(
                            "nib: setting `adapter`: `{name}` is not loaded (loaded: {}); the base model answers until nib restarts with it",
                            if known.is_empty() { "none".into() } else { known.join(", ") }
                        ),
                    ));
                }
                if let Some(completer) = self.shared.completer.get() {
                    let problems = completer.settings_problems(&loaded.settings);
                    messages.extend(
                        problems
                            .into_iter()
                            .map(|p| (MessageType::Error, format!("nib: {p}"))),
                    );
                }
                *self.settings.write().unwrap() = loaded.settings;
                messages
            }
            Err(e) => vec![(MessageType::Error, format!("nib: {e}"))],
        }
    }

    async fn tell(&self, messages: Vec<(MessageType, String)>) {
        for (kind, message) in messages {
            if kind == MessageType::Error {
                self.client.show_message(kind, message).await;
            } else {
                self.client.log_message(kind, message).await;
            }
        }
    }

    fn set_completer(&self, completer: Completer) {
        let _ = self.shared.completer.set(Arc::new(completer));
    }

    /// Resolves the model and starts loading it; a missing or bad model is said once.
    async fn start_engine(&self) {
        let loaded = completion::load(&self.settings).await;
        for problem in &loaded.problems {
            self.client.show_message(MessageType::Error, problem).await;
        }
        self.set_completer(loaded.completer);
        let Some(mut received) = loaded.events else {
            return;
        };
        let title = loaded.title;
        let client = self.client.clone();
        let with_progress = self.progress_supported.load(Ordering::Relaxed);
        tokio::spawn(async move {
            let token = ProgressToken::String("nib/load".into());
            let mut progress = if with_progress
                && client
                    .create_work_done_progress(token.clone())
                    .await
                    .is_ok()
            {
                Some(
                    client
                        .progress(token, "nib")
                        .with_message(title)
                        .with_percentage(0)
                        .begin()
                        .await,
                )
            } else {
                None
            };
            while let Some(event) = received.recv().await {
                if let (LoadEvent::Progress(p), Some(progress)) = (&event, &progress) {
                    progress.report((p * 100.0) as u32).await;
                }
                let Some(notice) = completion::notice(&event) else {
                    continue;
                };
                let message = format!("nib: {}", notice.text);
                match notice.level {
                    Level::Info => client.log_message(MessageType::Info, message).await,
                    Level::Warning => client.show_message(MessageType::Warning, message).await,
                    Level::Error => client.show_message(MessageType::Error, message).await,
                }
                if notice.ends
                    && let Some(progress) = progress.take()
                {
                    let end = if notice.level == Level::Error {
                        "failed".to_string()
                    } else {
                        notice.text
                    };
                    progress.finish_with_message(end).await;
                }
            }
        });
    }

    /// Reads the prompt for a cursor into the KV cache in the background, so that the
    /// request that follows finds it read: after an edit, and where the cursor rests. The
    /// user is at one spot: a newer prefill cancels the others, and any request cancels it.
    fn prefill_at(&self, uri: &str, cursor: usize) {
        let (Some(completer), Some(document)) =
            (self.shared.completer.get(), self.documents.snapshot(uri))
        else {
            return;
        };
        self.prefills.cancel_all();
        let request = Request {
            others: self.documents.snapshots_except(uri),
            document,
            uri: uri.to_string(),
            cursor,
            cancel: self.prefills.begin_detached(uri),
            caps: Default::default(),
        };
        let completer = Arc::clone(completer);
        tokio::spawn(async move {
            tokio::time::sleep(PREFILL_DEBOUNCE).await;
            if !request.cancel.is_cancelled() {
                completer.prefill(&request);
            }
        });
    }

    /// The cursor rests at a position (`nib/cursor`, or `textDocument/documentHighlight`,
    /// which VS Code and Zed send there): read its prompt before the first key.
    async fn cursor_rests(&self, params: TextDocumentPositionParams) {
        let uri = params.text_document.uri.0;
        let cursor = self
            .documents
            .snapshot(&uri)
            .and_then(|d| offset_at(&d.text, params.position, self.encoding()).ok());
        if let Some(cursor) = cursor {
            self.prefill_at(&uri, cursor);
        }
    }

    /// Runs one suggestion for a document position; the older request for the same document is cancelled.
    async fn suggest(
        &self,
        params: &TextDocumentPositionParams,
    ) -> Result<Option<(Suggestion, Snapshot, usize)>> {
        let uri = params.text_document.uri.0.clone();
        let document = self.documents.snapshot(&uri).ok_or_else(|| {
            Error::invalid_params(format!("unknown document {uri}: open it first"))
        })?;
        let cursor = offset_at(&document.text, params.position, self.encoding())
            .map_err(|e| Error::invalid_params(e.to_string()))?;
        let Some(completer) = self.shared.completer.get().cloned() else {
            return Ok(None);
        };
        // A request takes over the engine from any read ahead.
        self.prefills.cancel_all();
        let others = self.documents.snapshots_except(&uri);
        let snapshot = document.clone();
        let key = uri.clone();
        let answered = self
            .requests
            .run(key, move |cancel| async move {
                let request = Request {
                    others,
                    document: snapshot,
                    uri,
                    cursor,
                    cancel,
                    caps: Default::default(),
                };
                completer.complete(request).await
            })
            .await;
        match answered.map_err(Failure::from) {
            Ok(found) => Ok(found.map(|suggestion| (suggestion, document, cursor))),
            Err(Failure::Cancelled) => Err(Error::request_cancelled()),
            Err(Failure::BadInput(message)) => Err(Error::invalid_params(message)),
            // Said once when loading failed; requests answer with nothing.
            Err(Failure::Loading | Failure::Unavailable(_)) => Ok(None),
            Err(Failure::Engine(message)) => {
                let message = format!("nib: {message}");
                self.client.log_message(MessageType::Error, message).await;
                Ok(None)
            }
            Err(Failure::Internal(message)) => {
                let message = format!("nib: a completion request failed: {message}");
                self.client.log_message(MessageType::Error, &message).await;
                Err(Error {
                    message: message.into(),
                    ..Error::internal_error()
                })
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref());
        let encoding = Encoding::negotiate(offered);
        let _ = self.encoding.set(encoding);
        let progress = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        self.progress_supported.store(progress, Ordering::Relaxed);
        // A client that shows inline completions would ask twice, and run the model twice,
        // if nib offered completion items too: items are for clients without inline support.
        let inline_client = caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.inline_completion.is_some());
        if let Some(options) = &params.initialization_options {
            // Messages wait for `initialized`: clients ignore them before it.
            *self.pending_messages.lock().unwrap() = self.apply_settings(options);
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::Incremental),
                        // A saved manifest (package.json, Cargo.toml, ...) may add a framework.
                        save: Some(true.into()),
                        ..Default::default()
                    }
                    .into(),
                ),
                inline_completion_provider: Some(true.into()),
                // Asked where the cursor rests; nib reads the prompt there and answers
                // with no highlights, so the editor's own or another server's stand.
                document_highlight_provider: Some(true.into()),
                completion_provider: (!inline_client).then(CompletionOptions::default),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "nib".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let pending = std::mem::take(&mut *self.pending_messages.lock().unwrap());
        self.tell(pending).await;
        self.start_engine().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.requests.cancel_all();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let language_id = String::from(item.language_id);
        let language = LanguageRegistry::builtin().detect(Some(&language_id), &item.uri.0);
        let document = Document::open(&item.text, item.version, language);
        let described = self
            .shared
            .completer
            .get()
            .map(|c| c.describe(&item.uri.0, &document.snapshot()));
        self.documents.open(&item.uri.0, document);
        if let Some(described) = described {
            let message = format!("nib: {}: {described}", item.uri.0);
            self.client.log_message(MessageType::Info, message).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri.0;
        let name = uri.rsplit('/').next().unwrap_or("");
        if crate::framework::is_manifest(name)
            && let Some(completer) = self.shared.completer.get()
        {
            completer.refresh_frameworks();
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.text_document_identifier.uri.0;
        self.requests.cancel(&uri); // its answer would be for text that is gone
        let encoding = self.encoding();
        let version = params.text_document.version;
        let applied = self.documents.update(&uri, |doc| {
            let changes = params.content_changes;
            let apply = || super::sync::apply_changes(doc, changes, version, encoding);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(apply)).unwrap_or_else(|panic| {
                let message = crate::faults::panic_message(&panic);
                tracing::error!("a document change panicked: {message}");
                Err(format!("applying the change failed ({message})"))
            })
        });
        let problem = match applied {
            Some(Ok(cursor)) => {
                if let Some(cursor) = cursor {
                    self.prefill_at(&uri, cursor);
                }
                return;
            }
            Some(Err(e)) => format!("nib: {uri}: {e}; the document may be out of sync, reopen it"),
            None => format!("nib: change for {uri}, which is not open"),
        };
        self.client.log_message(MessageType::Warning, problem).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri.0;
        self.documents.close(&uri);
        self.requests.cancel(&uri);
        self.prefills.cancel(&uri);
        if let Some(completer) = self.shared.completer.get() {
            completer.forget(&uri);
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let messages = self.apply_settings(&params.settings);
        self.tell(messages).await;
    }

    async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        let encoding = self.encoding();
        let found = self.suggest(&params.text_document_position_params).await?;
        let items = found
            .map(|(s, doc, cursor)| vec![inline_item(&s, &doc.text, cursor, encoding)])
            .unwrap_or_default();
        Ok(Some(InlineCompletionList::new(items).into()))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        self.cursor_rests(params.text_document_position_params)
            .await;
        Ok(None)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let encoding = self.encoding();
        let found = self.suggest(&params.text_document_position_params).await?;
        let items = found
            .map(|(s, doc, cursor)| vec![completion_item(&s, &doc.text, cursor, encoding)])
            .unwrap_or_default();
        // Incomplete: typing more asks again rather than filtering a stale suggestion.
        Ok(Some(
            CompletionList {
                is_incomplete: true,
                items,
                ..Default::default()
            }
            .into(),
        ))
    }
}
