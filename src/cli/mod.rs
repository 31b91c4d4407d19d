//! The commands' code, one file per command group, and what they share: logging, the
//! async runtime, `--settings` and the in-process server's loaded completer.

pub(crate) mod complete;
pub(crate) mod data;
pub(crate) mod measure;
pub(crate) mod model;
pub(crate) mod serve;

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use nib::completion::Completer;
use nib::engine::EngineStatus;
use nib::lsp::harness::LspClient;

/// Logs go to stderr (stdout carries LSP); `NIB_LOG` sets the filter, e.g. `NIB_LOG=debug`.
/// llama.cpp's own warnings are left out by default: they are about choices nib makes on
/// purpose (a full-size sliding-window cache, adapters computed beside AMX weights), and
/// what goes wrong reaches the user as nib's own error.
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NIB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,llama-cpp-2=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Documents are parsed and walked on these threads: room for a pathologically deep
        // tree should anything on the way recurse.
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Settings given on the command line, as JSON.
fn parse_settings(text: &str) -> Result<serde_json::Value> {
    let value: serde_json::Value =
        serde_json::from_str(text).with_context(|| format!("--settings is not JSON: {text}"))?;
    nib::config::Settings::from_json(&value)?;
    Ok(value)
}

/// The in-process server's completer, once its model is loaded (within 120 s).
async fn loaded_completer(client: &LspClient) -> Result<std::sync::Arc<Completer>> {
    let completer = client.completer().await;
    match completer
        .engine()
        .wait_loaded(Duration::from_secs(120))
        .await
    {
        EngineStatus::Ready => Ok(completer),
        EngineStatus::Failed(message) => bail!("{message}"),
        EngineStatus::Loading => bail!("the model did not load within 120 s"),
    }
}
