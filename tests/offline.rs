//! Nothing leaves the machine: the server, the quick start's completion, `nib eval --limit`
//! and `nib doctor` work inside a network namespace with no network (`unshare -n`, as root),
//! and logs carry no buffer text unless `NIB_LOG=trace`.

mod common;

use std::process::{Command, Stdio};

use nib::lsp::harness::LspClient;
use serde_json::json;

/// A name defined in the buffer the test opens, and its end, which the model writes when
/// asked to complete the name's start: neither may appear in a log below trace level.
const MARKER: &str = "zq_buffer_secret_4711";
const MARKER_END: &str = "4711";

/// `nib` with `args`, inside a network namespace without network; `None` (said) where
/// none can be made and the test is skipped.
fn offline(test: &str, args: &[&str]) -> Option<Command> {
    let way = common::network_namespace(test)?;
    let mut command = Command::new(way[0]);
    command
        .args(&way[1..])
        .arg(env!("CARGO_BIN_EXE_nib"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NIB_MODEL")
        .env_remove("NIB_LOG");
    Some(command)
}

#[test]
fn the_quick_start_eval_and_doctor_work_without_a_network() {
    const TEST: &str = "the_quick_start_eval_and_doctor_work_without_a_network";
    let run = |args: &[&str]| offline(TEST, args).map(|mut c| c.output().unwrap());
    common::pull_model();
    let Some(out) = run(&["complete", "tests/fixtures/sample.py:7:32"]) else {
        return;
    };
    let stdout = common::succeeds(&out, "nib complete");
    assert!(stdout.contains("suggestion:"), "{stdout}");
    let out = run(&["eval", "--limit", "1"]).unwrap();
    let stdout = common::succeeds(&out, "nib eval");
    assert!(stdout.contains("all"), "{stdout}");
    let out = run(&["doctor"]).unwrap();
    let stdout = common::succeeds(&out, "nib doctor");
    assert!(stdout.contains("nib is ready"), "{stdout}");
}

/// Serves one completion of a buffer holding MARKER, with `NIB_LOG=level`; answers the
/// server's log (stderr) and what it told the editor.
async fn serve_once(serve: Command, level: &str) -> String {
    common::pull_model();
    let mut child = tokio::process::Command::from(serve);
    let mut child = child
        .env("NIB_LOG", level)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Read as it comes: a full pipe would stall the server.
    let mut stderr = child.stderr.take().unwrap();
    let log = tokio::spawn(async move {
        let mut log = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut log).await;
        log
    });
    let client = LspClient::connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    client
        .initialize(json!({}), json!({"deadline_ms": 60_000}))
        .await
        .unwrap();
    common::wait_for_model(&client).await;
    let uri = common::uri("secret.py");
    let start = MARKER.trim_end_matches(MARKER_END);
    let text = format!("def {MARKER}(values):\n    return sum(values)\n\n\nprint({start}");
    client.open(&uri, "python", &text).await;
    let answer = client
        .inline_completion(&uri, 4, 6 + start.len() as u32)
        .await
        .unwrap();
    let suggestion = answer["items"][0]["insertText"].as_str().unwrap_or("");
    assert!(suggestion.starts_with(MARKER_END), "{answer}");
    let mut told = String::new();
    while let Some(message) = client
        .notification("window/logMessage", std::time::Duration::from_millis(200))
        .await
    {
        told.push_str(&message.to_string());
    }
    client.shutdown().await;
    child.wait().await.unwrap();
    format!("{}\n{told}", log.await.unwrap())
}

#[tokio::test]
async fn the_server_completes_without_a_network_and_logs_no_buffer_text() {
    const TEST: &str = "the_server_completes_without_a_network_and_logs_no_buffer_text";
    let Some(serve) = offline(TEST, &["serve"]) else {
        return;
    };
    let log = serve_once(serve, "debug").await;
    assert!(log.contains("generation for"), "debug logging is on: {log}");
    assert!(
        // Quoted: the bare digits also turn up in timestamps.
        !log.contains(MARKER) && !log.contains(&format!("\"{MARKER_END}")),
        "buffer text in the log: {log}"
    );
    // At trace level the prompt's start is logged, marker and all: the check above can fail.
    let log = serve_once(offline(TEST, &["serve"]).unwrap(), "trace").await;
    assert!(log.contains(MARKER), "{log}");
}
