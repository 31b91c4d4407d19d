//! A storm of requests with the real default model: 1,000 inline completions over 20
//! documents in about 10 s, most cancelled. Every request is answered or cancelled, the
//! engine is idle soon after the last one, and memory comes back to where it was.
//! One test in its own process, so that its memory is its own.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use nib::lsp::harness::{LspClient, position_params};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const REQUESTS: usize = 1000;
const DOCUMENTS: usize = 20;
/// The gap between requests: 1,000 in 10 s.
const GAP: Duration = Duration::from_millis(10);

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok());
    kb.unwrap_or(0.0) / 1024.0
}

/// The corpus files, each open under several names: (uri, lines).
async fn open_documents(client: &LspClient) -> Vec<(String, Vec<String>)> {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/corpus");
    let mut files: Vec<_> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e == "py" || e == "js" || e == "ts" || e == "rs" || e == "go")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut documents = Vec::new();
    for i in 0..DOCUMENTS {
        let path = &files[i % files.len()];
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let uri = common::uri(&format!("storm/{i}/{name}"));
        let language = match path.extension().unwrap().to_str().unwrap() {
            "py" => "python",
            "js" => "javascript",
            "ts" => "typescript",
            "rs" => "rust",
            _ => "go",
        };
        client.open(&uri, language, &text).await;
        documents.push((uri, text.lines().map(str::to_owned).collect()));
    }
    documents
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_mostly_cancelled_requests_are_all_answered_and_leave_nothing_behind() {
    common::pull_model();
    // SAFETY: the only test in this binary.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = Arc::new(LspClient::in_process());
    let utf8 = json!({"general": {"positionEncodings": ["utf-8"]}});
    client.initialize(utf8, json!({})).await.unwrap();
    common::wait_for_model(&client).await;
    let engine = client.completer().await.engine().clone();
    let documents = open_documents(&client).await;
    let mut rng = StdRng::seed_from_u64(1000);
    let position = |rng: &mut StdRng, lines: &[String]| {
        let line = rng.random_range(0..lines.len());
        (line as u32, lines[line].len() as u32)
    };
    // One round over every document first: the storm starts from a warm server.
    for (uri, lines) in &documents {
        let (line, character) = position(&mut rng, lines);
        client
            .inline_completion(uri, line, character)
            .await
            .unwrap();
    }
    let rss_before = rss_mb();

    let started = Instant::now();
    let mut answers = Vec::new();
    for i in 0..REQUESTS {
        let (uri, lines) = &documents[rng.random_range(0..DOCUMENTS)];
        let (line, character) = position(&mut rng, lines);
        let params = position_params(uri, line, character, json!({"triggerKind": 2}));
        let (id, answer) = client
            .send_request("textDocument/inlineCompletion", params)
            .await;
        // Most are cancelled by the editor a moment later, as typing goes on.
        let cancel_after = rng
            .random_bool(0.85)
            .then(|| Duration::from_millis(rng.random_range(0..40)));
        let client = Arc::clone(&client);
        answers.push(tokio::spawn(async move {
            if let Some(delay) = cancel_after {
                tokio::time::sleep(delay).await;
                client.notify("$/cancelRequest", json!({"id": id})).await;
            }
            tokio::time::timeout(Duration::from_secs(120), answer).await
        }));
        tokio::time::sleep_until((started + GAP * (i as u32 + 1)).into()).await;
    }
    let (mut answered, mut cancelled) = (0, 0);
    for answer in answers {
        match answer.await.unwrap().expect("every request gets an answer") {
            Ok(_) => answered += 1,
            Err(error) if error.code == -32800 => cancelled += 1,
            Err(error) => panic!("a request failed: {error}"),
        }
    }
    let last_answered = Instant::now();
    eprintln!(
        "{REQUESTS} requests in {:.1} s: {answered} answered, {cancelled} cancelled",
        (last_answered - started).as_secs_f64()
    );
    assert_eq!(answered + cancelled, REQUESTS);
    assert!(cancelled > REQUESTS / 2, "most were cancelled: {cancelled}");

    // No backlog of abandoned work: the engine goes idle at once.
    while engine.activity().busy && last_answered.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let idle_after = last_answered.elapsed();
    eprintln!(
        "engine idle {:.0} ms after the last answer",
        idle_after.as_secs_f64() * 1000.0
    );
    assert!(idle_after < Duration::from_secs(1), "{idle_after:?}");

    let rss_after = rss_mb();
    eprintln!("RSS before the storm {rss_before:.0} MB, after {rss_after:.0} MB");
    assert!(
        rss_after < rss_before + 64.0,
        "{rss_before:.0} -> {rss_after:.0} MB"
    );

    // And the next request is answered.
    let (uri, lines) = &documents[0];
    let (line, character) = position(&mut rng, lines);
    client
        .inline_completion(uri, line, character)
        .await
        .unwrap();
}
