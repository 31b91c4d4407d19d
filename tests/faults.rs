//! Faults provoked inside a running server with the real default model: a panic while a
//! request is answered, a panic while an edit is applied, and the engine thread dying. Each
//! is caught and said, and the next request gets the same suggestion as before the fault.
//! One test: a fault is armed for the whole process.

mod common;

use std::time::Duration;

use nib::faults::{Fault, arm};
use nib::lsp::harness::LspClient;
use serde_json::{Value, json};

const SAMPLE: &str = "def mean(values):\n    total = 0\n    for v in values:\n        total += v\n    return total / \n";

fn first_text(answer: &Value) -> Value {
    answer["items"][0]["insertText"].clone()
}

/// The next notification of `method` whose message contains `part`, within `timeout`.
async fn said(client: &LspClient, method: &str, part: &str, timeout: Duration) -> Option<String> {
    let until = tokio::time::Instant::now() + timeout;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let message = client.notification(method, left).await?;
        let text = message["message"].as_str().unwrap_or("").to_owned();
        if text.contains(part) {
            return Some(text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_a_dead_engine_thread_are_caught_said_and_survived() {
    common::pull_model();
    // SAFETY: the only test in this binary.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = LspClient::in_process();
    client
        .initialize(json!({}), json!({"deadline_ms": 60_000}))
        .await
        .unwrap();
    common::wait_for_model(&client).await;
    let uri = common::uri("sample.py");
    client.open(&uri, "python", SAMPLE).await;
    let expected = first_text(&client.inline_completion(&uri, 4, 19).await.unwrap());
    assert!(expected.is_string(), "a suggestion to compare with");

    // A panic inside a request: an internal error naming it, and the next request answers.
    arm(Fault::PanicInRequest);
    let error = client.inline_completion(&uri, 4, 19).await.unwrap_err();
    assert_eq!(error.code, -32603, "{error}");
    assert!(error.message.contains("provoked fault"), "{error}");
    let answer = client.inline_completion(&uri, 4, 19).await.unwrap();
    assert_eq!(first_text(&answer), expected);

    // A panic while an edit is applied: said, and the document goes on taking edits.
    arm(Fault::PanicInEdit);
    client.insert(&uri, 2, 5, 0, "# x\n").await;
    let warning = said(
        &client,
        "window/logMessage",
        "applying the change failed",
        Duration::from_secs(10),
    )
    .await;
    assert!(warning.is_some_and(|w| w.contains("reopen it")));
    client.insert(&uri, 3, 5, 0, "# y\n").await;
    let undo = json!({
        "textDocument": {"uri": uri, "version": 4},
        "contentChanges": [{"range": {"start": {"line": 5, "character": 0}, "end": {"line": 6, "character": 0}}, "text": ""}],
    });
    client.notify("textDocument/didChange", undo).await;
    let answer = client.inline_completion(&uri, 4, 19).await.unwrap();
    assert_eq!(first_text(&answer), expected);

    // The engine thread dies: said once, restarted, and suggestions come back.
    arm(Fault::EngineThreadDies);
    let answer = client.inline_completion(&uri, 4, 19).await.unwrap();
    assert_eq!(answer["items"], json!([]), "the request the thread died on");
    let warning = said(
        &client,
        "window/showMessage",
        "engine stopped",
        Duration::from_secs(10),
    )
    .await;
    let warning = warning.expect("the death is said");
    assert!(warning.contains("provoked fault"), "{warning}");
    common::wait_for_model(&client).await;
    let answer = client.inline_completion(&uri, 4, 19).await.unwrap();
    assert_eq!(first_text(&answer), expected);
    assert!(
        said(
            &client,
            "window/showMessage",
            "engine stopped",
            Duration::from_millis(500)
        )
        .await
        .is_none(),
        "said only once"
    );
}
