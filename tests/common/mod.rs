//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses some of them

use std::process::Command;
use std::sync::Once;
use std::time::Duration;

use nib::lsp::harness::LspClient;

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
