//! Between the editor's stdio and tower-lsp-server: every message the server reads is
//! valid JSON-RPC, so that one bad message cannot end the session.
//!
//! tower-lsp-server's transport stops reading at the first message it cannot decode
//! (its framed reader ends after an error), which closes the server. Here each message
//! is read apart first: bytes that are not UTF-8 and lone UTF-16 surrogate escapes
//! (`"\ud83d"`, which JavaScript writes for half an emoji) become U+FFFD, which counts
//! as one UTF-16 unit as the original did, so positions on the line still count right;
//! a message that still is not JSON-RPC is answered here (a parse error or an invalid
//! request, id null) and the next one is read.

use std::borrow::Cow;

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// Largest message read; a larger one is skipped and answered with an error.
const MAX_MESSAGE: usize = 256 << 20;
/// Largest header block; more without a blank line is not a message.
const MAX_HEADER: usize = 8 << 10;
/// Room of the in-memory pipes to and from the server.
const PIPE: usize = 1 << 20;

/// The guarded streams: the server's ends, and the two futures that move messages between
/// them and the editor's streams. Run the writer until it ends (after the server's output
/// closes, everything the server wrote is out); the reader may be left running (it ends
/// when the editor closes its stream, which it need not do after `exit`).
pub struct Guarded<R, W> {
    pub server_in: DuplexStream,
    pub server_out: DuplexStream,
    pub reader: R,
    pub writer: W,
}

pub fn guard(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Guarded<impl Future<Output = ()> + Send + 'static, impl Future<Output = ()> + Send + 'static> {
    let (server_in, to_server) = tokio::io::duplex(PIPE);
    let (server_out, from_server) = tokio::io::duplex(PIPE);
    let (replies, pending) = mpsc::unbounded_channel();
    Guarded {
        server_in,
        server_out,
        reader: read_editor(input, to_server, replies),
        writer: write_editor(from_server, output, pending),
    }
}

/// Reads the editor's messages, passes on the good (repaired where needed) and answers the bad.
async fn read_editor(
    mut input: impl AsyncRead + Unpin,
    mut to_server: DuplexStream,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut frames = Frames::default();
    loop {
        while let Some(frame) = frames.next() {
            let message = match frame {
                Frame::Message(body) => match check(&body) {
                    Ok(text) => text.into_owned().into_bytes(),
                    Err(reply) => {
                        let _ = replies.send(reply.to_string().into_bytes());
                        continue;
                    }
                },
                Frame::Bad(why) => {
                    tracing::warn!("a message from the editor was skipped: {why}");
                    let _ = replies.send(
                        error_reply(Value::Null, -32700, why)
                            .to_string()
                            .into_bytes(),
                    );
                    continue;
                }
            };
            if write_frame(&mut to_server, &message).await.is_err() {
                return; // the server has stopped
            }
        }
        match input.read_buf(&mut frames.buf).await {
            Ok(0) | Err(_) => return, // the editor closed the stream: so does the server's input
            Ok(_) => {}
        }
    }
}

/// Writes the server's messages to the editor, and the answers to bad messages between them.
async fn write_editor(
    mut from_server: DuplexStream,
    mut output: impl AsyncWrite + Unpin,
    mut pending: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let mut frames = Frames::default();
    loop {
        tokio::select! {
            read = from_server.read_buf(&mut frames.buf) => {
                if !matches!(read, Ok(n) if n > 0) {
                    return;
                }
                while let Some(frame) = frames.next() {
                    if let Frame::Message(body) = frame
                        && write_frame(&mut output, &body).await.is_err()
                    {
                        return;
                    }
                }
            }
            Some(reply) = pending.recv() => {
                if write_frame(&mut output, &reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn write_frame(out: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    out.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    out.write_all(body).await?;
    out.flush().await
}

/// One message's body, or why the bytes at the front were not one.
#[derive(Debug, PartialEq)]
enum Frame {
    Message(Vec<u8>),
    Bad(String),
}

/// Splits a byte stream into `Content-Length` framed messages.
#[derive(Default)]
struct Frames {
    buf: Vec<u8>,
    /// Bytes of a too-large message still to drop.
    skip: usize,
}

impl Frames {
    /// The next whole frame in the buffer; `None` until more bytes come.
    fn next(&mut self) -> Option<Frame> {
        if self.skip > 0 {
            let n = self.skip.min(self.buf.len());
            self.buf.drain(..n);
            self.skip -= n;
            if self.skip > 0 {
                return None;
            }
        }
        let Some(end) = find(&self.buf, b"\r\n\r\n") else {
            if self.buf.len() > MAX_HEADER {
                self.drop_to_next_header(1);
                return Some(Frame::Bad("a header block without its end".into()));
            }
            return None;
        };
        let headers = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        let length = headers.split("\r\n").find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
        });
        let start = end + 4;
        match length {
            Some(Some(len)) if len > MAX_MESSAGE => {
                self.buf.drain(..start);
                self.skip = len;
                Some(Frame::Bad(format!(
                    "a message of {len} bytes (at most {MAX_MESSAGE} are read)"
                )))
            }
            Some(Some(len)) => {
                if self.buf.len() < start + len {
                    return None;
                }
                let body = self.buf[start..start + len].to_vec();
                self.buf.drain(..start + len);
                Some(Frame::Message(body))
            }
            _ => {
                self.drop_to_next_header(start);
                Some(Frame::Bad("a header without a valid Content-Length".into()))
            }
        }
    }

    /// Drops bytes up to the next `Content-Length` at or after `from`.
    fn drop_to_next_header(&mut self, from: usize) {
        let from = from.min(self.buf.len());
        let next = find(&self.buf[from..], b"Content-Length").map_or(self.buf.len(), |i| from + i);
        self.buf.drain(..next);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A message as the server may read it, repaired where it can be; else the answer to send.
fn check(body: &[u8]) -> Result<Cow<'_, str>, Value> {
    let text = String::from_utf8_lossy(body);
    let text = match repair_surrogates(&text) {
        Some(repaired) => Cow::Owned(repaired),
        None => text,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        tracing::warn!("a message from the editor is not JSON: {e}");
        error_reply(Value::Null, -32700, format!("Parse error: {e}"))
    })?;
    // A request or notification names its method; an answer to one of the server's
    // requests carries a result or an error. A bare `{"jsonrpc": "2.0"}` is neither,
    // though the request type alone would take it (and the server drop it unanswered).
    let has = |key: &str| value.get(key).is_some();
    let fits = if has("method") {
        serde_json::from_str::<jsonrpc::Request>(&text).is_ok()
    } else {
        (has("result") || has("error")) && serde_json::from_str::<jsonrpc::Response>(&text).is_ok()
    };
    if fits {
        return Ok(text);
    }
    tracing::warn!("a message from the editor is not JSON-RPC 2.0");
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err(error_reply(
        id,
        -32600,
        "Invalid request: not a JSON-RPC 2.0 message".into(),
    ))
}

fn error_reply(id: Value, code: i64, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// The JSON text with each `\u` escape of a lone UTF-16 surrogate written as `\ufffd`;
/// `None` when there is none.
fn repair_surrogates(text: &str) -> Option<String> {
    if !text.contains("\\u") {
        return None;
    }
    let bytes = text.as_bytes();
    let escape_at = |i: usize| -> Option<u16> {
        let hex = text.get(i + 2..i + 6)?;
        (bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u'))
            .then(|| u16::from_str_radix(hex, 16).ok())
            .flatten()
    };
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let (mut i, mut last) = (0, 0);
    let mut in_string = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => match escape_at(i) {
                Some(0xD800..=0xDBFF) if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) => {
                    i += 12;
                }
                Some(0xD800..=0xDFFF) => {
                    out.push_str(&text[last..i]);
                    out.push_str("\\ufffd");
                    changed = true;
                    i += 6;
                    last = i;
                }
                // Any other escape: skip the backslash and the character it escapes.
                _ => i += 2,
            },
            _ => i += 1,
        }
    }
    changed.then(|| {
        out.push_str(&text[last..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_the_replacement_character() {
        assert_eq!(
            repair_surrogates(r#"{"t":"a\ud83db"}"#).unwrap(),
            r#"{"t":"a\ufffdb"}"#
        );
        assert_eq!(
            repair_surrogates(r#"{"t":"\ude00"}"#).unwrap(),
            r#"{"t":"\ufffd"}"#
        );
        // A whole pair, an escaped backslash before `u`, and no escape at all stay as they are.
        assert_eq!(repair_surrogates(r#"{"t":"\ud83d\ude00"}"#), None);
        assert_eq!(repair_surrogates(r#"{"t":"\\ud83d"}"#), None);
        assert_eq!(repair_surrogates(r#"{"t":"plain"}"#), None);
        let repaired = repair_surrogates(r#"{"t":"\ud83d\ud83d\ude00x"}"#).unwrap();
        assert_eq!(repaired, r#"{"t":"\ufffd\ud83d\ude00x"}"#);
        let value: Value = serde_json::from_str(&repaired).unwrap();
        assert_eq!(value["t"], "\u{fffd}\u{1f600}x");
    }

    #[test]
    fn frames_split_and_bad_headers_are_skipped() {
        let mut frames = Frames::default();
        frames.buf.extend_from_slice(
            b"Content-Length: 2\r\n\r\n{}garbage\r\n\r\nContent-Length: 3\r\n\r\n[1]Content-Len",
        );
        assert_eq!(frames.next(), Some(Frame::Message(b"{}".to_vec())));
        assert!(matches!(frames.next(), Some(Frame::Bad(_))));
        assert_eq!(frames.next(), Some(Frame::Message(b"[1]".to_vec())));
        assert_eq!(frames.next(), None);
        frames.buf.extend_from_slice(b"gth: 1\r\n\r\n7");
        assert_eq!(frames.next(), Some(Frame::Message(b"7".to_vec())));
    }

    #[test]
    fn what_is_not_json_rpc_is_answered_here() {
        let not_json = check(b"{oops").unwrap_err();
        assert_eq!(
            (not_json["id"].clone(), not_json["error"]["code"].clone()),
            (Value::Null, json!(-32700))
        );
        let not_rpc = check(br#"{"id": 7, "hello": 1}"#).unwrap_err();
        assert_eq!(
            (not_rpc["id"].clone(), not_rpc["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        // Neither a request nor an answer.
        let bare = check(br#"{"jsonrpc": "2.0"}"#).unwrap_err();
        assert_eq!(bare["error"]["code"], json!(-32600));
        check(br#"{"jsonrpc": "2.0", "id": 3, "result": null}"#).unwrap();
        check(br#"{"jsonrpc": "2.0", "id": 3, "error": {"code": 1, "message": "no"}}"#).unwrap();
        let latin1 =
            check(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"t\":\"caf\xe9\"}}")
                .unwrap();
        assert!(latin1.contains("caf\u{fffd}"));
    }
}
