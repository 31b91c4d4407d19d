//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses some of them

pub mod http;

use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::time::Duration;

use nib::lsp::harness::LspClient;
use serde_json::Value;

/// Pulls the default model (`qwen2.5-coder-0.5b-code`) and the fast tier
/// (`gemma-3-270m-code`, the model the shipped adapters are trained on) through `nib
/// model pull` (a no-op when cached).
pub fn pull_model() {
    static PULL: Once = Once::new();
    PULL.call_once(|| {
        for args in [
            &["model", "pull"][..],
            &["model", "pull", "gemma-3-270m-code"],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_nib"))
                .args(args)
                .output()
                .expect("run nib model pull");
            assert!(
                out.status.success(),
                "nib {} failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
}

/// nib's server in this process with these settings (e.g. another `model`), loaded.
pub async fn server_with(settings: Value) -> LspClient {
    pull_model();
    // SAFETY: no test sets NIB_MODEL; children of the stdio tests run without it.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = LspClient::in_process();
    client
        .initialize(serde_json::json!({}), settings)
        .await
        .unwrap();
    wait_for_model(&client).await;
    client
}

/// `nib bench` on the tiny corpus of tests/fixtures/bench, one line a file, nothing else.
pub fn tiny_bench() -> nib::bench::Options {
    nib::bench::Options {
        corpus: "tests/fixtures/bench".into(),
        settings: serde_json::json!({}),
        lines_per_file: 1,
        seed: 3,
        baseline: false,
        cold: false,
        soak: None,
        speculative: false,
        infill: false,
        peer: None,
        load_timeout: Duration::from_secs(120),
    }
}

/// A `file://` URI for a made-up path.
pub fn uri(name: &str) -> String {
    format!("file:///project/{name}")
}

/// Waits until the server logs that the model is ready.
pub async fn wait_for_model(client: &LspClient) {
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

/// The command prefix that runs a program in a network namespace of its own, with no
/// network: `unshare -n` as root (as CI runs, where it must work), else `unshare -rn` where
/// unprivileged user namespaces are allowed. `None` where neither works, said loudly: the
/// caller skips, since the test would prove nothing here.
pub fn network_namespace(test: &str) -> Option<&'static [&'static str]> {
    const WAYS: [&[&str]; 2] = [&["unshare", "-n"], &["unshare", "-r", "-n"]];
    for way in WAYS {
        let works = Command::new(way[0])
            .args(&way[1..])
            .arg("true")
            .status()
            .is_ok_and(|s| s.success());
        if works {
            return Some(way);
        }
    }
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    });
    assert!(!root, "{test}: `unshare -n` fails as root");
    eprintln!(
        "SKIPPED {test}: no network namespace can be made here (not root, and unprivileged \
         user namespaces are off); run the tests as root to check it"
    );
    None
}

/// `nib serve` as an editor starts it (the default model unless `env` names another,
/// stderr dropped), and a client on its stdio.
pub fn spawn_serve(env: &[(&str, &str)]) -> (tokio::process::Child, LspClient) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_nib"))
        .arg("serve")
        .env_remove("NIB_MODEL")
        .env_remove("NIB_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start nib serve");
    let client = LspClient::connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (child, client)
}

/// The stdout of a command that must have succeeded; its output when it did not.
pub fn succeeds(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A Python module of `lines` lines: line 4k+1 is `    total = sum(values) + {4k+1}`.
pub fn steps_module(lines: usize) -> String {
    (0..lines)
        .map(|i| match i % 4 {
            0 => format!("def step_{i}(values):"),
            1 => format!("    total = sum(values) + {i}"),
            2 => "    return total".to_string(),
            _ => String::new(),
        } + "\n")
        .collect()
}

/// The text of an inline completion answer's first item ("" when there is none).
pub fn insert_text(answer: &Value) -> String {
    answer["items"][0]["insertText"]
        .as_str()
        .unwrap_or("")
        .to_string()
}
