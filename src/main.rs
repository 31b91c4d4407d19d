//! The `nib` command line: the server, one-off completions, models and checks.
//!
//! The commands are declared here; each command group's code is a file under `cli/`.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cli::complete::CompleteArgs;
use cli::data::{DatasetArgs, VocabArgs};
use cli::measure::{BenchArgs, EvalArgs};
use cli::model::ModelCommand;
use cli::serve::HttpArgs;

/// nib: local code completion over LSP, with a small model running on your machine.
#[derive(Parser)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Serve LSP over stdio (what `nib serve` does; editors may pass it).
    #[arg(long)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve LSP over stdio (editors start nib this way).
    Serve {
        /// Accepted for clients that add it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Complete at FILE:LINE:COL (1-based; COL counts characters) through the LSP path and show the latency.
    Complete(CompleteArgs),
    /// Serve the completion APIs editors already call (OpenAI, Ollama, llama.cpp's server) on loopback.
    ///
    /// OpenAI's /v1/completions (Zed's edit predictions, Continue), Ollama's /api/generate,
    /// llama.cpp's /infill (llama.vim, llama.vscode), through the same engine as the
    /// language server.
    Http(HttpArgs),
    /// Fetch or list models.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Check the model, grammars, settings and machine, and say how to fix what is wrong.
    Doctor,
    /// Score suggestions against held-out lines of real code (exact match, edit similarity).
    Eval(EvalArgs),
    /// Write training examples (prompt + middle, JSON lines) laid out as the server prompts.
    #[command(hide = true)]
    Dataset(DatasetArgs),
    /// Choose the tokens a trimmed vocabulary keeps, from the tokens of a code corpus.
    #[command(hide = true)]
    Vocab(VocabArgs),
    /// Measure latency over a typing simulation, against a baseline without reuse.
    Bench(BenchArgs),
}

fn main() -> ExitCode {
    cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        None if cli.stdio => cli::serve::lsp(),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::from(2);
        }
        Some(Command::Serve { .. }) => cli::serve::lsp(),
        Some(Command::Complete(args)) => cli::complete::complete(args),
        Some(Command::Http(args)) => cli::serve::http(args),
        Some(Command::Model {
            command: ModelCommand::Pull { name },
        }) => cli::model::pull(name.as_deref()),
        Some(Command::Model {
            command: ModelCommand::List,
        }) => cli::model::list(),
        Some(Command::Doctor) => return nib::doctor::run(),
        Some(Command::Dataset(args)) => cli::data::dataset(&args),
        Some(Command::Vocab(args)) => cli::data::vocab(&args),
        Some(Command::Eval(args)) => cli::measure::eval(args),
        Some(Command::Bench(args)) => cli::measure::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nib: {e:#}");
            ExitCode::FAILURE
        }
    }
}
