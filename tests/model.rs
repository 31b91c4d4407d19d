//! nib with the real default model (pulled through `nib model pull`, cached): the
//! binary over stdio as an editor starts it, and the in-process server for KV reuse.

mod common;

use std::process::Stdio;
use std::time::Duration;

use nib::lsp::harness::LspClient;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// Waits until the server logs that the model is ready.
async fn wait_for_model(client: &LspClient) {
    for _ in 0..200 {
        let Some(log) = client
            .notification("window/logMessage", Duration::from_secs(120))
            .await
        else {
            break;
        };
        if log["message"]
            .as_str()
            .is_some_and(|m| m.contains("model ready"))
        {
            return;
        }
    }
    panic!("the model did not load");
}

fn insert_text(answer: &Value) -> String {
    answer["items"][0]["insertText"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

async fn spawn_server() -> (Child, LspClient) {
    common::pull_model();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nib"))
        .args(["serve", "--stdio"])
        .env_remove("NIB_MODEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start nib serve --stdio");
    let client = LspClient::connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    // VS Code's relevant capabilities: UTF-16 positions, inline completion, progress.
    let capabilities = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "textDocument": {"inlineCompletion": {"dynamicRegistration": true}},
    });
    let result = client.initialize(capabilities, json!({})).await.unwrap();
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    wait_for_model(&client).await;
    (child, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_over_stdio_completes_python_and_typescript_and_honours_cancel() {
    let (mut child, client) = spawn_server().await;

    let py = common::uri("analysis.py");
    client.open(&py, "python", "import numpy as").await;
    let answer = client.inline_completion(&py, 0, 15).await.unwrap();
    let text = insert_text(&answer);
    assert!(text.starts_with(" np"), "after `import numpy as`: {text:?}");
    assert_eq!(
        answer["items"][0]["range"]["start"],
        json!({"line": 0, "character": 15})
    );

    let ts = common::uri("greet.ts");
    let source = "const numbers: number[] = [1, 2, 3, 4];\nconst total = numbers.reduce((sum, n) => sum + n, 0);\nconsole.";
    client.open(&ts, "typescript", source).await;
    let text = insert_text(&client.inline_completion(&ts, 2, 8).await.unwrap());
    assert!(text.starts_with("log("), "after `console.`: {text:?}");

    // A long cold prompt, cancelled at once, is answered as cancelled; the next request works.
    let long = common::uri("long.py");
    let body: String = (0..300)
        .map(|i| format!("value_{i} = compute({i}) * {i}\n"))
        .collect();
    client
        .open(&long, "python", &format!("{body}value_300 = "))
        .await;
    let params = nib::lsp::harness::position_params(&long, 300, 12, json!({"triggerKind": 1}));
    let (id, answer) = client
        .send_request("textDocument/inlineCompletion", params)
        .await;
    client.notify("$/cancelRequest", json!({"id": id})).await;
    let err = answer.await.expect_err("a cancelled request");
    assert_eq!(err.code, -32800, "{err}");
    let text = insert_text(&client.inline_completion(&long, 300, 12).await.unwrap());
    assert!(
        !text.is_empty(),
        "the request after a cancelled one gets a suggestion"
    );

    client.shutdown().await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_character_edit_reuses_the_kv_cache() {
    common::pull_model();
    // SAFETY: this binary's only other test spawns a child without NIB_MODEL.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = LspClient::in_process();
    client.initialize(json!({}), json!({})).await.unwrap();
    wait_for_model(&client).await;
    let completer = client.completer().await;

    let uri = common::uri("stats.py");
    let text = std::fs::read_to_string("tests/fixtures/sample.py").unwrap();
    client.open(&uri, "python", &text).await;
    let (line, character) = (6, 31);
    let first = insert_text(
        &client
            .inline_completion(&uri, line, character)
            .await
            .unwrap(),
    );
    assert!(!first.is_empty(), "a suggestion after `array.`");
    let cold = completer.last_timings().unwrap().engine;
    assert!(
        cold.prefill_tokens > 40,
        "the first request reads the prompt: {cold:?}"
    );

    let typed = first.chars().next().unwrap().to_string();
    let change = json!({
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "text": typed}],
    });
    client.notify("textDocument/didChange", change).await;
    client
        .inline_completion(&uri, line, character + 1)
        .await
        .unwrap();
    let warm = completer.last_timings().unwrap().engine;
    assert!(
        warm.prefill_tokens <= 4 && warm.reused_tokens + 4 >= warm.prompt_tokens,
        "after a one-character edit only the tail is decoded: {warm:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_line_under_a_function_header_gets_a_block() {
    common::pull_model();
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = LspClient::in_process();
    client.initialize(json!({}), json!({})).await.unwrap();
    wait_for_model(&client).await;

    let uri = common::uri("area.py");
    let text = "import math\n\n\ndef circle_area(radius):\n    \n\n\nprint(circle_area(2.0))\n";
    client.open(&uri, "python", text).await;
    let suggestion = insert_text(&client.inline_completion(&uri, 4, 4).await.unwrap());
    assert!(!suggestion.trim().is_empty(), "a body for circle_area");
    assert!(suggestion.contains("radius"), "{suggestion:?}");
    for line in suggestion.lines().skip(1) {
        assert!(
            line.is_empty() || line.starts_with("    "),
            "the block ends with the function: {suggestion:?}"
        );
    }
}
