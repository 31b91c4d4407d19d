//! The `nib` command line: the server, one-off completions, models and checks.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

use nib::completion::Completer;
use nib::engine::EngineStatus;
use nib::lsp::harness::LspClient;
use nib::model::{self, PullProgress};

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
    Complete {
        /// Where to complete, e.g. src/app.py:12:18
        location: String,
        /// Also type the suggestion's first character and ask again, to show the warm (KV-reuse) latency.
        #[arg(long)]
        follow: bool,
        /// Seconds to wait for the model to load.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// Settings as the editor would send them, e.g. '{"threads": 2}'.
        #[arg(long, default_value = "{}")]
        settings: String,
    },
    /// Serve the completion APIs editors already call (OpenAI, Ollama, llama.cpp's server) on loopback.
    ///
    /// OpenAI's /v1/completions (Zed's edit predictions, Continue), Ollama's /api/generate,
    /// llama.cpp's /infill (llama.vim, llama.vscode), through the same engine as the
    /// language server.
    Http {
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
    },
    /// Fetch or list models.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Check the model, grammars, settings and machine, and say how to fix what is wrong.
    Doctor,
    /// Score suggestions against held-out lines of real code (exact match, edit similarity).
    Eval {
        /// The eval set: a folder with cases.jsonl and files/.
        #[arg(long, default_value = "benches/eval")]
        set: PathBuf,
        /// `none` (the base model), `auto` (chosen per document) or an adapter's name.
        #[arg(long, default_value = "auto")]
        adapter: String,
        /// Only cases of these frameworks, e.g. react,axum.
        #[arg(long)]
        framework: Option<String>,
        /// At most this many cases per framework.
        #[arg(long)]
        limit: Option<usize>,
        /// Print every case: what was expected and what came.
        #[arg(long)]
        verbose: bool,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Settings for nib; the default gives generation 2 s so that quality does not
        /// depend on how busy the machine is (latency is still measured).
        #[arg(long, default_value = r#"{"deadline_ms": 2000}"#)]
        settings: String,
    },
    /// Write training examples (prompt + middle, JSON lines) laid out as the server prompts.
    #[command(hide = true)]
    Dataset(DatasetArgs),
    /// Choose the tokens a trimmed vocabulary keeps, from the tokens of a code corpus.
    #[command(hide = true)]
    Vocab(VocabArgs),
    /// Measure latency over a typing simulation, against a baseline without reuse.
    Bench {
        /// Folder of source files to type in.
        #[arg(long, default_value = "benches/corpus")]
        corpus: PathBuf,
        /// Lines typed in each file.
        #[arg(long, default_value_t = 3)]
        lines: usize,
        /// Seed of the choice of lines and of the gaps between keystrokes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Skip the baseline run.
        #[arg(long)]
        no_baseline: bool,
        /// Also type for this many seconds with 50 files of 1,000 lines open: memory, and the
        /// first and last rounds' latency and CPU per keystroke.
        #[arg(long, value_name = "SECONDS")]
        soak: Option<u64>,
        /// Also decode the same suggestions without and with speculative drafts.
        #[arg(long)]
        speculative: bool,
        /// Also type the same lines through `nib http`'s /infill, as llama.vim asks.
        #[arg(long)]
        infill: bool,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Settings for nib (not the baseline's reuse switch), e.g. '{"threads": 2}'.
        #[arg(long, default_value = "{}")]
        settings: String,
    },
}

/// Options of `nib dataset`.
#[derive(clap::Args)]
struct DatasetArgs {
    /// Package folders; each source file in them becomes examples.
    #[arg(required = true)]
    packages: Vec<PathBuf>,
    /// A TOML file whose [prompt] table is the layout (an adapter manifest, or
    /// models/train/template.toml).
    #[arg(long)]
    template: PathBuf,
    /// Write JSON lines here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the choice of holes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Holes per file.
    #[arg(long, default_value_t = 4)]
    per_file: usize,
    /// Share of holes that are block bodies, 0..1.
    #[arg(long, default_value_t = 0.25)]
    block_share: f64,
    /// Share of holes with the rest of the file cut off (writing at its end), 0..1.
    #[arg(long, default_value_t = 0.0)]
    end_share: f64,
    /// Settings as the editor would send them (context_tokens shapes the prompts).
    #[arg(long, default_value = "{}")]
    settings: String,
}

/// Options of `nib vocab`.
#[derive(clap::Args)]
struct VocabArgs {
    /// Package folders of the corpus: their source files are tokenized and counted.
    #[arg(required_unless_present = "apply")]
    packages: Vec<PathBuf>,
    /// The model whose tokens are chosen (a manifest name).
    #[arg(long, default_value = "gemma-3-270m")]
    model: String,
    /// Keep a token seen at least this many times in the corpus.
    #[arg(long, default_value_t = 1)]
    min_count: u64,
    /// Write the list here (models/vocab/<name>.txt); stdout when left out.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Instead of choosing, report how much of the corpus's text this list's tokens cover.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["out", "min_count"])]
    coverage: Option<PathBuf>,
    /// Instead of choosing, write the model trimmed to this list as the GGUF file --out.
    #[arg(long, value_name = "LIST", requires = "out", conflicts_with_all = ["coverage", "packages"])]
    apply: Option<PathBuf>,
    /// With --apply: store the Q5_0 and Q6_K matrices as Q8_0 (as the default model does).
    #[arg(long, requires = "apply")]
    widen_to_q8_0: bool,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Download a model into the cache and verify it (a no-op when present); a trimmed model
    /// (the default) is written from the model it trims, which is downloaded.
    Pull {
        /// A manifest name from `nib model list`; the default model when left out.
        name: Option<String>,
    },
    /// Show the known models, which are cached, and cached model files no model uses.
    List,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        None if cli.stdio => serve(),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::from(2);
        }
        Some(Command::Serve { .. }) => serve(),
        Some(Command::Complete {
            location,
            follow,
            timeout,
            settings,
        }) => parse_settings(&settings)
            .and_then(|settings| complete(&location, follow, timeout, settings)),
        Some(Command::Http {
            port,
            bind,
            token_file,
            allow_host,
            model,
            settings,
        }) => parse_settings(&settings).and_then(|mut settings| {
            if let Some(model) = model {
                settings["model"] = json!(model);
            }
            let loaded = nib::config::Settings::from_json(&settings)?;
            for warning in &loaded.warnings {
                eprintln!("nib: {warning}");
            }
            let options = nib::http::Options {
                bind,
                port,
                token_file,
                allow_hosts: allow_host,
                settings: loaded.settings,
            };
            runtime()?.block_on(nib::http::serve(options))
        }),
        Some(Command::Model {
            command: ModelCommand::Pull { name },
        }) => pull(name.as_deref()),
        Some(Command::Model {
            command: ModelCommand::List,
        }) => list(),
        Some(Command::Doctor) => return nib::doctor::run(),
        Some(Command::Dataset(args)) => dataset(&args),
        Some(Command::Vocab(args)) => vocab(&args),
        Some(Command::Eval {
            set,
            adapter,
            framework,
            limit,
            verbose,
            json,
            settings,
        }) => parse_settings(&settings).and_then(|mut settings| {
            settings["adapter"] = json!(adapter);
            let options = nib::eval::Options {
                set,
                settings,
                framework,
                limit,
                verbose,
                load_timeout: Duration::from_secs(120),
            };
            let report = runtime()?.block_on(nib::eval::run(&options))?;
            if json {
                println!("{}", report.json());
            } else {
                print!("{}", report.table());
            }
            Ok(())
        }),
        Some(Command::Bench {
            corpus,
            lines,
            seed,
            no_baseline,
            soak,
            speculative,
            infill,
            json,
            settings,
        }) => {
            let settings = match parse_settings(&settings) {
                Ok(settings) => settings,
                Err(e) => {
                    eprintln!("nib: {e:#}");
                    return ExitCode::FAILURE;
                }
            };
            let options = nib::bench::Options {
                settings,
                corpus,
                lines_per_file: lines,
                seed,
                baseline: !no_baseline,
                cold: true,
                soak: soak.map(Duration::from_secs),
                speculative,
                infill,
                load_timeout: Duration::from_secs(120),
            };
            bench(&options, json)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nib: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr (stdout carries LSP); `NIB_LOG` sets the filter, e.g. `NIB_LOG=debug`.
/// llama.cpp's own warnings are left out by default: they are about choices nib makes on
/// purpose (a full-size sliding-window cache, adapters computed beside AMX weights), and
/// what goes wrong reaches the user as nib's own error.
fn init_logging() {
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

fn serve() -> Result<()> {
    let runtime = runtime()?;
    runtime.block_on(nib::lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    // After `exit` the editor may keep stdin open: a read still waiting on it must not
    // keep the process alive.
    runtime.shutdown_background();
    Ok(())
}

fn bench(options: &nib::bench::Options, json: bool) -> Result<()> {
    let report = runtime()?.block_on(nib::bench::run(options))?;
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

fn dataset(args: &DatasetArgs) -> Result<()> {
    use std::io::Write;
    let text = std::fs::read_to_string(&args.template)
        .with_context(|| format!("cannot read {}", args.template.display()))?;
    let spec = nib::model::prompt_spec_of(&text)
        .with_context(|| format!("{} has no valid [prompt] table", args.template.display()))?;
    let settings = parse_settings(&args.settings)?;
    let options = nib::dataset::Options {
        packages: args.packages.clone(),
        seed: args.seed,
        per_file: args.per_file,
        block_share: args.block_share,
        end_share: args.end_share,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    runtime()?.block_on(async {
        let client = LspClient::in_process();
        client.initialize(json!({}), settings.clone()).await?;
        let completer = loaded_completer(&client).await?;
        // The server's own completer, laid out by the template.
        let manifest = nib::model::ModelManifest {
            prompt: spec,
            ..model::default_manifest()
        };
        let loaded = nib::config::Settings::from_json(&settings)?;
        let completer = Completer::new(
            completer.engine().clone(),
            &manifest,
            std::sync::Arc::new(std::sync::RwLock::new(loaded.settings)),
        );
        let made = nib::dataset::run(&options, &completer, |example| {
            serde_json::to_writer(&mut out, example)?;
            out.write_all(b"\n")
        })
        .await?;
        out.flush()?;
        eprintln!("{made} examples");
        client.shutdown().await;
        Ok(())
    })
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

fn vocab(args: &VocabArgs) -> Result<()> {
    use nib::model::gguf::GgufError;
    let manifest = model::find_manifest(&args.model)
        .with_context(|| format!("no model named {}: see `nib model list`", args.model))?;
    let path = model::model_path(&manifest);
    let unreadable = || {
        format!(
            "cannot read {} (run nib model pull {})",
            path.display(),
            manifest.name
        )
    };
    let read_list = |list: &PathBuf| -> Result<Vec<u32>> {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read {}", list.display()))?;
        nib::model::vocab::parse_list(&text).map_err(|e| anyhow::anyhow!("{}: {e}", list.display()))
    };
    if let (Some(list), Some(out)) = (&args.apply, &args.out) {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(out)
                .with_context(|| format!("cannot write {}", out.display()))?,
        );
        let how = nib::model::gguf::Trim {
            keep: &read_list(list)?,
            source_sha256: &manifest.sha256,
            widen_to_q8_0: args.widen_to_q8_0,
        };
        let n = nib::model::gguf::trim_vocabulary(&path, &mut file, how).map_err(|e| match e {
            GgufError::Write(e) => anyhow::anyhow!("cannot write {}: {e}", out.display()),
            e => anyhow::Error::new(e).context(unreadable()),
        })?;
        std::io::Write::flush(&mut file)?;
        eprintln!("wrote {} with {n} tokens", out.display());
        return Ok(());
    }
    let header = nib::model::gguf::read_header(&path).with_context(unreadable)?;
    let (tokens, types) = (header.tokens()?, header.token_types()?);
    let registry = nib::language::LanguageRegistry::builtin();
    let mut counts = vec![0u64; tokens.len()];
    let (mut files, mut bytes) = (0, 0);
    runtime()?.block_on(async {
        let client = LspClient::in_process();
        let settings = json!({ "model": manifest.name, "adapter": "none" });
        client.initialize(json!({}), settings).await?;
        let completer = loaded_completer(&client).await?;
        for package in &args.packages {
            for (_, text) in nib::dataset::source_files(package, registry)? {
                let ids = completer
                    .engine()
                    .token_ids(&text)
                    .context("the model is not loaded")?;
                for id in ids {
                    counts[id as usize] += 1;
                }
                files += 1;
                bytes += text.len();
            }
        }
        client.shutdown().await;
        anyhow::Ok(())
    })?;
    let seen = counts.iter().filter(|&&c| c > 0).count();
    if let Some(list) = &args.coverage {
        let keep = read_list(list)?;
        let total: u64 = counts.iter().sum();
        let kept: u64 = keep.iter().filter_map(|&id| counts.get(id as usize)).sum();
        let kept_seen = keep
            .iter()
            .filter(|&&id| counts.get(id as usize).is_some_and(|&c| c > 0))
            .count();
        println!(
            "{:.3}% of {total} tokens ({kept_seen} of {seen} distinct) in {files} files ({bytes} bytes) are kept by {}",
            100.0 * kept as f64 / total.max(1) as f64,
            list.display()
        );
        return Ok(());
    }
    let keep = nib::model::vocab::select(&tokens, &types, &counts, args.min_count);
    let comment = format!(
        "Tokens of {} (ids) kept by the trimmed model: {} of {}.\n\
         Made by `nib vocab --min-count {}` from the tokens of {files} source files ({bytes} bytes,\n\
         {seen} distinct tokens), with the special, byte and single-character tokens and every\n\
         token that is a substring of a kept one (so that tokenizing stays exact).",
        manifest.name,
        keep.len(),
        tokens.len(),
        args.min_count,
    );
    let list = nib::model::vocab::write_list(&keep, &comment);
    match &args.out {
        Some(out) => {
            std::fs::write(out, list).with_context(|| format!("cannot write {}", out.display()))?
        }
        None => print!("{list}"),
    }
    eprintln!(
        "kept {} of {} tokens ({seen} seen in {files} files)",
        keep.len(),
        tokens.len()
    );
    Ok(())
}

fn pull(name: Option<&str>) -> Result<()> {
    let manifest = match name {
        Some(name) => model::find_manifest(name)
            .with_context(|| format!("no model named {name}: see `nib model list`"))?,
        None => model::default_manifest(),
    };
    let started = Instant::now();
    let mut last_percent = u64::MAX;
    let path = model::pull(&manifest, &mut |progress| match progress {
        PullProgress::AlreadyPresent => eprintln!("{} is already in the cache", manifest.name),
        PullProgress::Downloading {
            part,
            parts,
            done,
            total,
        } => {
            let percent = (done * 100).checked_div(total).unwrap_or(0);
            if percent / 10 != last_percent / 10 || percent == 100 {
                eprintln!(
                    "downloading {} part {part}/{parts}: {percent}%",
                    manifest.name
                );
            }
            last_percent = percent;
        }
        PullProgress::Verifying => eprintln!("verifying sha256"),
        PullProgress::Trimming { tokens } => {
            eprintln!(
                "writing {} with a vocabulary of {tokens} tokens",
                manifest.name
            )
        }
        PullProgress::Done => eprintln!("done in {:.1} s", started.elapsed().as_secs_f64()),
    })?;
    println!("{}", path.display());
    Ok(())
}

fn list() -> Result<()> {
    let manifests = model::builtin_manifests();
    let width = manifests.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for manifest in manifests {
        let path = model::model_path(&manifest);
        let state = if path.exists() {
            format!("cached at {}", path.display())
        } else {
            "not pulled".into()
        };
        println!(
            "{:<width$} {:>7.1} MB  {}  ({state})",
            manifest.name,
            manifest.size as f64 / 1e6,
            manifest.description
        );
    }
    for (path, size) in model::unused_cache_files() {
        println!(
            "{:<width$} {:>7.1} MB  no model uses it; delete it to free the space  ({})",
            "(unused)",
            size as f64 / 1e6,
            path.display()
        );
    }
    if let Ok(path) = std::env::var("NIB_MODEL") {
        println!("NIB_MODEL={path} overrides the model");
    }
    Ok(())
}

/// A parsed FILE:LINE:COL.
struct Location {
    path: PathBuf,
    line: usize,
    column: usize,
}

fn parse_location(location: &str) -> Result<Location> {
    let mut parts = location.rsplitn(3, ':');
    let (Some(column), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("expected FILE:LINE:COL (1-based), got {location}");
    };
    let number = |s: &str, what: &str| -> Result<usize> {
        s.parse::<usize>()
            .ok()
            .filter(|&n| n >= 1)
            .with_context(|| format!("{what} must be a number from 1, got {s}"))
    };
    Ok(Location {
        path: PathBuf::from(path),
        line: number(line, "LINE")?,
        column: number(column, "COL")?,
    })
}

/// Settings given on the command line, as JSON.
fn parse_settings(text: &str) -> Result<serde_json::Value> {
    let value: serde_json::Value =
        serde_json::from_str(text).with_context(|| format!("--settings is not JSON: {text}"))?;
    nib::config::Settings::from_json(&value)?;
    Ok(value)
}

fn complete(location: &str, follow: bool, timeout: u64, settings: serde_json::Value) -> Result<()> {
    let location = parse_location(location)?;
    let text = std::fs::read_to_string(&location.path)
        .with_context(|| format!("cannot read {} as UTF-8 text", location.path.display()))?;
    let Some(line_text) = text.split('\n').nth(location.line - 1) else {
        bail!(
            "{} has {} lines; line {} is past its end",
            location.path.display(),
            text.split('\n').count(),
            location.line
        );
    };
    let line_chars = line_text.trim_end_matches('\r').chars().count();
    if location.column > line_chars + 1 {
        bail!(
            "line {} has {line_chars} characters; column {} is past its end (the last is {})",
            location.line,
            location.column,
            line_chars + 1
        );
    }
    // nib negotiates UTF-8 positions with this client: the column in bytes.
    let byte_column: usize = line_text
        .chars()
        .take(location.column - 1)
        .map(char::len_utf8)
        .sum();
    let absolute = std::fs::canonicalize(&location.path)?;
    let uri = nib::document::uri::from_path(&absolute);

    runtime()?.block_on(async {
        let client = LspClient::in_process();
        let capabilities = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
        client.initialize(capabilities, settings).await?;
        client.open(&uri, "", &text).await;
        let completer = client.completer().await;
        let engine = completer.engine();
        let load_start = Instant::now();
        match engine.wait_loaded(Duration::from_secs(timeout)).await {
            EngineStatus::Ready => {
                eprintln!("model loaded in {} ms", load_start.elapsed().as_millis())
            }
            EngineStatus::Failed(message) => bail!("{message}"),
            EngineStatus::Loading => bail!("the model did not load within {timeout} s"),
        }
        let language = nib::language::LanguageRegistry::builtin().detect(None, &uri);
        let snapshot = nib::document::Document::open(&text, 1, language).snapshot();
        println!("{}", completer.describe(&uri, &snapshot));
        let line = (location.line - 1) as u32;
        let first = ask(&client, &completer, &uri, line, byte_column as u32, "cold").await?;
        if follow {
            let Some(typed) = first.as_ref().and_then(|s| s.chars().next()) else {
                bail!("no suggestion to follow");
            };
            // Type the suggestion's first character (answered from the suggestion itself),
            // then one that leaves it (the model runs again, on its KV cache).
            let other = if first
                .as_deref()
                .is_some_and(|s| s[typed.len_utf8()..].starts_with('x'))
            {
                'y'
            } else {
                'x'
            };
            let mut column = byte_column;
            for (version, (ch, label)) in [
                (typed, "typed through"),
                (other, "after a 1-character edit"),
            ]
            .into_iter()
            .enumerate()
            {
                let text = ch.to_string();
                client
                    .insert(&uri, version + 2, line, column as u32, &text)
                    .await;
                column += ch.len_utf8();
                println!("typed {ch:?}");
                ask(&client, &completer, &uri, line, column as u32, label).await?;
            }
        }
        client.shutdown().await;
        Ok(())
    })
}

/// One inline completion request; prints the suggestion and its latency split.
async fn ask(
    client: &LspClient,
    completer: &Completer,
    uri: &str,
    line: u32,
    character: u32,
    label: &str,
) -> Result<Option<String>> {
    let before = completer.counters();
    let started = Instant::now();
    let answer = client.inline_completion(uri, line, character).await?;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    let item = &answer["items"][0];
    let text = item["insertText"].as_str().map(str::to_string);
    match &text {
        Some(text) => println!("[{label}] suggestion: {text:?}"),
        None => println!("[{label}] no suggestion"),
    }
    let after = completer.counters();
    if after.typed_through > before.typed_through {
        println!("[{label}] {wall:.1} ms, answered from the suggestion being typed (no model run)");
    } else if after.generations == before.generations {
        println!("[{label}] {wall:.1} ms, the model did not run");
    } else if let Some(t) = completer.last_timings() {
        let e = &t.engine;
        let confidence = t.confidence;
        println!(
            "[{label}] confidence {confidence:.2}; latency {wall:.0} ms = context {:.1} ms + prefill {} tokens in {:.0} ms (reused {} and moved {} of {}) + decode {} tokens in {:.0} ms ({} of {} drafted tokens right)",
            t.context_ms,
            e.prefill_tokens,
            e.prefill_ms,
            e.reused_tokens,
            e.moved_tokens,
            e.prompt_tokens,
            e.decode_tokens,
            e.decode_ms,
            e.accepted,
            e.drafted
        );
    }
    Ok(text)
}
