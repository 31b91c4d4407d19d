//! Hostile input over stdio, against the real binary with the real fast-tier model: malformed
//! JSON-RPC, wrong parameter types, unknown methods, requests before `initialize`, and
//! documents built to hurt (20 MB, binary, one 200,000-character line, 100,000 nested
//! brackets, every language empty). Each gets a JSON-RPC error or an answer within
//! `BOUND`, and afterwards the server answers an ordinary request exactly as before.
//!
//! The model is `gemma-3-270m-code`, not the default: what is bounded here is the work
//! nib does around the model (parsing, tree queries, context), and a cold prompt of the
//! default reads for seconds on a 2-core machine, which would leave the bound no margin.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use nib::lsp::harness::{LspClient, RpcError};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The longest any one hostile message may take to be answered, on a 2-core laptop.
const BOUND: Duration = Duration::from_secs(15);

/// The ordinary request, asked before and after: its answer must not change.
const SAMPLE: &str = "def mean(values):\n    total = 0\n    for v in values:\n        total += v\n    return total / \n";

fn framed(body: &[u8]) -> Vec<u8> {
    let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    message.extend_from_slice(body);
    message
}

async fn spawn() -> (Child, LspClient) {
    common::pull_model();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nib"))
        .arg("serve")
        .env("NIB_MODEL", "gemma-3-270m-code")
        .env_remove("NIB_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start nib serve");
    let client = LspClient::connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (child, client)
}

/// Waits for `what` within BOUND, saying which case hung.
async fn bounded<T>(case: &str, what: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let answer = tokio::time::timeout(BOUND, what)
        .await
        .unwrap_or_else(|_| panic!("{case}: no answer within {BOUND:?}"));
    eprintln!("{case}: answered in {:?}", started.elapsed());
    answer
}

fn rss_mb(child: &Child) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id().unwrap()));
    let kb = status.ok().and_then(|s| {
        let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
        line.split_whitespace().nth(1)?.parse::<f64>().ok()
    });
    kb.unwrap_or(0.0) / 1024.0
}

/// Asks for a completion and answers the suggestion's text, or the error.
async fn complete(
    client: &LspClient,
    case: &str,
    uri: &str,
    line: u32,
    character: u32,
) -> Result<String, RpcError> {
    let answer = bounded(case, client.inline_completion(uri, line, character)).await?;
    let items = answer["items"].as_array().expect("an items list");
    Ok(items
        .first()
        .and_then(|item| item["insertText"].as_str())
        .unwrap_or("")
        .to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_messages_and_documents_get_answers_in_bounded_time_and_the_server_goes_on() {
    let (child, client) = spawn().await;

    // Before `initialize`, requests are refused and notifications dropped.
    let early = bounded("request before initialize", async {
        client
            .inline_completion(&common::uri("early.py"), 0, 0)
            .await
    })
    .await;
    assert_eq!(early.unwrap_err().code, -32002);
    client
        .open(&common::uri("early.py"), "python", "x = 1\n")
        .await;

    let capabilities = json!({"general": {"positionEncodings": ["utf-16"]}});
    let settings = json!({"deadline_ms": 60_000});
    client.initialize(capabilities, settings).await.unwrap();
    let sample = common::uri("sample.py");
    client.open(&sample, "python", SAMPLE).await;
    common::wait_for_model(&client).await;
    let ordinary = client.inline_completion(&sample, 4, 19);
    let expected = bounded("the ordinary request", ordinary).await.unwrap();
    assert!(
        !expected["items"].as_array().unwrap().is_empty(),
        "{expected}"
    );
    let rss_before = rss_mb(&child);

    // Malformed JSON-RPC: each gets its error, addressed to its id when it has a usable one.
    let malformed: &[(&[u8], i64, Value)] = &[
        (b"{not json", -32700, Value::Null),
        (b"[1, 2, 3]", -32600, Value::Null),
        (b"{\"jsonrpc\": \"2.0\"}", -32600, Value::Null),
        (
            b"{\"jsonrpc\": \"1.0\", \"id\": \"v1\", \"method\": \"initialize\"}",
            -32600,
            json!("v1"),
        ),
        (
            b"{\"jsonrpc\": \"2.0\", \"id\": {\"a\": 1}, \"method\": \"shutdown\"}",
            -32600,
            Value::Null,
        ),
        (b"\xff\xfe\x00garbage", -32700, Value::Null),
        (b"", -32700, Value::Null),
    ];
    let answer = |case: String| {
        let client = &client;
        async move {
            let answer = client.stray_answer(Duration::from_secs(10)).await;
            answer.unwrap_or_else(|| panic!("{case}: no answer"))
        }
    };
    for (body, code, id) in malformed {
        client.send_raw(&framed(body)).await;
        let case = String::from_utf8_lossy(body).into_owned();
        let got = answer(case.clone()).await;
        assert_eq!(
            (&got["error"]["code"], &got["id"]),
            (&json!(code), id),
            "{case}: {got}"
        );
    }
    client.send_raw(b"Content-Length: x\r\n\r\n").await;
    let got = answer("a header without a length".into()).await;
    assert_eq!(
        (&got["error"]["code"], &got["id"]),
        (&json!(-32700), &Value::Null),
        "{got}"
    );

    // Wrong parameter types: invalid params, never a crash.
    let wrong_types = [
        ("textDocument/inlineCompletion", json!({"textDocument": 5})),
        (
            "textDocument/inlineCompletion",
            json!({"textDocument": {"uri": sample}, "position": {"line": "four", "character": 1}, "context": {"triggerKind": 1}}),
        ),
        (
            "textDocument/inlineCompletion",
            json!({"textDocument": {"uri": sample}, "position": {"line": -1, "character": 1}, "context": {"triggerKind": 1}}),
        ),
        ("textDocument/completion", json!([])),
        ("textDocument/completion", Value::Null),
    ];
    for (method, params) in wrong_types {
        let error = bounded(method, client.request(method, params.clone()))
            .await
            .unwrap_err();
        assert_eq!(error.code, -32602, "{method} {params}: {error}");
    }
    for (method, params) in [
        (
            "textDocument/didOpen",
            json!({"textDocument": {"uri": 5, "text": []}}),
        ),
        (
            "textDocument/didChange",
            json!({"textDocument": {"uri": sample, "version": "x"}, "contentChanges": 7}),
        ),
        (
            "workspace/didChangeConfiguration",
            json!({"settings": [1, 2]}),
        ),
        ("$/cancelRequest", json!({"id": {"nested": true}})),
    ] {
        client.notify(method, params).await;
    }
    // Notifications are never answered, not even bad ones.
    let stray = client.stray_answer(Duration::from_millis(500)).await;
    assert_eq!(stray, None, "an answer to a notification");

    // Unknown methods: a request gets "method not found", a notification is dropped.
    let error = bounded("unknown request", client.request("nib/unknown", json!({})))
        .await
        .unwrap_err();
    assert_eq!(error.code, -32601);
    client.notify("nib/unknown", json!({"x": 1})).await;

    // Documents built to hurt, each completed at its end and in its middle.
    let huge = "x = 1\n".repeat((20 << 20) / 6);
    let long_line = format!("x = [{}]", "1, ".repeat(66_666));
    let binary: String = (0u8..=255).map(char::from).cycle().take(1 << 20).collect();
    let mut documents: Vec<(&str, &str, String)> = vec![
        ("huge.py", "python", huge.clone()),
        ("long.js", "javascript", long_line.clone()),
        ("blob.bin", "plaintext", binary),
    ];
    for (id, extension, prelude, open) in [
        ("python", "py", "x = ", "["),
        ("javascript", "js", "f", "("),
        ("typescript", "ts", "const x = ", "{a: "),
        ("typescriptreact", "tsx", "const x = ", "<div>"),
        ("rust", "rs", "fn f() { let x = ", "("),
        ("go", "go", "package a\nfunc f() { x := ", "("),
    ] {
        let nested = format!("{prelude}{}", open.repeat(100_000));
        documents.push((format!("nested.{extension}").leak(), id, nested));
        documents.push((format!("empty.{extension}").leak(), id, String::new()));
    }
    for (name, language, text) in &documents {
        let uri = common::uri(name);
        bounded(&format!("open {name}"), client.open(&uri, language, text)).await;
        let last_line = text.split('\n').count() as u32 - 1;
        let last_width = text.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
        for (line, character) in [(last_line / 2, last_width / 2), (last_line, last_width)] {
            let case = format!("complete {name} at {line}:{character}");
            match complete(&client, &case, &uri, line, character).await {
                Ok(_) => {}
                Err(error) => panic!("{case}: {error}"),
            }
        }
    }
    // Edits in the middle of the 200,000-character line and of the deepest trees (edited
    // and reparsed incrementally), then a completion after each.
    for (name, character) in [
        ("long.js", 100_000),
        ("nested.rs", 60_000),
        ("nested.py", 60_000),
    ] {
        let uri = common::uri(name);
        client.insert(&uri, 2, 0, character, "9").await;
        let case = format!("complete {name} after an edit");
        complete(&client, &case, &uri, 0, character + 1)
            .await
            .unwrap();
    }
    for (name, _, _) in &documents {
        client.close(&common::uri(name)).await;
    }

    // The server answers the ordinary request exactly as before.
    let after = bounded(
        "the ordinary request again",
        client.inline_completion(&sample, 4, 19),
    )
    .await
    .unwrap();
    assert_eq!(
        after["items"][0]["insertText"],
        expected["items"][0]["insertText"]
    );
    let rss_after = rss_mb(&child);
    eprintln!("RSS before the hostile input {rss_before:.0} MB, after {rss_after:.0} MB");
    // The 20 MB document and its copies are gone: memory did not keep them.
    assert!(
        rss_after < rss_before + 400.0,
        "RSS {rss_before:.0} -> {rss_after:.0} MB"
    );
    client.shutdown().await;
}
