//! Escalation to a larger model, end to end: a local one loaded in-process when first
//! needed, and llama.cpp's own server (built from source by scripts/llama-server and
//! started on loopback), which is killed mid-test and survived.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nib::completion::Escalation;
use nib::lsp::harness::LspClient;
use serde_json::{Value, json};

use common::server_with;

/// The default model, with a generation deadline that never cuts a suggestion short.
fn settings(escalation: Value) -> Value {
    let mut settings = json!({"deadline_ms": 60_000, "cold_tokens": 0});
    for (k, v) in escalation.as_object().unwrap() {
        settings[k] = v.clone();
    }
    settings
}

const SOURCE: &str = "import math\n\n\ndef circle_area(radius):\n    return math.pi * radius ** 2\n\n\ndef circle_circumference(radius):\n    return \n";

/// A file of `n` small functions above the cursor (at the end of its last line, the body
/// of `circle_circumference`), and that line.
fn many_functions(n: usize) -> (String, u32) {
    let mut source = String::from("import math\n\n");
    for i in 0..n {
        source.push_str(&format!(
            "\ndef area_{i}(radius):\n    return {i} * radius\n\n"
        ));
    }
    source.push_str("\ndef circle_circumference(radius):\n    return \n");
    let line = source.lines().count() as u32 - 1;
    (source, line)
}

/// A suggestion at the end of the file (the body of `circle_circumference`), and what
/// came of asking the larger model for it.
async fn ask(client: &LspClient, uri: &str) -> (String, Option<Escalation>) {
    let answer = client.inline_completion(uri, 8, 11).await.unwrap();
    let timings = client.completer().await.last_timings().unwrap();
    (common::insert_text(&answer), timings.escalation)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_larger_local_model_is_loaded_when_first_needed_and_answers() {
    // The larger tier is the default model loaded a second time: the same prompt, so the
    // same answer, whichever of the two gives it.
    let client = server_with(settings(json!({
        "escalate": "always",
        "escalate_to": {"model": "qwen2.5-coder-0.5b-code", "timeout_ms": 60_000},
    })))
    .await;
    let uri = common::uri("circles.py");
    client.open(&uri, "python", SOURCE).await;
    let (local, _) = {
        // Until the tier has loaded its model, the small model's answer is shown.
        let mut tries = 0;
        loop {
            let (text, escalation) = ask(&client, &uri).await;
            let escalation = escalation.expect("every request is escalated");
            assert_eq!(escalation.target, "qwen2.5-coder-0.5b-code");
            if escalation.used {
                break (text, escalation);
            }
            assert!(
                escalation
                    .failed
                    .as_deref()
                    .unwrap_or("")
                    .contains("loading"),
                "{escalation:?}"
            );
            tries += 1;
            assert!(tries < 600, "the larger model never answered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    assert!(local.contains("math.pi"), "{local:?}");
    assert_eq!(client.completer().await.counters().escalation_answers, 1);

    // Confident enough, the request stays with the small model.
    client
        .configure(settings(json!({
            "escalate_to": "qwen2.5-coder-0.5b-code",
            "escalate_below": 0.0,
        })))
        .await;
    let (text, escalation) = ask(&client, &uri).await;
    assert_eq!(text, local);
    assert_eq!(escalation, None);

    // A line's start has a threshold of its own: there the request goes, mid-line it stays.
    client
        .configure(settings(json!({
            "escalate_to": "qwen2.5-coder-0.5b-code",
            "escalate_below": 0.0,
            "escalate_below_line_start": 1.0,
        })))
        .await;
    assert_eq!(ask(&client, &uri).await.1, None, "mid-line");
    let start = common::uri("area.py");
    let text = "import math\n\n\ndef circle_area(radius):\n    ";
    client.open(&start, "python", text).await;
    client.inline_completion(&start, 4, 4).await.unwrap();
    let timings = client.completer().await.last_timings().unwrap();
    let escalation = timings.escalation.expect("a line's start escalates");
    assert_eq!(escalation.target, "qwen2.5-coder-0.5b-code");
    // It went for its threshold, not for want of an answer.
    assert!(escalation.small.is_some(), "{escalation:?}");

    // The larger model reads the small one's context, or one of its own size.
    let long = common::uri("long.py");
    let (source, line) = many_functions(200);
    client.open(&long, "python", &source).await;
    let mut read = Vec::new();
    for context_tokens in [None, Some(128)] {
        let mut target = json!({"model": "qwen2.5-coder-0.5b-code", "timeout_ms": 60_000});
        if let Some(n) = context_tokens {
            target["context_tokens"] = json!(n);
        }
        client
            .configure(settings(
                json!({"escalate": "always", "escalate_to": target}),
            ))
            .await;
        client.inline_completion(&long, line, 11).await.unwrap();
        let timings = client.completer().await.last_timings().unwrap();
        let escalation = timings.escalation.expect("every request is escalated");
        assert!(escalation.used, "{escalation:?}");
        read.push(
            escalation
                .prompt_tokens
                .expect("a local model's prompt is counted"),
        );
    }
    assert!(read[0] > 512, "the small model's context: {read:?}");
    assert!(read[1] <= 128, "a context of 128 tokens: {read:?}");
}

/// llama-server, built once from llama.cpp's sources (scripts/llama-server, cached).
fn llama_server_binary() -> PathBuf {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/llama-server");
    let out = Command::new("bash")
        .arg(script)
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/llama-server");
    assert!(out.status.success(), "scripts/llama-server failed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The default model's file in nib's cache.
fn default_model_file() -> PathBuf {
    nib::model::resolve_named("qwen2.5-coder-0.5b-code")
        .unwrap()
        .path
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts llama-server on a free loopback port and waits until it is ready.
async fn start_llama_server() -> (KillOnDrop, String) {
    let binary = llama_server_binary();
    common::pull_model();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Its log goes to a file, read back if it dies before it is ready.
    let log = tempfile::NamedTempFile::new().unwrap();
    let child = Command::new(binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "-m"])
        .arg(default_model_file())
        .args(["-c", "4096", "-t", "2", "--parallel", "1", "--no-webui"])
        .stdout(Stdio::null())
        .stderr(log.reopen().unwrap())
        .spawn()
        .expect("start llama-server");
    let mut server = KillOnDrop(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        let health = ureq::get(&format!("{url}/health")).call();
        if health.is_ok_and(|r| r.status() == 200) {
            return (server, url);
        }
        if let Some(status) = server.0.try_wait().unwrap() {
            let log = std::fs::read_to_string(log.path()).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            panic!("llama-server exited ({status}) before it was ready:\n{tail}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("llama-server did not become ready at {url} within 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_confidence_requests_go_to_a_real_llama_server_which_may_die() {
    let (mut server, url) = start_llama_server().await;
    let target = json!({"url": url, "api": "llama-server", "timeout_ms": 60_000});
    let client = server_with(settings(json!({
        "escalate_to": target,
        "escalate_below": 1.0,
    })))
    .await;
    let uri = common::uri("circles.py");
    client.open(&uri, "python", SOURCE).await;

    // Less sure than 1.0: llama-server answers, with the same model and a prompt of its
    // own making from the same context.
    let (remote, escalation) = ask(&client, &uri).await;
    let escalation = escalation.expect("escalated");
    assert_eq!(escalation.target, url);
    assert!(escalation.used, "{escalation:?}");
    assert!(remote.contains("math.pi"), "{remote:?}");

    // Sure enough: the server is not asked.
    let mut settings_now = settings(json!({"escalate_to": target, "escalate_below": 0.0}));
    client.configure(settings_now.clone()).await;
    let (local, escalation) = ask(&client, &uri).await;
    assert_eq!(escalation, None);
    assert!(local.contains("math.pi"), "{local:?}");

    // The server dies: the small model's answer is shown, and the dead server is tried
    // once, then left to rest rather than asked on every keystroke.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    settings_now["escalate_below"] = json!(1.0);
    client.configure(settings_now).await;
    let (text, escalation) = ask(&client, &uri).await;
    assert_eq!(text, local);
    let failed = escalation.unwrap().failed.expect("the dead server failed");
    assert!(!failed.contains("trying again"), "{failed}");
    // Its rest starts at 1 s and doubles with each failure; a request that takes longer
    // than that on a loaded machine may find the rest over and try once more, so the
    // rest shows within a few requests, however slow each is.
    let mut tried = 1;
    loop {
        let (text, escalation) = ask(&client, &uri).await;
        assert_eq!(text, local);
        let failed = escalation.unwrap().failed.expect("the dead server failed");
        if failed.contains("trying again") {
            break;
        }
        tried += 1;
        assert!(tried < 6, "tried {tried} times without resting: {failed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_types_against_llama_server_as_llama_vim_does() {
    let (_server, url) = start_llama_server().await;
    let addr = url.trim_start_matches("http://").parse().unwrap();
    // SAFETY: no test in this binary sets NIB_MODEL.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let options = nib::bench::Options {
        peer: Some(addr),
        ..common::tiny_bench()
    };
    let report = nib::bench::run(&options).await.unwrap();
    let peer = report.peer.as_ref().expect("the peer was typed against");
    assert_eq!(peer.requests, report.nib.requests, "the same typing");
    assert!(peer.answered > 0 && peer.suggested > 0, "{peer:?}");
    let json = report.json();
    assert!(json["peer_speedup_p50"].is_number(), "{json}");
    assert!(report.table().contains("llama-server"));

    let elsewhere = nib::bench::Options {
        peer: Some("10.1.2.3:8080".parse().unwrap()),
        ..options
    };
    let refused = nib::bench::run(&elsewhere).await.unwrap_err();
    assert!(refused.to_string().contains("this machine"), "{refused}");
}

/// A loopback listener that answers every request as an OpenAI-shaped server would and
/// hands over each request's JSON body: what nib sent, to look at.
fn recording_server() -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let answer = r#"{"choices":[{"text":"2 * math.pi * radius"}]}"#;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
            if sent.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    (url, received)
}

/// A tokenizer.json whose every word and every run of punctuation is one token.
fn word_tokenizer(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("tokenizer.json");
    let json = json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
        "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": null, "decoder": null,
        "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}
    });
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_prompt_is_budgeted_in_its_own_tokens() {
    let (url, sent) = recording_server();
    let dir = tempfile::tempdir().unwrap();
    let tokenizer = word_tokenizer(dir.path());
    let target = |context_tokens: u64| {
        json!({"url": url, "api": "openai", "model": "big", "timeout_ms": 60_000,
               "context_tokens": context_tokens, "tokenizer": tokenizer})
    };
    let client = server_with(settings(json!({
        "escalate_to": target(128),
        "escalate": "always",
    })))
    .await;
    let uri = common::uri("circles.py");
    // Five hundred functions above the cursor: far more than either budget.
    let (source, line) = many_functions(500);
    client.open(&uri, "python", &source).await;
    let words = |prompt: &str| {
        prompt
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
            .count()
    };

    let answer = client.inline_completion(&uri, line, 11).await.unwrap();
    assert_eq!(common::insert_text(&answer), "2 * math.pi * radius");
    let small = sent.recv_timeout(Duration::from_secs(60)).unwrap();
    let small = small["prompt"].as_str().unwrap().to_string();
    // The word tokenizer counts words and punctuation runs, so a prompt within 128 of its
    // tokens has fewer than 128 words (the FIM markers come on top).
    assert!(words(&small) <= 128, "{} words: {small}", words(&small));
    assert!(
        small.contains("def circle_circumference(radius):"),
        "{small}"
    );

    client
        .configure(settings(
            json!({"escalate_to": target(4096), "escalate": "always"}),
        ))
        .await;
    client.inline_completion(&uri, line, 11).await.unwrap();
    let large = sent.recv_timeout(Duration::from_secs(60)).unwrap();
    let large = large["prompt"].as_str().unwrap().to_string();
    assert!(words(&large) <= 4096);
    assert!(
        words(&large) > 3 * words(&small),
        "{} vs {} words",
        words(&large),
        words(&small)
    );
    assert!(
        large.contains("def area_400(radius):"),
        "a wider window reaches further up"
    );

    // A tokenizer that cannot be read: the small model's answer stands, and the reason is
    // told.
    let broken = json!({"url": url, "api": "openai", "model": "big", "timeout_ms": 60_000,
                        "tokenizer": dir.path().join("missing.json")});
    client
        .configure(settings(
            json!({"escalate_to": broken, "escalate": "always"}),
        ))
        .await;
    client.inline_completion(&uri, line, 11).await.unwrap();
    let timings = client.completer().await.last_timings().unwrap();
    let failed = timings.escalation.unwrap().failed.unwrap();
    assert!(failed.contains("missing.json"), "{failed}");
}
