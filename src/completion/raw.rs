//! Completions of text a client laid out itself (OpenAI's `/v1/completions`, Ollama's
//! `/api/generate`): no document and no post-processing, only the client's stop strings
//! and limits. A prompt in the model's own FIM format is used as it is; one in another
//! known FIM format, or a prompt with a separate suffix, is laid out by the model's template.

use std::time::Duration;

use super::{Completer, CompletionError, context_budget};
use crate::config::{Budgets, Caps, Extent};
use crate::context::{self, Source};
use crate::engine::{CancelFlag, EngineError, Generate, Generation};
use crate::prompt::{self, Prompt};

/// Hears the text generated so far that no stop string can still cut.
pub type OnText = Box<dyn Fn(&str) + Send>;

/// One completion of client-made text.
pub struct RawRequest {
    /// Text before the cursor, or a whole FIM prompt (see [`prompt::split_fim`]).
    pub prompt: String,
    /// The code after the cursor, when the client sends it apart.
    pub suffix: Option<String>,
    /// Use a prompt without FIM markers or suffix as it is, not in the model's template
    /// (Ollama's `raw`).
    pub verbatim: bool,
    /// The client's limits; a client-made prompt is budgeted as a block.
    pub caps: Caps,
    /// The answer ends before the first of these (the model's own stop strings apply too).
    pub stop: Vec<String>,
    pub cancel: CancelFlag,
    pub on_text: Option<OnText>,
}

impl Completer {
    /// Generates for a client-made prompt; `Err(Engine(Loading))` while the model loads.
    pub async fn complete_raw(&self, request: RawRequest) -> Result<Generation, CompletionError> {
        if self.engine.count_tokens("").is_none() {
            return Err(EngineError::Loading.into());
        }
        let settings = self.settings.read().unwrap().clone();
        let budgets = self.budgets(&settings, Extent::Block, request.caps);
        let prompt = self.layout(&request, &budgets);
        let mut stops: Vec<String> = request
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        stops.extend(self.stop.iter().cloned());
        let on_text = request.on_text;
        let stop = move |text: &str| {
            let cut = stops.iter().filter_map(|s| text.find(s.as_str())).min();
            if let Some(on_text) = &on_text {
                on_text(&text[..cut.unwrap_or_else(|| undecided_end(text, &stops))]);
            }
            cut
        };
        let generation = self
            .engine
            .generate(Generate {
                prompt,
                cold: None,
                max_tokens: budgets.max_tokens,
                decode_budget: Duration::from_millis(budgets.deadline_ms),
                stop: Box::new(stop),
                cancel: request.cancel,
                reuse: settings.reuse,
                speculate: settings.speculative,
                adapter: None,
                avoid: None,
            })
            .await?;
        Ok(generation)
    }

    /// The prompt the model reads for a client-made request.
    fn layout(&self, request: &RawRequest, budgets: &Budgets) -> Prompt {
        let count = self.token_counter();
        let room = budgets.context_tokens as usize;
        let (prefix, suffix) = match prompt::split_fim(&request.prompt) {
            Some(fim) => {
                if Some(fim.markers) == prompt::fim_markers(&self.prompt)
                    && count(&request.prompt) <= room
                {
                    let cursor = fim.prefix_end;
                    return Prompt {
                        text: request.prompt.clone(),
                        cursor,
                    };
                }
                (fim.prefix, fim.suffix)
            }
            None if request.verbatim && request.suffix.is_none() => {
                return Prompt {
                    text: request.prompt.clone(),
                    cursor: request.prompt.len(),
                };
            }
            None => (
                request.prompt.clone(),
                request.suffix.clone().unwrap_or_default(),
            ),
        };
        let text = format!("{prefix}{suffix}");
        let source = Source {
            path: "",
            text: &text,
            tree: None,
            language: None,
        };
        let budget = context_budget(&self.prompt, budgets.context_tokens);
        let context = context::build(&source, prefix.len(), &[], budget, &count);
        prompt::render(&context, &self.prompt)
    }
}

/// How much of `text` no stop string can still cut: all but a tail that begins one of them.
fn undecided_end(text: &str, stops: &[String]) -> usize {
    let held = stops
        .iter()
        .flat_map(|stop| {
            (1..stop.len().min(text.len() + 1))
                .rev()
                .filter(|&n| stop.is_char_boundary(n) && text.ends_with(&stop[..n]))
                .take(1)
        })
        .max()
        .unwrap_or(0);
    text.len() - held
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_may_begin_a_stop_string_is_held_back() {
        let stops = vec!["\n\n".to_string(), "<|end|>".to_string()];
        assert_eq!(undecided_end("x = 1", &stops), 5);
        assert_eq!(undecided_end("x = 1\n", &stops), 5);
        assert_eq!(undecided_end("x = 1<|e", &stops), 5);
        assert_eq!(undecided_end("x = 1<|x", &stops), 8);
        assert_eq!(undecided_end("", &stops), 0);
    }
}
