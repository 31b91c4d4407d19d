//! Speculative decoding measured: the same suggestions decoded without and with drafts.

use serde_json::json;

use super::Options;
use super::corpus::{CorpusFile, Rng, targets};
use super::report::SpeculativeFigures;
use crate::completion::Completer;
use crate::lsp::harness::LspClient;

/// Asks for a suggestion at the middle of `lines_per_file` lines of each file, once
/// without drafts and once with, and adds up decode tokens, time and draft acceptance.
pub async fn compare(
    client: &LspClient,
    completer: &Completer,
    corpus: &[CorpusFile],
    options: &Options,
) -> anyhow::Result<SpeculativeFigures> {
    let mut figures = SpeculativeFigures {
        requests: 0,
        plain_tokens: 0,
        plain_ms: 0.0,
        drafted_tokens: 0,
        drafted_ms: 0.0,
        drafts_checked: 0,
        drafts_accepted: 0,
        same_text: 0,
    };
    let mut rng = Rng::new(options.seed);
    for (n, file) in corpus.iter().enumerate() {
        for target in targets(&file.text, options.lines_per_file, &mut rng) {
            let uri = format!("file:///bench/speculative/{n}/{}", file.name);
            client.open(&uri, file.language_id, &file.text).await;
            let mut texts = Vec::new();
            for speculative in [false, true] {
                let mut settings = options.settings.clone();
                settings["speculative"] = json!(speculative);
                // Time enough for every suggestion to finish both ways.
                settings["deadline_ms"] = json!(10_000);
                client.configure(settings).await;
                let answer = client
                    .inline_completion(&uri, target.line as u32, target.typed as u32)
                    .await?;
                texts.push(
                    answer["items"][0]["insertText"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                );
                let Some(t) = completer.last_timings() else {
                    continue;
                };
                let e = t.engine;
                if speculative {
                    figures.drafted_tokens += e.decode_tokens;
                    figures.drafted_ms += e.decode_ms;
                    figures.drafts_checked += e.drafted;
                    figures.drafts_accepted += e.accepted;
                } else {
                    figures.plain_tokens += e.decode_tokens;
                    figures.plain_ms += e.decode_ms;
                }
            }
            figures.requests += 1;
            figures.same_text += usize::from(texts[0] == texts[1]);
            client.close(&uri).await;
        }
    }
    client.configure(options.settings.clone()).await;
    Ok(figures)
}
