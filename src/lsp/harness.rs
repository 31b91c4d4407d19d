//! A small LSP client: drives nib in-process (the CLI's `complete`, tests) or a
//! `nib serve` child process over its stdio, the way an editor does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};
use tower_lsp_server::Server;

use super::server::{Backend, Shared};
use crate::completion::Completer;

type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;
type Writer = Arc<AsyncMutex<Box<dyn AsyncWrite + Send + Unpin>>>;

/// An LSP client connection.
pub struct LspClient {
    writer: Writer,
    pending: Pending,
    next_id: AtomicI64,
    notifications: AsyncMutex<mpsc::UnboundedReceiver<Value>>,
    /// The server's state, when it runs in this process.
    pub shared: Option<Arc<Shared>>,
}

/// A JSON-RPC error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl std::error::Error for RpcError {}

impl LspClient {
    /// Starts nib's server in this process, connected through in-memory pipes.
    pub fn in_process() -> LspClient {
        let (client_io, server_io) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_io);
        let guarded = super::transport::guard(server_read, server_write);
        let (server_read, server_write) = (guarded.server_in, guarded.server_out);
        let shared = Arc::new(Shared::default());
        let server_shared = Arc::clone(&shared);
        let (service, socket) = super::server::service(move |client| {
            Backend::with_shared(client, Arc::clone(&server_shared))
        });
        tokio::spawn(guarded.reader);
        tokio::spawn(guarded.writer);
        tokio::spawn(async move {
            Server::new(server_read, server_write, socket)
                .concurrency_level(super::CONCURRENCY)
                .serve(service)
                .await;
        });
        let (read, write) = tokio::io::split(client_io);
        let mut client = LspClient::connect(read, write);
        client.shared = Some(shared);
        client
    }

    /// A client over any pair of streams (a child process's stdout and stdin).
    pub fn connect(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + Unpin + 'static,
    ) -> LspClient {
        let pending: Pending = Arc::default();
        let (notify, notifications) = mpsc::unbounded_channel();
        let writer: Writer = Arc::new(AsyncMutex::new(Box::new(writer)));
        let reply_writer = Arc::clone(&writer);
        let client = LspClient {
            writer,
            pending: Arc::clone(&pending),
            next_id: AtomicI64::new(1),
            notifications: AsyncMutex::new(notifications),
            shared: None,
        };
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader);
            while let Some(message) = read_message(&mut reader).await {
                let id = message.get("id").cloned();
                if message.get("method").is_some() {
                    if let Some(id) = id {
                        // A request from the server (progress token, configuration): accept it.
                        let reply = json!({"jsonrpc": "2.0", "id": id, "result": null});
                        let _ = write_message(&reply_writer, &reply).await;
                    }
                    let _ = notify.send(message);
                } else if let Some(id) = id.as_ref().and_then(Value::as_i64)
                    && let Some(waiter) = pending.lock().unwrap().remove(&id)
                {
                    let _ = waiter.send(message);
                } else {
                    // An answer no request here waits for (to a message the server could
                    // not read): kept for `stray_answer`.
                    let _ = notify.send(message);
                }
            }
        });
        client
    }

    async fn write(&self, message: &Value) -> std::io::Result<()> {
        write_message(&self.writer, message).await
    }

    /// Writes bytes as they are, framing included (for malformed messages).
    pub async fn send_raw(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().await;
        let _ = writer.write_all(bytes).await;
        let _ = writer.flush().await;
    }

    /// The text of an open document, when the server runs in this process.
    pub fn document_text(&self, uri: &str) -> Option<String> {
        let documents = &self.shared.as_ref()?.documents;
        Some(documents.snapshot(uri)?.text.to_string())
    }

    /// Sends a request and waits for its answer: `Ok(result)` or the error.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        self.send_request(method, params).await.1.await
    }

    /// Sends a request; returns its id and a future of the answer (to cancel it in between).
    pub async fn send_request(
        &self,
        method: &str,
        params: Value,
    ) -> (i64, impl Future<Output = Result<Value, RpcError>> + use<>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let sent = self
            .write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        let answer = async move {
            sent.map_err(|e| RpcError {
                code: -1,
                message: format!("could not send: {e}"),
            })?;
            let message = rx.await.map_err(|_| RpcError {
                code: -1,
                message: "the server closed the connection".into(),
            })?;
            match message.get("error") {
                Some(error) => Err(RpcError {
                    code: error["code"].as_i64().unwrap_or(0),
                    message: error["message"].as_str().unwrap_or("").to_string(),
                }),
                None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
            }
        };
        (id, answer)
    }

    pub async fn notify(&self, method: &str, params: Value) {
        let _ = self
            .write(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// `initialize` + `initialized` with the given client capabilities and settings.
    pub async fn initialize(&self, capabilities: Value, options: Value) -> Result<Value, RpcError> {
        let result = self
            .request(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
            )
            .await?;
        self.notify("initialized", json!({})).await;
        Ok(result)
    }

    pub async fn open(&self, uri: &str, language_id: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": language_id, "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}))
            .await;
    }

    pub async fn close(&self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    }

    /// Sends settings as `workspace/didChangeConfiguration` does (they replace the old ones).
    pub async fn configure(&self, settings: Value) {
        let params = json!({"settings": {"nib": settings}});
        self.notify("workspace/didChangeConfiguration", params)
            .await;
    }

    /// The in-process server's completer, once `initialized` has made it.
    ///
    /// # Panics
    /// For a client of another process.
    pub async fn completer(&self) -> Arc<Completer> {
        let shared = self.shared.as_ref().expect("an in-process server");
        loop {
            if let Some(completer) = shared.completer.get() {
                return Arc::clone(completer);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Inserts `text` at a position (0-based line and character) with an incremental
    /// `didChange` that makes the document version `version`.
    pub async fn insert(&self, uri: &str, version: usize, line: u32, character: u32, text: &str) {
        let at = json!({"line": line, "character": character});
        let change = json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": text}],
        });
        self.notify("textDocument/didChange", change).await;
    }

    /// Waits for the next notification (or server request) whose method is `method`.
    pub async fn notification(&self, method: &str, timeout: Duration) -> Option<Value> {
        let mut notifications = self.notifications.lock().await;
        tokio::time::timeout(timeout, async {
            while let Some(message) = notifications.recv().await {
                if message["method"] == method {
                    return Some(message["params"].clone());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits for the next error answer without an id (to a message the server could not read).
    pub async fn unaddressed_error(&self, timeout: Duration) -> Option<Value> {
        loop {
            let answer = self.stray_answer(timeout).await?;
            if answer["id"].is_null() {
                return Some(answer["error"].clone());
            }
        }
    }

    /// Waits for the next answer that no request of this client waits for: to a message
    /// sent raw, with its id (or null) and its error.
    pub async fn stray_answer(&self, timeout: Duration) -> Option<Value> {
        let mut notifications = self.notifications.lock().await;
        tokio::time::timeout(timeout, async {
            while let Some(message) = notifications.recv().await {
                if message.get("method").is_none() {
                    return Some(message);
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
    }

    /// Asks for inline completions at a position (0-based line and character).
    pub async fn inline_completion(
        &self,
        uri: &str,
        line: u32,
        character: u32,
    ) -> Result<Value, RpcError> {
        self.request(
            "textDocument/inlineCompletion",
            position_params(uri, line, character, json!({"triggerKind": 2})),
        )
        .await
    }

    pub async fn shutdown(&self) {
        let _ = self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
    }
}

/// Params of a position request with a `context` member.
pub fn position_params(uri: &str, line: u32, character: u32, context: Value) -> Value {
    json!({
        "textDocument": {"uri": uri},
        "position": {"line": line, "character": character},
        "context": context,
    })
}

async fn write_message(writer: &Writer, message: &Value) -> std::io::Result<()> {
    let body = message.to_string();
    let mut writer = writer.lock().await;
    writer
        .write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        .await?;
    writer.flush().await
}

async fn read_message(reader: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}
