//! The only module that knows LSP: capabilities, thin handlers, position conversion.

mod convert;
pub mod harness;
pub mod position;
mod server;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

pub use server::{Backend, Shared};

/// Requests served at once. High enough that `$/cancelRequest` and document
/// notifications never wait behind running completions.
const CONCURRENCY: usize = 64;

/// Serves LSP on the given streams until the client exits.
pub async fn serve(
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Send + Unpin + 'static,
) {
    let (service, socket) = LspService::new(Backend::new);
    Server::new(input, output, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service)
        .await;
}
