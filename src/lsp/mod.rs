//! The only module that knows LSP: capabilities, thin handlers, position conversion.

mod convert;
pub mod harness;
pub mod position;
mod server;
mod sync;
mod transport;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::Server;

pub use server::{Backend, Shared};

/// Requests served at once. High enough that `$/cancelRequest` and document
/// notifications never wait behind running completions.
const CONCURRENCY: usize = 64;

/// Serves LSP on the given streams until the client exits.
pub async fn serve(
    input: impl AsyncRead + Send + Unpin + 'static,
    output: impl AsyncWrite + Send + Unpin + 'static,
) {
    let guarded = transport::guard(input, output);
    tokio::spawn(guarded.reader);
    let (service, socket) = server::service(Backend::new);
    let server = Server::new(guarded.server_in, guarded.server_out, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service);
    tokio::join!(server, guarded.writer);
}
