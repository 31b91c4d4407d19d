//! The edges of moving cached entries (chunk shift) with the real default model: where a
//! run is not moved (too much changed before it, too short a run, a model that cannot
//! move entries) it is read again, and the suggestion is the one a fresh context gives.
//! One test: the fault that makes a model unable to move entries is armed for the process.

mod common;

use std::sync::Arc;

use nib::completion::Completer;
use nib::faults::{Fault, arm};
use nib::lsp::harness::LspClient;
use serde_json::json;

async fn server(reuse: bool) -> (LspClient, Arc<Completer>) {
    common::pull_model();
    // SAFETY: the only test in this binary.
    unsafe { std::env::remove_var("NIB_MODEL") };
    let client = LspClient::in_process();
    let settings = json!({"deadline_ms": 60_000, "reuse": reuse, "cold_tokens": 0});
    client.initialize(json!({}), settings).await.unwrap();
    common::wait_for_model(&client).await;
    let completer = client.completer().await;
    (client, completer)
}

/// An edit and the position asked after it.
struct Case {
    name: &'static str,
    text: String,
    /// Where the first request is asked.
    first: (u32, u32),
    /// The edit: line, character, inserted text.
    edit: (u32, u32, &'static str),
    /// Where the request after the edit is asked.
    then: (u32, u32),
}

/// The suggestion after the case's edit, and the prompt tokens read and moved for it.
async fn after_edit(client: &LspClient, completer: &Completer, case: &Case) -> (String, u64, u64) {
    let uri = common::uri(&format!("{}.py", case.name));
    client.open(&uri, "python", &case.text).await;
    client
        .inline_completion(&uri, case.first.0, case.first.1)
        .await
        .unwrap();
    let before = completer.engine().prompt_work();
    let (line, character, text) = case.edit;
    client.insert(&uri, 2, line, character, text).await;
    let answer = client
        .inline_completion(&uri, case.then.0, case.then.1)
        .await
        .unwrap();
    let work = completer.engine().prompt_work();
    client.close(&uri).await;
    (
        common::insert_text(&answer),
        work.read - before.read,
        work.moved - before.moved,
    )
}

/// What a fresh context suggests for the case's text after its edit.
async fn fresh(client: &LspClient, case: &Case, name: &str) -> String {
    let uri = common::uri(&format!("{}_{name}_fresh.py", case.name));
    let mut text = case.text.clone();
    let (line, character, inserted) = case.edit;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line as usize)
        .map(str::len)
        .sum();
    text.insert_str(line_start + character as usize, inserted);
    client.open(&uri, "python", &text).await;
    let answer = client
        .inline_completion(&uri, case.then.0, case.then.1)
        .await
        .unwrap();
    client.close(&uri).await;
    common::insert_text(&answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_not_moved_are_read_again_and_suggest_what_a_fresh_context_does() {
    let (baseline, _) = server(false).await;

    // A whole line pasted a few lines above the cursor: more tokens changed before the
    // cached code after the cursor than a move may span. The cursor after `return `,
    // where the model is sure (after `sum(values` it weighed `) + 106` against `) + 107`,
    // and a prompt read in other pieces may turn such a close call).
    let pasted = Case {
        name: "pasted",
        text: common::steps_module(120),
        first: (62, 11),
        edit: (
            57,
            0,
            "    values = [v * 2 for v in values if v is not None]\n",
        ),
        then: (63, 11),
    };
    // The cursor on the last line: the code after it is shorter than a run worth moving.
    let short = Case {
        name: "short",
        text: common::steps_module(120) + "def last(values):\n    total = sum(values",
        first: (121, 22),
        edit: (121, 4, "grand_"),
        then: (121, 28),
    };
    // A character typed on the blank line above a function: moved where the model can
    // move entries. The cursor after `return ` on a line that ends there, where the model
    // is sure of its answer (`total`): a prompt read in other pieces (a read ahead cut
    // short on a busy machine) computes in another order, which flipped a close call
    // elsewhere (`) + 245` against `) + 242` after `sum(values` on line 201; and with the
    // rest of a complete line after the cursor, where the right answer is empty, the
    // model weighed numbers).
    let typed = Case {
        name: "typed",
        text: common::steps_module(400).replacen(
            "    return total\n\ndef step_204",
            "    return \n\ndef step_204",
            1,
        ),
        first: (202, 11),
        edit: (199, 0, "#"),
        then: (202, 11),
    };

    let (client, completer) = server(true).await;
    for (case, movable) in [(&pasted, false), (&short, false), (&typed, true)] {
        let expected = fresh(&baseline, case, "baseline").await;
        let (got, read, moved) = after_edit(&client, &completer, case).await;
        if movable {
            assert!(moved > 100, "{}: moved {moved}, read {read}", case.name);
        } else {
            assert_eq!(moved, 0, "{}: nothing is moved (read {read})", case.name);
        }
        assert_eq!(
            got, expected,
            "{}: the suggestion of a fresh context",
            case.name
        );
    }

    // A model that cannot move entries reads the code after the edit again.
    drop(client);
    arm(Fault::ModelCannotMove);
    let (client, completer) = server(true).await;
    let expected = fresh(&baseline, &typed, "baseline").await;
    let (got, read, moved) = after_edit(&client, &completer, &typed).await;
    assert_eq!(moved, 0, "nothing is moved (read {read})");
    assert!(read > 100, "the code after the edit is read again ({read})");
    assert_eq!(got, expected, "the suggestion of a fresh context");
}
