//! The typing simulation: an editor that types a line one character at a time and asks
//! for an inline completion after each keystroke, cancelling the previous request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::corpus::{CorpusFile, Rng, targets};
use super::report::cpu_seconds;
use crate::completion::{Completer, Counters};
use crate::lsp::harness::{LspClient, position_params};

/// Gap between keystrokes, in milliseconds.
const GAP_MS: std::ops::Range<u64> = 40..120;
/// Longest wait for the answer to the last keystroke of a line.
const LAST_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// What happened to one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub latency_ms: f64,
    pub cancelled: bool,
    pub suggested: bool,
}

/// Everything measured in one run of the simulation.
#[derive(Debug, Default)]
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub keystrokes: usize,
    pub cpu_seconds: f64,
    pub counters: Counters,
}

/// An in-process server with the given settings, once its model is loaded.
pub async fn start(
    options: Value,
    timeout: Duration,
) -> anyhow::Result<(LspClient, Arc<Completer>)> {
    let client = LspClient::in_process();
    let capabilities = json!({"general": {"positionEncodings": ["utf-8"]}});
    client.initialize(capabilities, options).await?;
    let completer = client.completer().await;
    match completer.engine().wait_loaded(timeout).await {
        crate::engine::EngineStatus::Ready => Ok((client, completer)),
        crate::engine::EngineStatus::Failed(message) => anyhow::bail!("{message}"),
        crate::engine::EngineStatus::Loading => anyhow::bail!("the model did not load in time"),
    }
}

/// Types `lines_per_file` lines of every corpus file, each in a newly opened document;
/// stops early once `until` passes.
pub async fn type_corpus(
    client: &LspClient,
    completer: &Completer,
    corpus: &[CorpusFile],
    lines_per_file: usize,
    rng: &mut Rng,
    until: Option<Instant>,
) -> anyhow::Result<Run> {
    let before = completer.counters();
    let cpu_before = cpu_seconds();
    let mut run = Run::default();
    let mut n = 0;
    for file in corpus {
        for target in targets(&file.text, lines_per_file, rng) {
            if until.is_some_and(|t| Instant::now() >= t) {
                break;
            }
            n += 1;
            let uri = format!("file:///bench/{n}/{}", file.name);
            type_line(client, &uri, file, target.line, target.typed, rng, &mut run).await?;
        }
    }
    run.cpu_seconds = cpu_seconds() - cpu_before;
    run.counters = completer.counters() - before;
    Ok(run)
}

async fn type_line(
    client: &LspClient,
    uri: &str,
    file: &CorpusFile,
    line: usize,
    typed: usize,
    rng: &mut Rng,
    run: &mut Run,
) -> anyhow::Result<()> {
    let lines: Vec<&str> = file.text.split('\n').collect();
    let full = lines[line];
    let mut doc = lines[..line].join("\n");
    if line > 0 {
        doc.push('\n');
    }
    doc.push_str(&full[..typed]);
    doc.push('\n');
    doc.push_str(&lines[line + 1..].join("\n"));
    client.open(uri, file.language_id, &doc).await;

    let mut column = typed;
    let mut pending: Option<(i64, JoinHandle<Outcome>)> = None;
    for (version, ch) in full[typed..].chars().enumerate() {
        tokio::time::sleep(Duration::from_millis(
            GAP_MS.start + rng.below((GAP_MS.end - GAP_MS.start) as usize) as u64,
        ))
        .await;
        let text = ch.to_string();
        client
            .insert(uri, version + 2, line as u32, column as u32, &text)
            .await;
        column += ch.len_utf8();
        run.keystrokes += 1;
        if let Some((id, task)) = pending.take() {
            if !task.is_finished() {
                client.notify("$/cancelRequest", json!({"id": id})).await;
            }
            run.outcomes.push(task.await?);
        }
        let params = position_params(uri, line as u32, column as u32, json!({"triggerKind": 2}));
        let sent = Instant::now();
        let (id, answer) = client
            .send_request("textDocument/inlineCompletion", params)
            .await;
        let task = tokio::spawn(async move {
            let answer = answer.await;
            Outcome {
                latency_ms: sent.elapsed().as_secs_f64() * 1000.0,
                cancelled: answer.as_ref().is_err_and(|e| e.code == -32800),
                suggested: answer
                    .is_ok_and(|a| a["items"].as_array().is_some_and(|i| !i.is_empty())),
            }
        });
        pending = Some((id, task));
    }
    if let Some((_, task)) = pending {
        run.outcomes
            .push(tokio::time::timeout(LAST_ANSWER_TIMEOUT, task).await??);
    }
    client.close(uri).await;
    Ok(())
}

/// Latency of the first request on a newly opened file, at the end of its line `line`.
pub async fn cold_request(
    client: &LspClient,
    file: &CorpusFile,
    line: usize,
) -> anyhow::Result<f64> {
    let uri = format!("file:///bench/cold/{}", file.name);
    client.open(&uri, file.language_id, &file.text).await;
    let column = file.text.split('\n').nth(line).map_or(0, str::len);
    let started = Instant::now();
    client
        .inline_completion(&uri, line as u32, column as u32)
        .await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    client.close(&uri).await;
    Ok(ms)
}
