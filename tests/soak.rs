//! Both fronts at once, on the default model, under a mixed load: an editor typing with
//! cancels and opening and closing documents over LSP, two llama.vim-like clients on
//! `/infill`, and a streaming client that hangs up mid-stream every 20th request. Every
//! request must be answered, and memory, file descriptors and threads must not grow once
//! the servers are warm.
//!
//! `NIB_SOAK_SECS` sets the length (60 by default; README's figures come from 600).

mod common;

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::Server;
use nib::lsp::harness::{LspClient, position_params};
use serde_json::json;

/// Longest a request may take to be answered before it counts as unanswered.
const ANSWER_WITHIN: Duration = Duration::from_secs(90);
/// Growth allowed between the first sample after warm-up and the last.
const RSS_GROWTH_MB: f64 = 64.0;
const FD_GROWTH: i64 = 4;
const THREAD_GROWTH: i64 = 4;

/// What a process holds at one moment.
#[derive(Debug, Clone, Copy)]
struct Usage {
    rss_mb: f64,
    fds: i64,
    threads: i64,
}

fn usage(pid: u32) -> Usage {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(-1, |d| d.count() as i64);
    Usage {
        rss_mb: field("VmRSS:") as f64 / 1024.0,
        fds,
        threads: field("Threads:"),
    }
}

/// Latencies of the answered requests of one front, and how many were not answered.
#[derive(Default)]
struct Tally {
    answered_ms: Vec<f64>,
    cancelled: usize,
    unanswered: Vec<String>,
}

impl Tally {
    /// The nearest-rank percentile of the answered requests' latencies.
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.answered_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied().unwrap_or(0.0)
    }
}

type Shared = Arc<Mutex<Tally>>;

/// The module the editor types into, and the code it types (line by line).
const MODULE: &str =
    "import os\n\n\ndef sizes(folder):\n    \"\"\"File sizes under folder.\"\"\"\n    out = {}\n";
const TYPED: &str = "    for name in os.listdir(folder):\n        path = os.path.join(folder, name)\n        out[name] = os.path.getsize(path)\n    return out\n\n\ndef largest(folder):\n    return max(sizes(folder).items(), key=lambda kv: kv[1])\n";

/// Types TYPED into a document, one key every 40-120 ms, asking for an inline completion
/// at every key and cancelling the one before (as editors do), with a pause of 800 ms
/// after every line; starts over in a fresh document when the text runs out.
async fn type_with_cancels(client: Arc<LspClient>, until: Instant, tally: Shared) {
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        let uri = common::uri(&format!("typed{round}.py"));
        client.open(&uri, "python", MODULE).await;
        let (mut line, mut column, mut version) = (MODULE.lines().count() as u32, 0u32, 1);
        let mut previous: Option<i64> = None;
        for (i, key) in TYPED.chars().enumerate() {
            if Instant::now() >= until {
                break;
            }
            version += 1;
            client
                .insert(&uri, version, line, column, &key.to_string())
                .await;
            if key == '\n' {
                (line, column) = (line + 1, 0);
            } else {
                column += 1;
            }
            if let Some(id) = previous.take() {
                client.notify("$/cancelRequest", json!({"id": id})).await;
            }
            let params = position_params(&uri, line, column, json!({"triggerKind": 2}));
            let (id, answer) = client
                .send_request("textDocument/inlineCompletion", params)
                .await;
            previous = Some(id);
            let tally = Arc::clone(&tally);
            let asked = Instant::now();
            let waited = tokio::spawn(async move {
                let got = tokio::time::timeout(ANSWER_WITHIN, answer).await;
                let mut tally = tally.lock().unwrap();
                match got {
                    Ok(Ok(_)) => tally
                        .answered_ms
                        .push(asked.elapsed().as_secs_f64() * 1000.0),
                    Ok(Err(e)) if e.code == -32800 => tally.cancelled += 1,
                    Ok(Err(e)) => tally.unanswered.push(format!("lsp key {i}: {e}")),
                    Err(_) => tally.unanswered.push(format!("lsp key {i}: no answer")),
                }
            });
            if key == '\n' {
                // A pause: the editor waits for this one's answer.
                previous = None;
                let _ = waited.await;
                tokio::time::sleep(Duration::from_millis(800)).await;
            } else {
                let gap = 40 + (i as u64 * 37) % 80;
                tokio::time::sleep(Duration::from_millis(gap)).await;
            }
        }
        client.close(&uri).await;
    }
}

/// Opens a document, asks for one completion in it and closes it, every 3 s.
async fn open_and_close(client: Arc<LspClient>, until: Instant, tally: Shared) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let uri = common::uri(&format!("opened{n}.py"));
        let text = format!("def f{n}(x):\n    return x * {n}\n\n\nprint(f{n}(");
        client.open(&uri, "python", &text).await;
        let asked = Instant::now();
        let got = tokio::time::timeout(ANSWER_WITHIN, client.inline_completion(&uri, 4, 9)).await;
        {
            let mut tally = tally.lock().unwrap();
            match got {
                Ok(Ok(_)) => tally
                    .answered_ms
                    .push(asked.elapsed().as_secs_f64() * 1000.0),
                Ok(Err(e)) => tally.unanswered.push(format!("opened{n}: {e}")),
                Err(_) => tally.unanswered.push(format!("opened{n}: no answer")),
            }
        }
        client.close(&uri).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// A llama.vim-like client: `/infill` with its fields, one request after the other.
fn infill_client(server: &Server, agent: &str, until: Instant, tally: &Shared) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let body = json!({
            "input_prefix": "import os\n\n\ndef count(folder):\n",
            "input_suffix": "\n",
            "prompt": format!("    return len(os.listdir(folder)) + {n}"),
            "input_extra": [{"filename": "util.py", "text": "def helper():\n    pass\n"}],
            "n_predict": 32,
            "cache_prompt": true,
            "t_max_predict_ms": 500,
        });
        let asked = Instant::now();
        let answer = server.request(
            "POST",
            "/infill",
            &[("User-Agent", agent)],
            &body.to_string(),
        );
        let mut tally = tally.lock().unwrap();
        match answer.status {
            200 => tally
                .answered_ms
                .push(asked.elapsed().as_secs_f64() * 1000.0),
            status => tally
                .unanswered
                .push(format!("{agent} {n}: {status} {}", answer.body)),
        }
    }
}

/// A streaming client that reads every answer to its end but every 20th, where it hangs
/// up after the first bytes.
fn streaming_client(server: &Server, until: Instant, tally: &Shared) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let body = json!({
            "prompt": format!("def square_{n}(x):\n    return"),
            "max_tokens": 24,
            "stream": true,
        });
        let asked = Instant::now();
        let mut stream = server.send(
            "POST",
            "/v1/completions",
            &[("User-Agent", "streamer")],
            &body.to_string(),
        );
        let mut raw = Vec::new();
        let read = if n % 20 == 0 {
            let mut first = [0u8; 64];
            stream.read(&mut first).map(|k| raw.extend(&first[..k]))
        } else {
            stream.read_to_end(&mut raw).map(drop)
        };
        drop(stream);
        let text = String::from_utf8_lossy(&raw);
        let mut tally = tally.lock().unwrap();
        match read {
            Ok(()) if text.starts_with("HTTP/1.1 200") => tally
                .answered_ms
                .push(asked.elapsed().as_secs_f64() * 1000.0),
            Ok(()) => tally.unanswered.push(format!("stream {n}: {text}")),
            Err(e) => tally.unanswered.push(format!("stream {n}: {e}")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn both_fronts_answer_every_request_and_do_not_grow_under_a_mixed_load() {
    let secs: u64 = std::env::var("NIB_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let duration = Duration::from_secs(secs);
    common::pull_model();

    let (mut lsp, client) = common::spawn_serve(&[]);
    let lsp_pid = lsp.id().unwrap();
    let client = Arc::new(client);
    client.initialize(json!({}), json!({})).await.unwrap();
    common::wait_for_model(&client).await;
    let http = Arc::new(
        tokio::task::spawn_blocking(|| Server::ready(&[]))
            .await
            .unwrap(),
    );
    let http_pid = http.pid();

    let start = Instant::now();
    let until = start + duration;
    let (lsp_tally, http_tally) = (Shared::default(), Shared::default());
    let mut tasks = vec![
        tokio::spawn(type_with_cancels(
            Arc::clone(&client),
            until,
            Arc::clone(&lsp_tally),
        )),
        tokio::spawn(open_and_close(
            Arc::clone(&client),
            until,
            Arc::clone(&lsp_tally),
        )),
    ];
    for agent in ["llama.vim/a", "llama.vim/b"] {
        let (server, tally) = (Arc::clone(&http), Arc::clone(&http_tally));
        tasks.push(tokio::task::spawn_blocking(move || {
            infill_client(&server, agent, until, &tally)
        }));
    }
    {
        let (server, tally) = (Arc::clone(&http), Arc::clone(&http_tally));
        tasks.push(tokio::task::spawn_blocking(move || {
            streaming_client(&server, until, &tally)
        }));
    }

    // Samples every 30 s (a quarter of the run when shorter), the first one after warm-up.
    let every = Duration::from_secs(30).min(duration / 4);
    let mut samples: Vec<(f64, Usage, Usage)> = Vec::new();
    while Instant::now() < until {
        tokio::time::sleep(every.min(until.saturating_duration_since(Instant::now()))).await;
        let at = start.elapsed().as_secs_f64();
        samples.push((at, usage(lsp_pid), usage(http_pid)));
    }
    for task in tasks {
        task.await.expect("a load task failed");
    }
    // Requests still in flight at the end are answered too.
    samples.push((
        start.elapsed().as_secs_f64(),
        usage(lsp_pid),
        usage(http_pid),
    ));

    eprintln!("seconds  lsp RSS MB  fds  threads  http RSS MB  fds  threads");
    for (at, l, h) in &samples {
        eprintln!(
            "{at:7.0}  {:10.0}  {:3}  {:7}  {:11.0}  {:3}  {:7}",
            l.rss_mb, l.fds, l.threads, h.rss_mb, h.fds, h.threads
        );
    }
    let take = |tally: Shared| std::mem::take(&mut *tally.lock().unwrap());
    let (lsp_tally, http_tally) = (take(lsp_tally), take(http_tally));
    for (front, tally) in [("lsp", &lsp_tally), ("http", &http_tally)] {
        eprintln!(
            "{front}: {} answered (p50 {:.0} ms, p95 {:.0} ms), {} cancelled by the client, {} unanswered",
            tally.answered_ms.len(),
            tally.percentile(50.0),
            tally.percentile(95.0),
            tally.cancelled,
            tally.unanswered.len()
        );
        assert!(
            tally.unanswered.is_empty(),
            "{front}: {:?}",
            tally.unanswered
        );
        assert!(!tally.answered_ms.is_empty(), "{front}: nothing answered");
    }

    // Growth from the first sample after the first minute (or half the run) to the last.
    let warm = (secs as f64 / 2.0).min(60.0);
    let base = samples
        .iter()
        .find(|(at, _, _)| *at >= warm)
        .expect("a sample after warm-up");
    let last = samples.last().unwrap();
    for (front, before, after) in [("lsp", base.1, last.1), ("http", base.2, last.2)] {
        assert!(
            after.rss_mb <= before.rss_mb + RSS_GROWTH_MB
                && after.fds <= before.fds + FD_GROWTH
                && after.threads <= before.threads + THREAD_GROWTH,
            "{front} grew: {before:?} at {:.0} s -> {after:?} at {:.0} s",
            base.0,
            last.0
        );
    }
    client.shutdown().await;
    let _ = lsp.wait().await;
}
