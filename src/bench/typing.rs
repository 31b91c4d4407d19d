//! The typing simulation: an editor that types a line one character at a time and asks
//! for an inline completion after each keystroke, cancelling the previous request; over
//! LSP, or as llama.vim asks llama.cpp's server (`/infill` on `nib http`). It types as a
//! person does: bursts of keys, and pauses at word and punctuation boundaries and at the
//! line's end, where the user waits for a suggestion.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::corpus::{CorpusFile, Rng, targets};
use super::report::cpu_seconds;
use crate::completion::{Completer, Counters};
use crate::lsp::harness::{LspClient, position_params};

/// Gap between keystrokes in a burst, in milliseconds.
const GAP_MS: std::ops::Range<u64> = 40..120;
/// A pause after a keystroke, in milliseconds.
const PAUSE_MS: std::ops::Range<u64> = 300..1500;
/// One in this many word or punctuation boundaries is followed by a pause.
const PAUSE_EVERY: usize = 2;
/// Longest wait for the answer to the last keystroke of a line.
const LAST_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// What happened to one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub latency_ms: f64,
    pub cancelled: bool,
    pub suggested: bool,
    /// The pause that followed the keystroke, in ms; `None` inside a burst.
    pub pause_ms: Option<f64>,
}

/// A draw from `range` (milliseconds).
fn draw(rng: &mut Rng, range: &std::ops::Range<u64>) -> u64 {
    range.start + rng.below((range.end - range.start) as usize) as u64
}

/// The pause after typing `ch` (the last of the line when `last`): always at the line's
/// end, at one boundary in [`PAUSE_EVERY`], none inside a word.
fn pause_after(ch: char, last: bool, rng: &mut Rng) -> Option<u64> {
    let boundary = !(ch.is_alphanumeric() || ch == '_');
    (last || (boundary && rng.below(PAUSE_EVERY) == 0)).then(|| draw(rng, &PAUSE_MS))
}

/// Everything measured in one run of the simulation.
#[derive(Debug, Default)]
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub keystrokes: usize,
    pub cpu_seconds: f64,
    pub counters: Counters,
}

/// How the simulated editor asks for suggestions.
#[derive(Clone, Copy)]
pub enum Via<'c> {
    /// `textDocument/inlineCompletion`; the previous request cancelled with `$/cancelRequest`.
    Lsp(&'c LspClient),
    /// `POST /infill` to `nib http`, laid out as llama.vim does; the previous request's
    /// connection closed (llama.vim stops its curl job).
    Infill(SocketAddr),
}

/// Lines above and below the cursor llama.vim sends (its `n_prefix`, `n_suffix`).
const INFILL_LINES_BEFORE: usize = 256;
const INFILL_LINES_AFTER: usize = 64;

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
/// stops early once `until` passes. `completer`: nib's, whose counters the run reports
/// (`None` for a peer, another program).
pub async fn type_corpus(
    via: Via<'_>,
    completer: Option<&Completer>,
    corpus: &[CorpusFile],
    lines_per_file: usize,
    rng: &mut Rng,
    until: Option<Instant>,
) -> anyhow::Result<Run> {
    let counters = || completer.map(Completer::counters).unwrap_or_default();
    let before = counters();
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
            type_line(via, &uri, file, target.line, target.typed, rng, &mut run).await?;
        }
    }
    run.cpu_seconds = cpu_seconds() - cpu_before;
    run.counters = counters() - before;
    Ok(run)
}

async fn type_line(
    via: Via<'_>,
    uri: &str,
    file: &CorpusFile,
    line: usize,
    typed: usize,
    rng: &mut Rng,
    run: &mut Run,
) -> anyhow::Result<()> {
    let lines: Vec<&str> = file.text.split('\n').collect();
    let full = lines[line];
    if let Via::Lsp(client) = via {
        // The file with the line cut after its first `typed` bytes (/infill sends its own window).
        let mut doc = lines[..line].join("\n");
        if line > 0 {
            doc.push('\n');
        }
        doc.push_str(&full[..typed]);
        doc.push('\n');
        doc.push_str(&lines[line + 1..].join("\n"));
        client.open(uri, file.language_id, &doc).await;
    }

    let mut column = typed;
    let mut pending: Option<(Option<i64>, JoinHandle<Outcome>, Option<u64>)> = None;
    let mut gap = draw(rng, &GAP_MS);
    let rest = &full[typed..];
    for (version, ch) in rest.chars().enumerate() {
        tokio::time::sleep(Duration::from_millis(gap)).await;
        column += ch.len_utf8();
        run.keystrokes += 1;
        let pause = pause_after(ch, column == full.len(), rng);
        gap = pause.unwrap_or_else(|| draw(rng, &GAP_MS));
        let older = pending.take();
        let asked = match via {
            Via::Lsp(client) => {
                let text = ch.to_string();
                client
                    .insert(
                        uri,
                        version + 2,
                        line as u32,
                        (column - ch.len_utf8()) as u32,
                        &text,
                    )
                    .await;
                if let Some((id, task, paused)) = older {
                    if !task.is_finished() {
                        client.notify("$/cancelRequest", json!({"id": id})).await;
                    }
                    run.outcomes.push(with_pause(task.await?, paused));
                }
                let (id, task) = ask_lsp(client, uri, line, column).await;
                (Some(id), task)
            }
            Via::Infill(addr) => {
                // The rest of the line is not typed yet: it is not in the document. The
                // newer request cancels the older one (same client), which then answers.
                let body = infill_body(&lines, line, &full[..column]);
                let task = ask_infill(addr, body);
                if let Some((_, older, paused)) = older {
                    run.outcomes.push(with_pause(older.await?, paused));
                }
                (None, task)
            }
        };
        pending = Some((asked.0, asked.1, pause));
    }
    if let Some((_, task, paused)) = pending {
        let outcome = tokio::time::timeout(LAST_ANSWER_TIMEOUT, task).await??;
        run.outcomes.push(with_pause(outcome, paused));
    }
    if let Via::Lsp(client) = via {
        client.close(uri).await;
    }
    Ok(())
}

fn with_pause(outcome: Outcome, pause_ms: Option<u64>) -> Outcome {
    Outcome {
        pause_ms: pause_ms.map(|ms| ms as f64),
        ..outcome
    }
}

async fn ask_lsp(
    client: &LspClient,
    uri: &str,
    line: usize,
    column: usize,
) -> (i64, JoinHandle<Outcome>) {
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
            suggested: answer.is_ok_and(|a| a["items"].as_array().is_some_and(|i| !i.is_empty())),
            pause_ms: None,
        }
    });
    (id, task)
}

/// llama.vim's `/infill` body for the cursor at the end of `typed`, the start of line
/// `line` (whose old text is left out, as in the LSP document).
fn infill_body(lines: &[&str], line: usize, typed: &str) -> String {
    let before = &lines[line.saturating_sub(INFILL_LINES_BEFORE)..line];
    let after =
        &lines[(line + 1).min(lines.len())..(line + 1 + INFILL_LINES_AFTER).min(lines.len())];
    let mut prefix = before.join("\n");
    if !before.is_empty() {
        prefix.push('\n');
    }
    json!({
        "input_prefix": prefix,
        "prompt": typed,
        "input_suffix": format!("\n{}\n", after.join("\n")),
        "input_extra": [],
        "n_predict": 128,
        "t_max_predict_ms": 250,
        "cache_prompt": true,
        "stream": false,
    })
    .to_string()
}

/// Sends an `/infill` request on its own connection, as curl does.
fn ask_infill(addr: SocketAddr, body: String) -> JoinHandle<Outcome> {
    tokio::spawn(async move {
        let sent = Instant::now();
        let answer = post(addr, "/infill", &body).await;
        Outcome {
            latency_ms: sent.elapsed().as_secs_f64() * 1000.0,
            cancelled: answer.as_ref().is_ok_and(|a| a["cancelled"] == true),
            suggested: answer.is_ok_and(|a| a["content"].as_str().is_some_and(|c| !c.is_empty())),
            pause_ms: None,
        }
    })
}

/// POSTs JSON to a local `nib http` and reads the JSON answer (one connection per request).
async fn post(addr: SocketAddr, path: &str, body: &str) -> anyhow::Result<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    // One write: a body sent after the head would wait for the head's delayed ACK.
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8_lossy(&answer);
    let (_, json) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("not an HTTP answer"))?;
    Ok(serde_json::from_str(json)?)
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

/// How far a jump moves the cursor in an open file (half the file when it is shorter).
const JUMP_LINES: usize = 300;

/// The first suggestion at two new spots: a file just opened (the cursor a quarter of the
/// way in), then a jump of [`JUMP_LINES`] in it. With a dwell, the cursor rests at each
/// spot first and the editor says so as VS Code and Zed do
/// (`textDocument/documentHighlight`); then the request comes. Answers both latencies, ms.
pub async fn new_spots(
    client: &LspClient,
    file: &CorpusFile,
    dwell: Option<Duration>,
) -> anyhow::Result<[f64; 2]> {
    let uri = format!("file:///bench/spot/{}", file.name);
    client.open(&uri, file.language_id, &file.text).await;
    let lines: Vec<&str> = file.text.split('\n').collect();
    // The end of the first line with code at or after `from`.
    let code_at = |from: usize| {
        (from..lines.len())
            .chain(0..from)
            .find(|&i| !lines[i].trim().is_empty())
            .unwrap_or(0)
    };
    let opened = code_at(lines.len() / 4);
    let jumped = code_at((opened + JUMP_LINES.min(lines.len() / 2)) % lines.len().max(1));
    let mut latencies = [0.0; 2];
    for (latency, line) in latencies.iter_mut().zip([opened, jumped]) {
        let at = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": lines[line].len()}});
        if let Some(dwell) = dwell {
            // A server that offers no highlights answers an error, which editors ignore.
            let _ = client.request("textDocument/documentHighlight", at).await;
            tokio::time::sleep(dwell).await;
        }
        let started = Instant::now();
        client
            .inline_completion(&uri, line as u32, lines[line].len() as u32)
            .await?;
        *latency = started.elapsed().as_secs_f64() * 1000.0;
    }
    client.close(&uri).await;
    Ok(latencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_come_at_boundaries_and_line_ends_never_inside_a_word() {
        let mut rng = Rng::new(7);
        for _ in 0..200 {
            assert_eq!(pause_after('x', false, &mut rng), None);
            assert_eq!(pause_after('_', false, &mut rng), None);
            let end = pause_after('x', true, &mut rng).expect("a line ends in a pause");
            assert!(PAUSE_MS.contains(&end));
        }
        let at_boundaries = (0..400)
            .filter(|i| pause_after([' ', '(', '.', ','][i % 4], false, &mut rng).is_some())
            .count();
        assert!(
            (120..280).contains(&at_boundaries),
            "{at_boundaries} of 400"
        );
    }
}
