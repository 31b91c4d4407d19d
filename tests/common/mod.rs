//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses some of them

use std::process::Command;
use std::sync::Once;

/// Pulls the default model through `nib model pull` (a no-op when cached).
pub fn pull_model() {
    static PULL: Once = Once::new();
    PULL.call_once(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_nib"))
            .args(["model", "pull"])
            .output()
            .expect("run nib model pull");
        assert!(
            out.status.success(),
            "nib model pull failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// A `file://` URI for a made-up path.
pub fn uri(name: &str) -> String {
    format!("file:///project/{name}")
}
