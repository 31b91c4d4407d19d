//! `nib serve` (LSP over stdio) and `nib http` (the completion APIs editors already call).

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use super::{parse_settings, runtime};

/// Options of `nib http`.
#[derive(clap::Args)]
pub(crate) struct HttpArgs {
    /// Port to listen on (8012 is where llama.vim and llama.vscode look; 0 picks a free one).
    #[arg(long, default_value_t = nib::http::DEFAULT_PORT)]
    port: u16,
    /// Address to listen on; any other than loopback needs --token-file.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// A file (mode 0600) holding the token clients must send as `Authorization: Bearer`;
    /// read again when it changes, so a new token needs no restart.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// A host name clients may reach the server by, besides loopback and this machine's
    /// addresses (repeat it for more); with a non-loopback --bind, the token guards the rest.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// The model: a name from `nib model list` or a .gguf path (the default model when left out).
    #[arg(long)]
    model: Option<String>,
    /// Settings as an editor would send them, e.g. '{"threads": 2}'.
    #[arg(long, default_value = "{}")]
    settings: String,
}

pub(crate) fn lsp() -> Result<()> {
    let runtime = runtime()?;
    runtime.block_on(nib::lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    // After `exit` the editor may keep stdin open: a read still waiting on it must not
    // keep the process alive.
    runtime.shutdown_background();
    Ok(())
}

pub(crate) fn http(args: HttpArgs) -> Result<()> {
    let mut settings = parse_settings(&args.settings)?;
    if let Some(model) = args.model {
        settings["model"] = json!(model);
    }
    let loaded = nib::config::Settings::from_json(&settings)?;
    for warning in &loaded.warnings {
        eprintln!("nib: {warning}");
    }
    let options = nib::http::Options {
        bind: args.bind,
        port: args.port,
        token_file: args.token_file,
        allow_hosts: args.allow_host,
        settings: loaded.settings,
    };
    runtime()?.block_on(nib::http::serve(options))
}
