//! `nib complete`: one completion at FILE:LINE:COL through the LSP path, with its latency.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde_json::json;

use nib::completion::Completer;
use nib::engine::EngineStatus;
use nib::lsp::harness::LspClient;

use super::{parse_settings, runtime};

/// Options of `nib complete`.
#[derive(clap::Args)]
pub(crate) struct CompleteArgs {
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

pub(crate) fn complete(args: CompleteArgs) -> Result<()> {
    let CompleteArgs {
        location,
        follow,
        timeout,
        settings,
    } = args;
    let settings = parse_settings(&settings)?;
    let location = parse_location(&location)?;
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
        if e.cold {
            println!(
                "[{label}] answered from the short window of a new spot (setting `cold_tokens`); the full window is read behind it, and suggestions less sure than the model's `cold_min` are not shown"
            );
        }
        if let Some(x) = &t.escalation {
            let outcome = match (&x.failed, x.used) {
                (Some(why), _) => format!("no answer: {why}"),
                (None, true) => "its answer is shown".into(),
                (None, false) => "it had nothing to show".into(),
            };
            let read = x
                .prompt_tokens
                .map(|n| format!(", a {n}-token prompt"))
                .unwrap_or_default();
            println!(
                "[{label}] escalated to {} ({:.0} ms{read}): {outcome}; the small model's was {:?}",
                x.target, x.ms, x.small
            );
        }
    }
    Ok(text)
}
