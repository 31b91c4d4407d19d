//! nib with the real default model (pulled through `nib model pull`, cached): the
//! binary over stdio as an editor starts it, and the in-process server for KV reuse.

mod common;

use std::process::Stdio;
use std::time::Duration;

use nib::lsp::harness::LspClient;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// Settings whose generation deadline never cuts a suggestion short, so that what the
/// tests see does not depend on the machine's speed.
fn untimed() -> Value {
    json!({"deadline_ms": 60_000})
}

/// nib's server in this process with the real default model, loaded.
async fn in_process_server() -> LspClient {
    server_with(untimed()).await
}

use common::server_with;

/// Gemma 3 270M, trimmed: the fast tier, and the model the shipped adapters are trained on.
fn gemma() -> Value {
    json!({"deadline_ms": 60_000, "model": "gemma-3-270m-code"})
}

/// Qwen2.5-Coder 0.5B, trimmed: the default, a code model with its own fill-in-the-middle tokens.
fn qwen() -> Value {
    json!({"deadline_ms": 60_000, "model": "qwen2.5-coder-0.5b-code", "cold_tokens": 0})
}

/// The text of the first suggestion at a position ("" when there is none).
async fn suggest(client: &LspClient, uri: &str, line: u32, character: u32) -> String {
    common::insert_text(
        &client
            .inline_completion(uri, line, character)
            .await
            .unwrap(),
    )
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
    let result = client.initialize(capabilities, untimed()).await.unwrap();
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    common::wait_for_model(&client).await;
    (child, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_over_stdio_completes_python_and_typescript_and_honours_cancel() {
    let (mut child, client) = spawn_server().await;

    let py = common::uri("analysis.py");
    client.open(&py, "python", "import numpy as").await;
    let answer = client.inline_completion(&py, 0, 15).await.unwrap();
    let text = common::insert_text(&answer);
    assert!(text.starts_with(" np"), "after `import numpy as`: {text:?}");
    assert_eq!(
        answer["items"][0]["range"]["start"],
        json!({"line": 0, "character": 15})
    );

    let ts = common::uri("greet.ts");
    let source = "const numbers: number[] = [1, 2, 3, 4];\nconst total = numbers.reduce((sum, n) => sum + n, 0);\nconsole.";
    client.open(&ts, "typescript", source).await;
    let text = suggest(&client, &ts, 2, 8).await;
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
    let text = suggest(&client, &long, 300, 12).await;
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
    let client = in_process_server().await;
    let completer = client.completer().await;

    let uri = common::uri("stats.py");
    let text = std::fs::read_to_string("tests/fixtures/sample.py").unwrap();
    client.open(&uri, "python", &text).await;
    let (line, character) = (6, 31);
    let first = suggest(&client, &uri, line, character).await;
    assert!(!first.is_empty(), "a suggestion after `array.`");
    let cold = completer.last_timings().unwrap().engine;
    assert!(
        cold.prefill_tokens > 40,
        "the first request reads the prompt: {cold:?}"
    );

    // A character the suggestion does not start with: the model runs again.
    let typed = if first.starts_with('m') { "v" } else { "m" };
    client.insert(&uri, 2, line, character, typed).await;
    client
        .inline_completion(&uri, line, character + 1)
        .await
        .unwrap();
    let warm = completer.last_timings().unwrap().engine;
    assert!(
        warm.prefill_tokens <= 4
            && warm.reused_tokens + warm.moved_tokens + 4 >= warm.prompt_tokens,
        "after a one-character edit only the changed tokens are decoded: {warm:?}"
    );
}

/// Qwen's prompt writes the cursor's line after the middle marker: an edit on that line
/// changes only the prompt's end, so a few tokens are read and nothing moves. An edit on a
/// line above changes the middle of the prompt: the cached code after it is moved to its
/// new positions, not read again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_in_the_middle_of_a_long_file_rereads_a_few_tokens() {
    let client = server_with(qwen()).await;
    let completer = client.completer().await;

    let uri = common::uri("long_module.py");
    let text = common::steps_module(1000);
    client.open(&uri, "python", &text).await;
    // Line 501 is `    total = sum(values) + 501`; the cursor after `sum(values`.
    let (line, character) = (501, 22);
    suggest(&client, &uri, line, character).await;
    let cold = completer.last_timings().unwrap().engine;
    assert!(
        cold.prefill_tokens > 200,
        "the first request reads the prompt: {cold:?}"
    );

    // What the engine does after an edit, reading ahead while the user types included.
    let edit = async |version, at: u32, column, then: u32| {
        let before = completer.engine().prompt_work();
        client.insert(&uri, version, at, column, "s").await;
        client.inline_completion(&uri, line, then).await.unwrap();
        let work = completer.engine().prompt_work();
        let warm = completer.last_timings().unwrap().engine;
        (work.read - before.read, work.moved - before.moved, warm)
    };
    // A character typed in `total`, before the word at the cursor (which token healing
    // takes back from the prompt anyway).
    let (read, moved, warm) = edit(2, line, 9, character + 1).await;
    assert_eq!(completer.counters().typed_through, 0, "the model ran again");
    assert!(
        read <= 6 && moved == 0,
        "an edit on the cursor's line reads a few tokens ({read}) and moves nothing ({moved}): {warm:?}"
    );
    // A character typed on the line above: `def step_500` becomes `def steps_500`.
    let (read, moved, warm) = edit(3, line - 1, 8, character + 1).await;
    assert!(
        read <= 6 && moved > 100,
        "an edit above reads a few tokens ({read}) and moves the code after it ({moved}): {warm:?}"
    );
}

/// Where the cursor rests (VS Code and Zed ask for its highlights there; nib's Neovim
/// plugin sends `nib/cursor`), nib reads the prompt before the first key, so the request
/// that follows reads only a few tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resting_cursor_has_its_prompt_read_before_the_first_key() {
    let client = server_with(qwen()).await;
    let completer = client.completer().await;
    let engine = completer.engine();
    let (line, character) = (201, 22);
    for method in ["textDocument/documentHighlight", "nib/cursor"] {
        let uri = common::uri(&format!("resting_{}.py", method.len()));
        client
            .open(&uri, "python", &common::steps_module(300))
            .await;
        let at = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
        let before = engine.prompt_work();
        if method == "nib/cursor" {
            client.notify(method, at).await;
        } else {
            assert_eq!(client.request(method, at).await.unwrap(), Value::Null);
        }
        let mut waited = 0;
        while engine.prompt_work().read - before.read < 200 || engine.activity().busy {
            assert!(waited < 6000, "{method}: the prompt was not read ahead");
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        let before = engine.prompt_work();
        suggest(&client, &uri, line, character).await;
        let read = engine.prompt_work().read - before.read;
        assert!(read <= 6, "{method}: the request read {read} tokens");
    }
}

/// A new spot is answered from a short window of context, and the full window is read
/// behind it while the engine is idle; the next request there has it, reading a few tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_spot_is_answered_from_a_short_window_while_the_full_one_is_read_behind() {
    let mut settings = qwen();
    settings["cold_tokens"] = json!(128);
    let client = server_with(settings).await;
    let completer = client.completer().await;

    let uri = common::uri("new_spot.py");
    client
        .open(&uri, "python", &common::steps_module(300))
        .await;
    let (line, character) = (201, 22);
    suggest(&client, &uri, line, character).await;
    let cold = completer.last_timings().unwrap().engine;
    assert!(
        cold.prompt_tokens <= 128 + 8
            && cold.prefill_tokens + cold.reused_tokens >= cold.prompt_tokens,
        "the short window answers the new spot: {cold:?}"
    );

    // Another character typed at the spot: the full window answers, read already.
    full_window_answers_once_read(&client, &uri, (2, line, character), "not read behind").await;
}

/// Waits until the engine has read the full window behind a cold answer and is idle, then
/// types a character at `(version, line, character)` and checks that the full window
/// answers, reading a few tokens.
async fn full_window_answers_once_read(
    client: &LspClient,
    uri: &str,
    (version, line, character): (usize, u32, u32),
    unread: &str,
) {
    let completer = client.completer().await;
    let engine = completer.engine();
    let mut waited = 0;
    while engine.prompt_work().read < 800 || engine.activity().busy {
        assert!(waited < 6000, "the full window was {unread}");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    client.insert(uri, version, line, character, "s").await;
    suggest(client, uri, line, character + 1).await;
    let warm = completer.last_timings().unwrap().engine;
    assert!(
        warm.prompt_tokens > 800 && warm.prefill_tokens <= 6,
        "the full window answers once read: {warm:?}"
    );
}

/// A key that comes while the full window is read behind a cold answer stops that read in
/// the middle of its chunk (llama.cpp's abort callback) instead of waiting for the chunk to
/// end. llama.cpp drops the stopped chunk's entries as the engine forgets them, so the read
/// goes on from there once the engine is idle, and the full window answers in the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_stops_the_read_behind_a_cold_answer_in_the_middle_of_a_chunk() {
    let mut settings = qwen();
    settings["cold_tokens"] = json!(128);
    let client = server_with(settings).await;
    let completer = client.completer().await;
    let engine = completer.engine();

    let uri = common::uri("stopped_read.py");
    client
        .open(&uri, "python", &common::steps_module(300))
        .await;
    let (line, character) = (201, 22);
    suggest(&client, &uri, line, character).await;
    let cold = completer.last_timings().unwrap().engine;
    assert!(cold.cold, "the short window answers the new spot: {cold:?}");
    // Once one chunk has been read behind the answer, the next one is being read.
    let behind = engine.prompt_work().read + 1;
    let mut waited = 0;
    while engine.prompt_work().read < behind {
        assert!(waited < 6000, "nothing was read behind the answer");
        tokio::time::sleep(Duration::from_millis(5)).await;
        waited += 1;
    }
    client.insert(&uri, 2, line, character, "s").await;
    suggest(&client, &uri, line, character + 1).await;
    assert!(
        engine.prompt_work().stopped >= 1,
        "the key did not stop the read: {:?}",
        engine.prompt_work()
    );

    let after_stop = (3, line, character + 1);
    full_window_answers_once_read(&client, &uri, after_stop, "not read after the stop").await;
}

/// Moved entries attended to the text before them as it was when they were read; once a
/// whole line before the cursor differs (a paste, a line deleted), they are read again
/// rather than moved, so that the suggestion is computed on the code as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_line_before_the_cursor_has_the_code_after_it_read_again() {
    let client = server_with(qwen()).await;
    let completer = client.completer().await;

    let uri = common::uri("reread.py");
    let text = common::steps_module(120);
    client.open(&uri, "python", &text).await;
    let (line, character) = (61, 22);
    suggest(&client, &uri, line, character).await;

    // A new line of code a few lines above the cursor: more than a few tokens changed.
    let before = completer.engine().prompt_work();
    let pasted = "    values = [v * 2 for v in values if v is not None]\n";
    client.insert(&uri, 2, 57, 0, pasted).await;
    client
        .inline_completion(&uri, line + 1, character)
        .await
        .unwrap();
    let work = completer.engine().prompt_work();
    let (read, moved) = (work.read - before.read, work.moved - before.moved);
    assert_eq!(
        moved, 0,
        "nothing is moved after a changed line (read {read})"
    );
    assert!(
        read > 100,
        "the code after the change is read again ({read})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_adapters_keep_their_prompts_in_kv_slots() {
    let client = server_with(gemma()).await;
    let completer = client.completer().await;
    let general = completer
        .adapters()
        .iter()
        .find(|a| a.manifest.frameworks.is_empty())
        .expect("a general adapter ships with nib")
        .manifest
        .name
        .clone();

    // Code after the cursor: the general adapter serves it.
    let a = common::uri("stats.py");
    let text = std::fs::read_to_string("tests/fixtures/sample.py").unwrap()
        + "\n\nprint(mean_and_spread([1.0, 2.0]))\n";
    client.open(&a, "python", &text).await;
    client.inline_completion(&a, 6, 31).await.unwrap();
    let first = completer.last_timings().unwrap().engine;
    assert!(first.prefill_tokens > 40, "{first:?}");

    // Another document in between.
    let b = common::uri("area.py");
    client
        .open(
            &b,
            "python",
            "import math


def circle_area(radius):
    return math.",
        )
        .await;
    client.inline_completion(&b, 4, 16).await.unwrap();

    // Back in the first document: its prompt is still in the cache.
    client.insert(&a, 2, 6, 31, "m").await;
    client.inline_completion(&a, 6, 32).await.unwrap();
    let back = completer.last_timings().unwrap().engine;
    assert!(
        back.prefill_tokens <= 4,
        "the first document's slot survived the second: {back:?}"
    );

    // The base model: another prompt layout, another adapter.
    let mut settings = gemma();
    settings["adapter"] = json!("none");
    client.configure(settings).await;
    client.inline_completion(&a, 6, 32).await.unwrap();
    let base = completer.last_timings().unwrap().engine;
    assert!(base.adapter_switch_ms > 0.0, "{base:?}");
    assert!(
        base.prefill_tokens > 40,
        "the base model's prompt is read: {base:?}"
    );

    // Switching back costs the switch, not the prompt.
    let mut settings = gemma();
    settings["adapter"] = json!(general);
    client.configure(settings).await;
    client.inline_completion(&a, 6, 32).await.unwrap();
    let again = completer.last_timings().unwrap().engine;
    assert!(again.adapter_switch_ms > 0.0, "{again:?}");
    assert!(
        again.prefill_tokens <= 1,
        "the adapter's slot still holds the prompt: {again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_through_a_suggestion_answers_without_the_model() {
    let client = in_process_server().await;
    let completer = client.completer().await;

    let uri = common::uri("through.py");
    client.open(&uri, "python", "import numpy as").await;
    let first = suggest(&client, &uri, 0, 15).await;
    assert!(first.len() > 1, "a suggestion to type through: {first:?}");
    let runs = completer.counters().generations;

    let typed = &first[..1];
    client.insert(&uri, 2, 0, 15, typed).await;
    let rest = suggest(&client, &uri, 0, 16).await;
    assert_eq!(format!("{typed}{rest}"), first);
    assert_eq!(completer.counters().generations, runs, "no model run");
    assert_eq!(completer.counters().typed_through, 1);

    // Typing something else asks the model again.
    client.insert(&uri, 3, 0, 16, "#").await;
    client.inline_completion(&uri, 0, 17).await.unwrap();
    assert_eq!(completer.counters().generations, runs + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_line_under_a_function_header_gets_a_block() {
    let client = in_process_server().await;

    let uri = common::uri("area.py");
    let text = "import math\n\n\ndef circle_area(radius):\n    \n\n\nprint(circle_area(2.0))\n";
    client.open(&uri, "python", text).await;
    let suggestion = suggest(&client, &uri, 4, 4).await;
    assert!(!suggestion.trim().is_empty(), "a body for circle_area");
    assert!(suggestion.contains("radius"), "{suggestion:?}");
    for line in suggestion.lines().skip(1) {
        assert!(
            line.is_empty() || line.starts_with("    "),
            "the block ends with the function: {suggestion:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_runs_a_tiny_corpus_with_its_baseline() {
    common::pull_model();
    unsafe { std::env::remove_var("NIB_MODEL") };
    let options = nib::bench::Options {
        baseline: true,
        speculative: true,
        infill: true,
        ..common::tiny_bench()
    };
    let report = nib::bench::run(&options).await.unwrap();
    let json = report.json();
    for key in [
        "p50_ms",
        "p95_ms",
        "baseline_p50_ms",
        "baseline_p95_ms",
        "speedup_p50",
        "pause_p50_ms",
        "pause_p95_ms",
        "baseline_pause_p50_ms",
    ] {
        assert!(json[key].is_number(), "{key} in {json}");
    }
    let infill = report.infill.as_ref().unwrap();
    // The same keystrokes through nib http's /infill.
    assert_eq!(infill.requests, report.nib.requests, "{json}");
    for mode in [&report.nib, report.baseline.as_ref().unwrap(), infill] {
        assert!(mode.requests > 0, "{json}");
        assert_eq!(mode.answered + mode.cancelled, mode.requests, "{json}");
        assert!(
            mode.answered >= 1,
            "the last keystroke of a line is always answered: {json}"
        );
        // Every line ends in a pause, and some boundaries inside it have one.
        assert!(mode.pauses >= options.lines_per_file, "{json}");
        assert!(mode.pauses_answered_in_time <= mode.pauses, "{json}");
    }
    assert!(report.table().contains("p50 latency"));
    assert!(report.table().contains("pause latency"));
    assert!(report.table().contains("via /infill"));
    assert!(
        json["speculative"]["requests"].as_u64() >= Some(1),
        "{json}"
    );
}

/// Gemma 3 270M with its vocabulary trimmed (models/vocab) and its Q5_0/Q6_K matrices
/// widened to Q8_0: it reads code exactly as the full model does (the same tokens,
/// renumbered) and starts its suggestions the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trimmed_gemma_reads_and_completes_code_like_the_full_model() {
    let gemma = nib::model::find_manifest("gemma-3-270m-code").unwrap();
    reads_and_completes_like_the_full_model(gemma).await;
}

/// The same for the default, Qwen2.5-Coder 0.5B trimmed, whose tokenizer is byte-level BPE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trimmed_default_reads_and_completes_code_like_the_full_model() {
    reads_and_completes_like_the_full_model(nib::model::default_manifest()).await;
}

/// The files of benches/corpus (code, and its README) and tests/fixtures/sample.py.
fn corpus_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(root.join("benches/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.push(root.join("tests/fixtures/sample.py"));
    paths
}

/// A tokenizer built from the default model's GGUF (its vocabulary and merges, as an
/// escalation target's `tokenizer` may be given) reads code into the same tokens as
/// llama.cpp, even though the trimmed vocabulary lost the results of some merges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokenizer_built_from_the_gguf_reads_code_as_llama_cpp_does() {
    let client = in_process_server().await;
    let engine = client.completer().await.engine().clone();
    let path = nib::model::model_path(&nib::model::default_manifest());
    let header = nib::model::gguf::read_header(&path).unwrap();
    let tokenizer = nib::model::gguf::bpe_tokenizer(&header).unwrap();
    for path in &corpus_files() {
        let text = std::fs::read_to_string(path).unwrap();
        let ours = tokenizer.encode_fast(text.as_str(), false).unwrap();
        assert_eq!(
            ours.get_ids(),
            engine.token_ids(&text).unwrap(),
            "{}",
            path.display()
        );
    }
    // The control tokens of the prompt count as one each.
    let counted = nib::remote::server::Tokenizer::from_file(&path).unwrap();
    assert_eq!(counted.count("<|fim_prefix|>def<|fim_suffix|>"), 3);
}

async fn reads_and_completes_like_the_full_model(trimmed: nib::model::ModelManifest) {
    let nib::model::Source::Trim(source) = &trimmed.source else {
        panic!("{} is made from another model", trimmed.name);
    };
    let settings = |model: &str| json!({"deadline_ms": 60_000, "model": model});
    let keep = nib::model::vocabulary(&source.keep).unwrap();
    let full = server_with(settings(&source.model)).await;
    let trimmed = server_with(settings(&trimmed.name)).await;
    let (trimmed_engine, full_engine) = (
        trimmed.completer().await.engine().clone(),
        full.completer().await.engine().clone(),
    );
    let as_full_ids = |text: &str| -> Vec<u32> {
        let ids = trimmed_engine.token_ids(text).unwrap();
        ids.iter().map(|&id| keep[id as usize]).collect()
    };

    let mut paths = corpus_files();
    paths.retain(|p| p.extension().is_some_and(|x| x != "md"));
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let tokens = full_engine.token_ids(&text).unwrap();
        assert_eq!(as_full_ids(&text), tokens, "{}", path.display());
    }
    // Text outside the vocabulary still reads, in smaller pieces.
    let foreign = "# 检查用户输入 / überprüfe die Eingabe";
    let pieces = trimmed_engine.token_ids(foreign).unwrap();
    assert!(pieces.len() > full_engine.token_ids(foreign).unwrap().len());

    let cases = [
        ("same.py", "python", "import numpy as", 0, 15),
        (
            "same.py",
            "python",
            "def mean(xs):\n    return sum(xs) /",
            1,
            20,
        ),
        (
            "same.ts",
            "typescript",
            "const app = express();\napp.",
            1,
            4,
        ),
        (
            "same.rs",
            "rust",
            "fn main() {\n    let v: Vec<u8> =",
            1,
            20,
        ),
    ];
    for (name, language, text, line, column) in cases {
        let mut answers = Vec::new();
        for client in [&trimmed, &full] {
            let uri = common::uri(name);
            client.open(&uri, language, text).await;
            let answer = client.inline_completion(&uri, line, column).await.unwrap();
            client.close(&uri).await;
            answers.push(common::insert_text(&answer));
        }
        // Trimming alone gave identical suggestions; widening to Q8_0 rounds the weights a
        // little differently, which may turn a close choice later in the line, not the first.
        let (trimmed, full) = (&answers[0], &answers[1]);
        let same = trimmed
            .chars()
            .zip(full.chars())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(same >= 3, "{text:?}: {trimmed:?} vs {full:?}");
    }
}

/// A cache that holds only the full model (as an older nib left it): starting the server
/// writes the trimmed default from it, with no download, and completes.
#[test]
fn a_cache_with_only_the_full_model_gets_the_default_written_on_start() {
    common::pull_model();
    let default = nib::model::default_manifest();
    let nib::model::Source::Trim(source) = &default.source else {
        panic!("the default model is made from another one");
    };
    let full = nib::model::find_manifest(&source.model).unwrap();
    let cached = nib::model::model_path(&full);
    let home = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let models = home.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let copy = models.join(&full.file);
    std::fs::hard_link(&cached, &copy)
        .or_else(|_| std::fs::copy(&cached, &copy).map(drop))
        .unwrap();

    complete(SAMPLE, |command| {
        command
            .env("NIB_HOME", home.path())
            // Nothing listens there: a download would fail.
            .env("NIB_PYPI_URL", "http://127.0.0.1:9")
    });
    assert_eq!(
        std::fs::metadata(models.join(&default.file)).unwrap().len(),
        default.size
    );
}

/// The cursor usually sits inside a token (`Vec:` before `:new()`, `= ` before a name):
/// the engine heals the token before the cursor, with code after the cursor (which the
/// prompt puts after the cursor's token) as without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_inside_a_token_gets_the_rest_of_it() {
    let client = in_process_server().await;
    let cases = [
        // Code after the cursor.
        (
            "heal.rs",
            "rust",
            "fn main() {\n    let v: Vec<u8> = Vec:\n    v\n}\n",
            1,
            24,
        ),
        // The end of the file.
        (
            "heal_end.rs",
            "rust",
            "fn main() {\n    let v: Vec<u8> = Vec:",
            1,
            24,
        ),
    ];
    for (name, language, text, line, column) in cases {
        let uri = common::uri(name);
        client.open(&uri, language, text).await;
        let answer = suggest(&client, &uri, line, column).await;
        assert!(answer.starts_with(':'), "{name}: {answer:?}");
    }
    let uri = common::uri("heal.py");
    client
        .open(&uri, "python", "import os\n\npath = \nprint(path)\n")
        .await;
    let answer = suggest(&client, &uri, 2, 7).await;
    assert!(!answer.is_empty() && !answer.starts_with(' '), "{answer:?}");
}

/// Token healing on the real tokenizers: wherever the cursor rests (after an indentation,
/// `(`, `.`, `= `, inside an identifier), the tokens the model would naturally write to
/// finish the line are allowed by the healing constraint, step by step. (The constraint
/// used to allow only tokens that start with the dropped text, which forbade Qwen's
/// natural "   " + " for" after an indentation of four spaces.)
#[test]
fn healing_allows_the_natural_tokens_of_both_tokenizers() {
    use nib::engine::Vocabulary;
    use nib::engine::heal::Healing;

    common::pull_model();
    let cases = [
        ("def f(s):\n    depth = 0\n    ", "for c in s:"),
        ("def f(s):\n    if s:\n        ", "return depth"),
        (
            "fn main() {\n    let v = vec![1];\n    ",
            "println!(\"{v:?}\");",
        ),
        ("total = sum(", "values)"),
        ("class A:\n    def f(self):\n        self.", "name = name"),
        ("const x = ", "React.useState(0);"),
        (
            "    def __init__(self, name):\n        self.na",
            "me = name",
        ),
        ("let router = Router::", "new();"),
    ];
    for name in ["gemma-3-270m-code", "qwen2.5-coder-0.5b-code"] {
        let manifest = nib::model::find_manifest(name).unwrap();
        let vocab = Vocabulary::load(&nib::model::model_path(&manifest)).unwrap();
        for (before, rest) in cases {
            let mut prompt = vocab.tokenize(before);
            let mut healing = Healing::of(&mut prompt, |t| vocab.piece(t))
                .unwrap_or_else(|| panic!("{name}: {before:?} is healed"));
            let natural = vocab.tokenize(&format!("{before}{rest}"));
            let text = |tokens: &[llama_cpp_2::token::LlamaToken]| -> Vec<String> {
                let tail = &tokens[tokens.len().saturating_sub(6)..];
                tail.iter()
                    .map(|&t| String::from_utf8_lossy(vocab.piece(t)).into_owned())
                    .collect()
            };
            assert!(
                natural.starts_with(&prompt),
                "{name}: {before:?} reads the same before the healed token: {:?} vs {:?}",
                text(&prompt),
                text(&natural[..prompt.len().min(natural.len())])
            );
            let mut written = Vec::new();
            for &token in &natural[prompt.len()..] {
                let piece = vocab.piece(token);
                if !healing.is_done() {
                    assert!(
                        healing.allows(piece),
                        "{name}: {before:?} + {rest:?}: healing forbids {:?}",
                        String::from_utf8_lossy(piece)
                    );
                    let spelled = healing.advance(piece);
                    written.extend_from_slice(&piece[spelled..]);
                } else {
                    written.extend_from_slice(piece);
                }
            }
            assert!(healing.is_done(), "{name}: {before:?} healed");
            assert_eq!(
                String::from_utf8_lossy(&written),
                rest,
                "{name}: {before:?}"
            );
        }
    }
}

/// Where the model writes the line after the cursor again (the file already has it),
/// nib asks once more with that line ruled out: the engine passes over every first token
/// that would start it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_ruled_out_is_not_written_again() {
    let client = server_with(qwen()).await;
    let engine = client.completer().await.engine().clone();
    let before = "<|fim_prefix|>def total(values):\n    result = 0\n    for v in values:\n        result += v\n";
    let text = format!("{before}<|fim_suffix|>\n    return result\n<|fim_middle|>");
    let generate = |avoid: Option<String>| nib::engine::Generate {
        prompt: nib::prompt::Prompt {
            cursor: before.len(),
            text: text.clone(),
        },
        cold: None,
        max_tokens: 16,
        decode_budget: Duration::from_secs(60),
        stop: Box::new(|t: &str| t.find('\n').filter(|&i| !t[..i].trim().is_empty())),
        cancel: Default::default(),
        reuse: true,
        speculate: false,
        adapter: None,
        avoid,
    };
    let first = engine.generate(generate(None)).await.unwrap().text;
    let line = first.trim().to_string();
    assert!(!line.is_empty(), "an answer to rule out: {first:?}");
    let again = engine
        .generate(generate(Some(line.clone())))
        .await
        .unwrap()
        .text;
    assert!(
        !again.trim_start().starts_with(&line),
        "{again:?} starts with the line ruled out, {line:?}"
    );
}

/// The default model ships FastAPI and React adapters: `auto` applies each to a file that
/// imports its framework and answers through it, and leaves a file of no framework to the
/// base model.
#[test]
fn the_default_model_answers_framework_code_through_its_framework_adapters() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    common::pull_model();
    let files = [
        (
            "app.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/items/{item_id}\")\nasync def read_item(item_id: int):\n    return {\"item_id\": \n",
            "8:24",
            "fastapi",
        ),
        (
            "Counter.tsx",
            "import React, { useState } from 'react';\n\nexport function Counter() {\n  const [count, setCount] = useState(0);\n  return <button onClick={() => setCount(count + 1)}>{\n",
            "5:55",
            "react",
        ),
        (
            "routes.rs",
            "use axum::{routing::get, Router};\n\npub fn app() -> Router {\n    Router::new()\n        .route(\"/\", get(root))\n        .route(\"/users\", \n",
            "6:26",
            "axum",
        ),
    ];
    for (name, text, at, framework) in files {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = complete(&format!("{}:{at}", file.display()), |c| c);
        assert!(
            out.contains(&format!("frameworks: {framework}; adapter: {framework}\n")),
            "{out}"
        );
    }
    let plain = complete(SAMPLE, |c| c);
    assert!(plain.contains("adapter: none (base model)"), "{plain}");
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sample.py:7:32");

/// `nib complete AT` with the default model and adapter choice (NIB_MODEL and NIB_ADAPTER
/// unset) and what `env` adds: it succeeds with a suggestion; its output.
fn complete(
    at: &str,
    env: impl FnOnce(&mut std::process::Command) -> &mut std::process::Command,
) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_nib"));
    command
        .args(["complete", at])
        .env_remove("NIB_MODEL")
        .env_remove("NIB_ADAPTER");
    let out = env(&mut command).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("suggestion:"), "{stdout}");
    stdout
}

/// `nib dataset` (training examples) lays prompts out as requests do: with `signatures`
/// on, they show the signatures of the framework installed in `environments`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_examples_show_framework_signatures_when_asked() {
    use std::sync::{Arc, RwLock};
    let root = tempfile::tempdir().unwrap();
    let package = root.path().join("app");
    std::fs::create_dir_all(&package).unwrap();
    let lines: String = (0..6)
        .map(|i| format!("app.include_router(router_{i}, prefix=\"/v{i}\")\n"))
        .collect();
    let text = format!("from fastapi import FastAPI\n\napp = FastAPI()\n{lines}");
    std::fs::write(package.join("main.py"), text).unwrap();
    let site = root.path().join("env/site-packages");
    std::fs::create_dir_all(site.join("fastapi")).unwrap();
    std::fs::create_dir_all(site.join("fastapi-0.1.0.dist-info")).unwrap();
    std::fs::write(
        site.join("fastapi/__init__.py"),
        "def include_router(router, prefix: str = '', tags: list | None = None) -> None:\n    pass\n",
    )
    .unwrap();

    let client = server_with(qwen()).await;
    let engine = client.completer().await.engine().clone();
    let manifest = nib::model::find_manifest("qwen2.5-coder-0.5b-code").unwrap();
    let options = nib::dataset::Options {
        packages: vec![package],
        seed: 3,
        per_file: 6,
        block_share: 0.0,
        end_share: 0.0,
        line_start_share: 0.0,
    };
    let prompts = |signatures: bool| {
        let settings = nib::config::Settings::from_json(&json!({
            "signatures": signatures,
            "environments": [&site],
        }))
        .unwrap()
        .settings;
        let completer = nib::completion::Completer::new(
            engine.clone(),
            &manifest,
            Arc::new(RwLock::new(settings)),
        )
        .with_signatures(nib::signatures::Signatures::new(root.path().join("cache")));
        let options = options.clone();
        async move {
            let mut prompts = Vec::new();
            nib::dataset::run(&options, &completer, |example| {
                prompts.push(example.prompt.clone());
                Ok(())
            })
            .await
            .unwrap();
            prompts
        }
    };
    let signature = "def include_router(router, prefix: str = '', tags: list | None = None)";
    let with = prompts(true).await;
    assert!(!with.is_empty());
    // Every prompt with the name above its cursor, the first included: the examples do
    // not depend on how soon indexing finished.
    let near: Vec<_> = with
        .iter()
        .filter(|p| {
            p.split("<|fim_suffix|>")
                .next()
                .unwrap()
                .contains("app.include_router(")
        })
        .collect();
    assert!(near.len() > 1, "{with:#?}");
    assert!(near.iter().all(|p| p.contains(signature)), "{with:#?}");
    let without = prompts(false).await;
    assert_eq!(without.len(), with.len());
    assert!(
        !without.iter().any(|p| p.contains("tags: list")),
        "{without:#?}"
    );
    client.shutdown().await;
}
