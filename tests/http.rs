//! `nib http` end to end: the real binary, the real default model, and the request bodies
//! real clients send, copied from their source (linked at each).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::{Answer, Server};
use serde_json::{Value, json};

/// Python code the model completes the same way each time.
const PREFIX: &str = "import os\n\n\ndef list_python_files(folder):\n    \"\"\"The .py files in folder.\"\"\"\n    return [name for name in os.listdir(folder) if name.";
const SUFFIX: &str = "]\n";

/// Zed's edit predictions, `open_ai_compatible_api` provider, `prompt_format: "qwen"`:
/// `RawCompletionRequest { model, prompt, max_tokens, stop }`, no stream, no temperature.
/// https://github.com/zed-industries/zed/blob/0fd68c5e45b05e43f4d558c87a0c55c8adaaf7c2/crates/edit_prediction/src/open_ai_compatible.rs
/// https://github.com/zed-industries/zed/blob/09512d2e88ed9316fbccd988b46378e8d779179c/crates/edit_prediction/src/fim.rs
fn zed_openai_body() -> Value {
    json!({
        "model": "nib",
        "prompt": format!("<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"),
        "max_tokens": 64,
        "stop": ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"]
    })
}

#[test]
fn zed_openai_compatible_edit_predictions_get_a_completion() {
    let server = Server::ready(&[]);
    let answer = server.post("/v1/completions", &zed_openai_body());
    assert_eq!(answer.status, 200, "{}", answer.body);
    let value = answer.json();
    // Zed's RawCompletionResponse requires each of these.
    for field in ["id", "object", "model"] {
        assert!(value[field].is_string(), "{field} in {value}");
    }
    assert!(value["created"].is_u64());
    for field in ["prompt_tokens", "completion_tokens", "total_tokens"] {
        assert!(value["usage"][field].is_u64(), "usage.{field} in {value}");
    }
    let text = value["choices"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("endswith("), "{value}");
    assert!(!text.contains("<|"), "{text:?}");
}

/// Zed's `ollama` provider: `/api/generate` with `raw: true, stream: false` and the same
/// FIM prompt; it reads `created_at` and `response`.
/// https://github.com/zed-industries/zed/blob/01b31d40174da61e9fea797a5c50a1d9dbfac55b/crates/edit_prediction/src/ollama.rs
#[test]
fn zed_ollama_edit_predictions_and_its_model_list() {
    let server = Server::ready(&[]);
    let body = json!({
        "model": "nib",
        "prompt": format!("<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"),
        "raw": true,
        "stream": false,
        "options": {"num_predict": 64, "temperature": 0.2, "stop": ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"]}
    });
    let answer = server.post("/api/generate", &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let value = answer.json();
    assert!(value["created_at"].is_string());
    assert!(
        value["response"].as_str().unwrap().starts_with("endswith("),
        "{value}"
    );
    assert_eq!(value["done"], true);

    // Zed parses /api/tags strictly: every field but `families`.
    let tags = server.get("/api/tags").json();
    let model = &tags["models"][0];
    for field in ["name", "model", "modified_at", "digest"] {
        assert!(model[field].is_string(), "{field} in {tags}");
    }
    assert!(model["size"].is_u64());
    for field in ["format", "family", "parameter_size", "quantization_level"] {
        assert!(
            model["details"][field].is_string(),
            "details.{field} in {tags}"
        );
    }
    assert!(server.get("/api/version").json()["version"].is_string());
}

/// llama.vim's FIM request, as `llama#fim` builds it (it always adds `model` and an empty
/// bearer token), and its ring-buffer cache warming (`n_predict: 0`, `response_fields: [""]`).
/// https://github.com/ggml-org/llama.vim/blob/a1c8e6e40cb45df59b78add5b65d575386832465/autoload/llama.vim
#[test]
fn llama_vim_gets_nib_suggestions_from_infill() {
    let server = Server::ready(&[]);
    let (line_start, typed) = PREFIX.rsplit_once('\n').unwrap();
    let body = json!({
        "id_slot": 0,
        "input_prefix": format!("{line_start}\n"),
        "input_suffix": SUFFIX,
        "input_extra": [{"text": "def unrelated():\n    return 1\n", "time": [1738316000, 123456], "filename": "other.py"}],
        "prompt": typed,
        "n_predict": 128,
        "stop": [],
        "n_indent": 4,
        "top_k": 40,
        "top_p": 0.9,
        "samplers": ["top_k", "top_p", "infill"],
        "stream": false,
        "cache_prompt": true,
        "t_max_prompt_ms": 500,
        "t_max_predict_ms": 1000,
        "response_fields": ["content", "timings/prompt_n", "timings/prompt_ms", "timings/prompt_per_token_ms",
            "timings/prompt_per_second", "timings/predicted_n", "timings/predicted_ms",
            "timings/predicted_per_token_ms", "timings/predicted_per_second", "truncated", "tokens_cached"],
        "model": ""
    });
    let answer = server.request(
        "POST",
        "/infill",
        &[("Authorization", "Bearer ")],
        &body.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    // llama.vim drops an answer unless it matches '"content"\s*:"' (no space after the colon).
    assert!(answer.body.contains("\"content\":\""), "{}", answer.body);
    let value = answer.json();
    assert!(
        value["content"].as_str().unwrap().starts_with("endswith("),
        "{value}"
    );
    for key in [
        "timings/prompt_n",
        "timings/prompt_ms",
        "timings/prompt_per_second",
        "timings/predicted_n",
        "timings/predicted_ms",
        "timings/predicted_per_second",
    ] {
        assert!(value[key].is_number(), "{key} in {value}");
    }

    let warm = json!({
        "id_slot": 0, "input_prefix": "", "input_suffix": "", "input_extra": [{"text": "x = 1\n", "time": [1, 2], "filename": "a.py"}],
        "prompt": "", "n_predict": 0, "temperature": 0.0, "samplers": [], "stream": false, "cache_prompt": true,
        "t_max_prompt_ms": 1, "t_max_predict_ms": 1, "response_fields": [""], "model": ""
    });
    let answer = server.request(
        "POST",
        "/infill",
        &[("Authorization", "Bearer ")],
        &warm.to_string(),
    );
    assert_eq!((answer.status, answer.json()), (200, json!({})));
}

/// llama.vscode: `n_cmpl: 3` and an arbitrary model; a single object must carry `content`,
/// `generation_settings` and `timings` (its status bar reads them). Its health check wants `status`.
/// https://github.com/ggml-org/llama.vscode/blob/v0.0.63/src/llama-server.ts
#[test]
fn llama_vscode_gets_one_answer_with_the_fields_it_reads() {
    let server = Server::ready(&[]);
    assert_eq!(server.get("/health").json(), json!({"status": "ok"}));
    let (line_start, typed) = PREFIX.rsplit_once('\n').unwrap();
    let body = json!({
        "id_slot": 0, "input_prefix": format!("{line_start}\n"), "input_suffix": SUFFIX,
        "input_extra": [{"text": "def unrelated():\n    return 1\n", "time": 1738316000000u64, "filename": "/home/u/p/other.py"}],
        "prompt": typed, "n_predict": 128, "n_cmpl": 3, "top_k": 40, "top_p": 0.99, "stream": false,
        "samplers": ["top_k", "top_p", "infill"], "cache_prompt": true, "n_indent": 4,
        "t_max_prompt_ms": 500, "t_max_predict_ms": 500, "model": "google/gemini-2.5-flash"
    });
    let value = server.post("/infill", &body).json();
    assert!(
        value["content"].as_str().unwrap().starts_with("endswith("),
        "{value}"
    );
    assert!(value["generation_settings"].is_object());
    assert!(value["tokens_cached"].is_u64());
    for key in [
        "prompt_n",
        "prompt_ms",
        "prompt_per_second",
        "predicted_n",
        "predicted_ms",
        "predicted_per_second",
    ] {
        assert!(
            value["timings"][key].is_number(),
            "timings.{key} in {value}"
        );
    }
}

/// The text of an OpenAI server-sent event stream, checked to end with `[DONE]`.
fn sse_text(body: &str) -> String {
    let events: Vec<&str> = body
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"), "{body}");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert!(chunks.last().unwrap()["choices"][0]["finish_reason"].is_string());
    chunks
        .iter()
        .map(|c| c["choices"][0]["text"].as_str().unwrap().to_string())
        .collect()
}

/// Continue's autocomplete with `provider: openai`: the legacy endpoint, a FIM prompt
/// templated by Continue (`<fim_prefix>` for model names it does not know), `stream: true`.
/// https://github.com/continuedev/continue/blob/d0a3c0b626b5bebc3bef4742eec05a0242be0bab/core/llm/llms/OpenAI.ts
/// And its Ollama provider's FIM path, prompt and suffix apart, no `stream` (so streamed).
/// https://github.com/continuedev/continue/blob/d0a3c0b626b5bebc3bef4742eec05a0242be0bab/core/llm/llms/Ollama.ts
#[test]
fn continue_streams_the_same_text_as_a_plain_answer() {
    let server = Server::ready(&[]);
    let plain = server.post("/v1/completions", &zed_openai_body()).json();
    let plain = plain["choices"][0]["text"].as_str().unwrap().to_string();

    let body = json!({
        "model": "nib", "max_tokens": 64, "temperature": 0.01, "stream": true,
        "stop": ["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|endoftext|>", "/src/", "#- coding: utf-8", "```"],
        "prompt": format!("<fim_prefix>{PREFIX}<fim_suffix>{SUFFIX}<fim_middle>")
    });
    let answer = server.request(
        "POST",
        "/v1/completions",
        &[("api-key", "")],
        &body.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.headers.contains("content-type: text/event-stream"));
    let streamed = sse_text(&answer.body);
    assert!(streamed.starts_with("endswith("), "{streamed:?}");
    // Same prompt in another FIM format: the same suggestion, cut by the same stop rules.
    // The first lines, which a user reads: 64 greedy tokens may part at a near tie further
    // on, since the second request reuses the first one's KV entries (batched arithmetic
    // in another order).
    let first_lines = |text: &str| text.lines().take(3).collect::<Vec<_>>().join("\n");
    let (plain, streamed) = (first_lines(&plain), first_lines(&streamed));
    assert!(
        plain.starts_with(&streamed) || streamed.starts_with(&plain),
        "{plain:?} vs {streamed:?}"
    );

    let body = json!({
        "model": "nib", "prompt": PREFIX, "suffix": SUFFIX,
        "options": {"temperature": 0.01, "num_predict": 64, "stop": ["\n"], "num_ctx": 8192},
        "keep_alive": 1800
    });
    let answer = server.post("/api/generate", &body);
    assert!(
        answer.headers.contains("application/x-ndjson"),
        "{}",
        answer.headers
    );
    let lines: Vec<Value> = answer
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.last().unwrap()["done"], true);
    assert!(lines[..lines.len() - 1].iter().all(|l| l["done"] == false));
    let text: String = lines
        .iter()
        .map(|l| l["response"].as_str().unwrap())
        .collect();
    assert!(text.starts_with("endswith("), "{text:?}");
    assert!(!text.contains('\n'), "{text:?}");
    assert!(
        server.post("/api/show", &json!({"name": "nib"})).json()["template"]
            .as_str()
            .unwrap()
            .contains(".Suffix")
    );
}

#[test]
fn two_clients_at_once_both_get_their_answer() {
    let server = Arc::new(Server::ready(&[]));
    let clients: Vec<_> = ["Zed/0.190", "curl/8.5"]
        .into_iter()
        .map(|agent| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                server.request(
                    "POST",
                    "/v1/completions",
                    &[("User-Agent", agent)],
                    &zed_openai_body().to_string(),
                )
            })
        })
        .collect();
    for client in clients {
        let answer = client.join().unwrap();
        assert_eq!(answer.status, 200);
        assert!(
            answer.json()["choices"][0]["text"]
                .as_str()
                .unwrap()
                .starts_with("endswith(")
        );
    }
}

/// Settings under which a request may run for 1,024 tokens and a minute (a client-made
/// prompt is budgeted as a block: twice `max_tokens`, four times `deadline_ms`).
const ENDLESS: &str = r#"{"deadline_ms": 15000, "max_tokens": 512}"#;

/// A prompt the model continues for as long as it is let.
fn endless(stream: bool) -> String {
    let prompt: String = (0..8)
        .map(|i| format!("def f{i}():\n    return {i}\n\n\n"))
        .collect();
    json!({"prompt": prompt, "max_tokens": 1000, "stream": stream}).to_string()
}

/// Waits until the engine has generated something and is still at it.
fn wait_generating(server: &Server, before: u64) {
    let start = Instant::now();
    loop {
        let status = server.status();
        if status["busy"] == true && status["generated_tokens"].as_u64().unwrap() > before {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never generated: {status}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_idle(server: &Server) -> Value {
    let start = Instant::now();
    loop {
        let status = server.status();
        if status["busy"] == false {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never idle: {status}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_client_that_hangs_up_mid_decode_frees_the_engine() {
    // Time enough for 1,000 tokens, so only the hang-up can stop them early.
    let server = Server::ready(&["--settings", ENDLESS]);
    for stream in [false, true] {
        let before = server.status();
        let connection = server.send("POST", "/v1/completions", &[], &endless(stream));
        wait_generating(&server, before["generated_tokens"].as_u64().unwrap());
        drop(connection);
        let after = wait_idle(&server);
        assert_eq!(
            after["cancelled"].as_u64().unwrap(),
            before["cancelled"].as_u64().unwrap() + 1,
            "stream {stream}: {after}"
        );
        let generated = after["generated_tokens"].as_u64().unwrap()
            - before["generated_tokens"].as_u64().unwrap();
        assert!(generated < 1000, "stream {stream}: {generated} tokens");
    }
    // And the next request is answered.
    let answer = server.post("/v1/completions", &zed_openai_body());
    assert!(
        answer.json()["choices"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("endswith(")
    );
}

#[test]
fn a_newer_request_of_the_same_client_cancels_the_older() {
    let server = Arc::new(Server::ready(&["--settings", ENDLESS]));
    let before = server.status();
    let older = {
        let server = Arc::clone(&server);
        std::thread::spawn(move || {
            server.request(
                "POST",
                "/v1/completions",
                &[("User-Agent", "Zed/0.190")],
                &endless(false),
            )
        })
    };
    wait_generating(&server, before["generated_tokens"].as_u64().unwrap());
    let newer = server.request(
        "POST",
        "/v1/completions",
        &[("User-Agent", "Zed/0.190")],
        &zed_openai_body().to_string(),
    );
    assert!(
        newer.json()["choices"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("endswith(")
    );
    let older = older.join().unwrap().json();
    assert_eq!(older["choices"][0]["text"], "", "{older}");
    assert_eq!(
        server.status()["cancelled"].as_u64().unwrap(),
        before["cancelled"].as_u64().unwrap() + 1
    );
}

#[test]
fn foreign_hosts_web_pages_and_bad_bodies_are_refused() {
    let server = Server::ready(&[]);
    // DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1.
    let answer = server.request("GET", "/v1/models", &[("Host", "evil.example:8012")], "");
    assert_eq!(answer.status, 403);
    // A browser's preflight from another site, and the request itself: no CORS, refused.
    let preflight = [
        ("Origin", "http://evil.example"),
        ("Access-Control-Request-Method", "POST"),
    ];
    let answer = server.request("OPTIONS", "/v1/completions", &preflight, "");
    assert_eq!(answer.status, 403);
    assert!(!answer.headers.contains("access-control-allow-origin"));
    let answer = server.request(
        "POST",
        "/v1/completions",
        &[("Origin", "http://evil.example")],
        &zed_openai_body().to_string(),
    );
    assert_eq!(answer.status, 403);
    // No Host header at all (HTTP/1.1 requires one): refused as well.
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream
        .write_all(b"GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    assert_eq!(Answer::parse(&raw).status, 403);
    // Loopback names pass.
    assert_eq!(
        server
            .request("GET", "/v1/models", &[("Host", "localhost:8012")], "")
            .status,
        200
    );

    let bad = server.request(
        "POST",
        "/v1/completions",
        &[],
        r#"{"prompt": "x", "max_tokens": "many"}"#,
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_tokens"),
        "{}",
        bad.body
    );
    let bad = server.request("POST", "/api/generate", &[], r#"{"prompt": ["x"]}"#);
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"].as_str().unwrap().contains("prompt"),
        "{}",
        bad.body
    );
    let bad = server.request("POST", "/infill", &[], r#"{"input_prefix": "x""#);
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{}",
        bad.body
    );
    let huge = format!(r#"{{"prompt": "{}"}}"#, "x".repeat(5 << 20));
    assert_eq!(
        server.request("POST", "/v1/completions", &[], &huge).status,
        413
    );
    // max_tokens is lowered to the limit, not refused (Continue asks for 4,096).
    let many = json!({"prompt": "x = ", "max_tokens": 4096, "stop": ["\n"]});
    assert_eq!(server.post("/v1/completions", &many).status, 200);
    // The server is still there.
    assert_eq!(server.get("/health").status, 200);
}

#[test]
fn a_token_is_required_when_set_and_the_network_needs_one() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refuse = |args: &[&str], says: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_nib"))
            .args(["http", "--port", "0"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(says),
            "{args:?}: {stderr}"
        );
    };
    let token_path = token.to_str().unwrap();
    refuse(&["--token-file", token_path], "chmod 600");
    refuse(&["--bind", "0.0.0.0"], "without a token");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();

    let server = Server::ready(&["--token-file", token_path]);
    let body = zed_openai_body().to_string();
    assert_eq!(
        server.request("POST", "/v1/completions", &[], &body).status,
        401
    );
    assert_eq!(
        server
            .request(
                "POST",
                "/v1/completions",
                &[("Authorization", "Bearer s3cre")],
                &body
            )
            .status,
        401
    );
    assert_eq!(
        server
            .request("POST", "/infill", &[("Authorization", "Bearer ")], "{}")
            .status,
        401
    );
    assert_eq!(
        server
            .request(
                "POST",
                "/v1/completions",
                &[("Authorization", "Bearer s3cret")],
                &body
            )
            .status,
        200
    );
    assert_eq!(
        server
            .request("GET", "/api/tags", &[("X-Api-Key", "s3cret")], "")
            .status,
        200
    );

    // A new token in the file takes effect without a restart; the old one stops working.
    std::fs::write(&token, "n3w-s3cret\n").unwrap();
    let tags = |key: &str| {
        server
            .request("GET", "/api/tags", &[("X-Api-Key", key)], "")
            .status
    };
    assert_eq!(tags("s3cret"), 401);
    assert_eq!(tags("n3w-s3cret"), 200);
    // A token file others can read stops the server serving, until it is fixed.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let answer = server.request("GET", "/api/tags", &[("X-Api-Key", "n3w-s3cret")], "");
    assert_eq!(answer.status, 500, "{}", answer.body);
    assert!(answer.body.contains("chmod 600"), "{}", answer.body);
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(tags("n3w-s3cret"), 200);
}

#[test]
fn a_missing_model_is_a_clear_error_not_a_hang() {
    let server = Server::start(&["--model", "/nonexistent/model.gguf"], &[]);
    let answer = server.get("/health");
    assert_eq!(answer.status, 500, "{}", answer.body);
    assert!(
        answer.body.contains("/nonexistent/model.gguf"),
        "{}",
        answer.body
    );
    let answer = server.post("/v1/completions", &zed_openai_body());
    assert_eq!(answer.status, 500);
    assert!(server.log().contains("/nonexistent/model.gguf"));
}

/// A LAN client of `nib http --bind 0.0.0.0`: inside a network namespace the test makes
/// (loopback up, and a non-loopback address, 10.99.0.1, on it), the server is called at
/// that address the way a client on the network would call it, by bash's /dev/tcp.
#[test]
fn lan_clients_with_the_token_get_in_under_a_non_loopback_bind() {
    const TEST: &str = "lan_clients_with_the_token_get_in_under_a_non_loopback_bind";
    let Some(way) = common::network_namespace(TEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Each line: the Host to send, the token to send ("-" for none).
    let script = r#"
set -eu
ip link set lo up
ip addr add 10.99.0.1/32 dev lo
"$NIB" http --bind 0.0.0.0 --port 0 --token-file "$TOKEN" --allow-host nib.lan \
    --model /nonexistent/model.gguf 2>"$LOG" &
port=
for _ in $(seq 400); do
    port=$(sed -n 's/^nib http: listening on http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$LOG")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { cat "$LOG"; exit 1; }
ask() {
    exec 3<>"/dev/tcp/10.99.0.1/$port"
    auth=""
    [ "$2" = - ] || auth="Authorization: Bearer $2"$'\r\n'
    printf 'GET /api/tags HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n' "$1" "$auth" >&3
    read -r _ status _ <&3
    exec 3<&-
    echo "$1 $2 $status"
}
ask "10.99.0.1:$port" s3cret
ask "10.99.0.1:$port" -
ask "10.99.0.1:$port" wrong
ask "nib.lan:$port" s3cret
ask "evil.example:$port" s3cret
ask "10.99.0.2:$port" s3cret
kill %1
"#;
    let out = Command::new(way[0])
        .args(&way[1..])
        .args(["bash", "-c", script])
        .env("NIB", env!("CARGO_BIN_EXE_nib"))
        .env("TOKEN", &token)
        .env("LOG", dir.path().join("log"))
        .output()
        .unwrap();
    let stdout = common::succeeds(&out, "the LAN script");
    eprintln!("{stdout}");
    let statuses: Vec<&str> = stdout
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["200", "401", "401", "200", "403", "403"],
        "{stdout}"
    );
}
