//! The server driven in-process, as an editor would, without a model: document sync,
//! errors and the message that says how to get the model.

mod common;

use std::time::Duration;

use nib::lsp::harness::LspClient;
use serde_json::json;

/// Points nib at an empty cache: no model there.
fn without_model() {
    let home = std::env::temp_dir().join("nib-test-empty-home");
    std::fs::create_dir_all(&home).unwrap();
    // SAFETY: every test in this binary sets the same values before starting a server.
    unsafe {
        std::env::remove_var("NIB_MODEL");
        std::env::set_var("NIB_HOME", &home);
    }
}

/// A server whose model is not in the cache.
async fn server_without_model() -> LspClient {
    without_model();
    let client = LspClient::in_process();
    let capabilities = json!({"window": {"workDoneProgress": true}});
    client.initialize(capabilities, json!({})).await.unwrap();
    client
}

#[tokio::test]
async fn initialize_advertises_inline_and_plain_completion() {
    without_model();
    let client = LspClient::in_process();
    let utf8 = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let result = client.initialize(utf8, json!({})).await.unwrap();
    let caps = &result["capabilities"];
    assert_eq!(caps["inlineCompletionProvider"], json!(true));
    assert!(caps["completionProvider"].is_object());
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2);

    // A client with inline completion gets no completion items: it would run the model twice.
    let client = LspClient::in_process();
    let inline = json!({"textDocument": {"inlineCompletion": {}}});
    let result = client.initialize(inline, json!({})).await.unwrap();
    assert_eq!(
        result["capabilities"]["inlineCompletionProvider"],
        json!(true)
    );
    assert!(result["capabilities"]["completionProvider"].is_null());
}

#[tokio::test]
async fn missing_model_is_said_once_and_completions_are_empty() {
    let client = server_without_model().await;
    let message = client
        .notification("window/showMessage", Duration::from_secs(5))
        .await
        .expect("a message about the model");
    let text = message["message"].as_str().unwrap();
    assert!(text.contains("nib model pull"), "{text}");

    let uri = common::uri("a.py");
    client.open(&uri, "python", "import os\nos.").await;
    let answer = client.inline_completion(&uri, 1, 3).await.unwrap();
    assert_eq!(answer["items"], json!([]));
    // Document sync goes on: an edit is applied and the next request still answers.
    client.insert(&uri, 2, 1, 3, "pa").await;
    let answer = client.inline_completion(&uri, 1, 5).await.unwrap();
    assert_eq!(answer["items"], json!([]));
    assert!(
        client
            .notification("window/showMessage", Duration::from_millis(300))
            .await
            .is_none(),
        "the model problem is said only once"
    );
}

#[tokio::test]
async fn unknown_documents_and_bad_positions_are_clear_errors() {
    let client = server_without_model().await;
    let err = client
        .inline_completion(&common::uri("never-opened.py"), 0, 0)
        .await
        .unwrap_err();
    assert_eq!(err.code, -32602);
    assert!(err.message.contains("open it first"), "{}", err.message);

    let uri = common::uri("short.py");
    client.open(&uri, "python", "x = 1\n").await;
    let err = client.inline_completion(&uri, 40, 0).await.unwrap_err();
    assert_eq!(err.code, -32602);
    // A character past the end of its line clamps to the line end, as LSP says.
    assert!(client.inline_completion(&uri, 0, 99).await.is_ok());
}

#[tokio::test]
async fn huge_binary_and_unknown_language_documents_do_not_break_the_server() {
    let client = server_without_model().await;
    let huge = "x = 1\n".repeat(20 << 20 >> 3); // 20 MB
    let binary = "abc\0\u{1}\u{2}def";
    client.open(&common::uri("huge.py"), "python", &huge).await;
    client
        .open(&common::uri("blob.bin"), "plaintext", binary)
        .await;
    client
        .open(&common::uri("notes.zz"), "zz-unknown", "hello wor")
        .await;
    for (name, line, character) in [("huge.py", 1000, 2), ("blob.bin", 0, 4), ("notes.zz", 0, 9)] {
        let answer = tokio::time::timeout(
            Duration::from_secs(20),
            client.inline_completion(&common::uri(name), line, character),
        )
        .await
        .expect("an answer in time")
        .unwrap();
        assert_eq!(answer["items"], json!([]), "{name}");
    }
}

#[tokio::test]
async fn bad_settings_name_the_key_and_unknown_keys_warn() {
    without_model();
    let client = LspClient::in_process();
    client
        .initialize(json!({}), json!({"max_tokens": "many", "colour": 1}))
        .await
        .unwrap();
    let message = client
        .notification("window/showMessage", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("`max_tokens`"),
        "{message}"
    );
}

/// A `Content-Length` framed message of these bytes.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[tokio::test]
async fn messages_that_do_not_decode_are_answered_and_the_server_goes_on() {
    let client = server_without_model().await;
    let wait = Duration::from_secs(5);
    let cases: [(&[u8], i64); 5] = [
        (b"this is not json", -32700),
        (b"{\"jsonrpc\": \"2.0\", \"method\": ", -32700),
        (b"[1, 2, 3]", -32600),
        (b"{\"hello\": \"world\"}", -32600),
        (
            b"{\"jsonrpc\": \"1.0\", \"method\": \"initialized\"}",
            -32600,
        ),
    ];
    for (body, code) in cases {
        client.send_raw(&framed(body)).await;
        let error = client.unaddressed_error(wait).await;
        assert_eq!(
            error.as_ref().map(|e| e["code"].clone()),
            Some(json!(code)),
            "{}: {error:?}",
            String::from_utf8_lossy(body)
        );
    }
    // A header without a length: skipped, answered, and the next message is read.
    client.send_raw(b"Content-Type: nothing\r\n\r\n").await;
    assert!(client.unaddressed_error(wait).await.is_some());

    // After all that, the server still serves: an ordinary request gets its ordinary answer.
    let err = client
        .inline_completion(&common::uri("never-opened.py"), 0, 0)
        .await
        .unwrap_err();
    assert_eq!(err.code, -32602);
}

#[tokio::test]
async fn half_an_emoji_and_latin1_bytes_are_repaired_and_positions_still_count() {
    let client = server_without_model().await;
    // JavaScript's JSON.stringify writes half an emoji as a lone surrogate escape.
    let uri = common::uri("emoji.py");
    let open = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"python","version":1,"text":"s = 'a\ud83db'\n"}}}}}}"#
    );
    client.send_raw(&framed(open.as_bytes())).await;
    // One UTF-16 unit for the half emoji, as the editor counts: `b` is at character 7.
    client.insert(&uri, 2, 0, 7, "X").await;
    let wait_for = |text: &'static str| {
        let client = &client;
        let uri = uri.clone();
        async move {
            for _ in 0..200 {
                if client.document_text(&uri).as_deref() == Some(text) {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        }
    };
    assert!(
        wait_for("s = 'a\u{fffd}Xb'\n").await,
        "{:?}",
        client.document_text(&uri)
    );

    // A Latin-1 file: the byte that is not UTF-8 becomes U+FFFD, one unit again.
    let uri_latin1 = common::uri("latin1.py");
    let mut open = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri_latin1}","languageId":"python","version":1,"text":"caf"#
    )
    .into_bytes();
    open.extend_from_slice(b"\xe9 = 1\\n\"}}}");
    client.send_raw(&framed(&open)).await;
    client.insert(&uri_latin1, 2, 0, 4, "!").await;
    let mut text = None;
    for _ in 0..200 {
        text = client.document_text(&uri_latin1);
        if text.as_deref() == Some("caf\u{fffd}! = 1\n") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(text.as_deref(), Some("caf\u{fffd}! = 1\n"));
}

#[tokio::test]
async fn the_real_binary_over_stdio_survives_a_message_that_is_not_json() {
    without_model();
    let (_child, client) = common::spawn_serve(&[]);
    client.send_raw(&framed(b"{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"text\": \"\\ud83d")).await;
    let error = client.unaddressed_error(Duration::from_secs(10)).await;
    assert_eq!(error.map(|e| e["code"].clone()), Some(json!(-32700)));
    let result = client.initialize(json!({}), json!({})).await.unwrap();
    assert_eq!(result["serverInfo"]["name"], "nib");

    // A well-formed message with a lone surrogate escape, as JavaScript writes half an
    // emoji: read (repaired to U+FFFD), and the document opened.
    let uri = common::uri("half.py");
    let open = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"python","version":1,"text":"s = '\ud800'\n"}}}}}}"#
    );
    client.send_raw(&framed(open.as_bytes())).await;
    // No parse error; the document is open (an unknown one would be refused) with its
    // two lines.
    client.inline_completion(&uri, 0, 7).await.unwrap();
    let past = client.inline_completion(&uri, 5, 0).await.unwrap_err();
    assert_eq!(past.code, -32602, "{past}");
    assert!(past.message.contains("has 2 lines"), "{past}");
    assert_eq!(client.stray_answer(Duration::from_millis(200)).await, None);
}

#[tokio::test]
async fn a_damaged_model_file_is_named_and_document_sync_goes_on() {
    without_model();
    let dir = tempfile::tempdir().unwrap();
    // Each is a GGUF start that llama.cpp must never be handed.
    let header = |tensors: u64, metadata: u64| {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(&tensors.to_le_bytes());
        bytes.extend_from_slice(&metadata.to_le_bytes());
        bytes
    };
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.gguf", Vec::new(), "not a GGUF"),
        ("huge-count.gguf", header(1 << 40, 0), "a count of"),
        ("truncated.gguf", header(1, 1), "damaged"),
        (
            "one-tensor-past-the-end.gguf",
            {
                let mut bytes = header(1, 0);
                bytes.extend_from_slice(&4u64.to_le_bytes());
                bytes.extend_from_slice(b"emb.");
                bytes.extend_from_slice(&1u32.to_le_bytes());
                bytes.extend_from_slice(&1024u64.to_le_bytes());
                bytes.extend_from_slice(&0u32.to_le_bytes());
                bytes.extend_from_slice(&0u64.to_le_bytes());
                // Padding to the data section, then 4 of the tensor's 4,096 bytes.
                bytes.extend_from_slice(&[0; 8]);
                bytes
            },
            "runs past the end",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let client = LspClient::in_process();
        let options = json!({"model": path.to_str().unwrap()});
        client.initialize(json!({}), options).await.unwrap();
        let message = client
            .notification("window/showMessage", Duration::from_secs(5))
            .await
            .expect("a message about the model");
        let text = message["message"].as_str().unwrap();
        assert!(text.contains(name) && text.contains(says), "{name}: {text}");
        let uri = common::uri("a.py");
        client.open(&uri, "python", "x = 1\n").await;
        client.insert(&uri, 2, 1, 0, "y").await;
        let answer = client.inline_completion(&uri, 1, 1).await.unwrap();
        assert_eq!(answer["items"], json!([]), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_sent_at_full_speed_are_applied_in_order_between_requests() {
    let client = server_without_model().await;
    let uri = common::uri("typed.py");
    client.open(&uri, "python", "\n").await;
    // 500 keystrokes with no pause, a request after each (as an editor asks while typing),
    // not awaited: tower-lsp-server runs handlers concurrently, the text must not care.
    let mut expected = String::new();
    let mut answers = Vec::new();
    for i in 0..500usize {
        let ch = char::from(b'a' + (i % 26) as u8);
        let typed = if i % 50 == 49 {
            "🦀".to_string()
        } else {
            ch.to_string()
        };
        let column: usize = expected.encode_utf16().count();
        client.insert(&uri, i + 2, 0, column as u32, &typed).await;
        expected.push_str(&typed);
        let params = nib::lsp::harness::position_params(
            &uri,
            0,
            expected.encode_utf16().count() as u32,
            json!({"triggerKind": 2}),
        );
        answers.push(
            client
                .send_request("textDocument/inlineCompletion", params)
                .await
                .1,
        );
    }
    for answer in answers {
        // Each is answered (empty: no model) or cancelled by the next keystroke.
        match answer.await {
            Ok(_) => {}
            Err(e) => assert_eq!(e.code, -32800, "{e}"),
        }
    }
    assert_eq!(client.document_text(&uri).unwrap(), format!("{expected}\n"));
}
