//! Running the model for a prepared request: the engine job, the counters of what it
//! did, and the confidence an answer needs to be shown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Completer, CompletionError, Prepared, Request};
use crate::config::Settings;
use crate::engine::{EngineError, Generate, Generation};
use crate::postprocess;

impl Completer {
    /// Runs the model for a prepared request (`avoid`: a line its answer must not start
    /// with) and counts what it did; `None` while the model loads.
    pub(super) async fn run_model(
        &self,
        prepared: &Prepared,
        settings: &Settings,
        request: &Request,
        avoid: Option<String>,
    ) -> Result<Option<Generation>, CompletionError> {
        let mode = prepared.context.mode.clone();
        let budgets = prepared.budgets;
        let stop = Arc::clone(&self.stop);
        let generation = self
            .engine
            .generate(Generate {
                prompt: prepared.prompt.clone(),
                cold: prepared.cold.clone(),
                max_tokens: budgets.max_tokens,
                decode_budget: Duration::from_millis(budgets.deadline_ms),
                stop: Box::new(move |t: &str| postprocess::stop_at(&mode, &stop, t)),
                cancel: request.cancel.clone(),
                reuse: settings.reuse,
                speculate: settings.speculative,
                adapter: prepared.adapter.clone(),
                avoid,
            })
            .await;
        let generation = match generation {
            Err(EngineError::Loading) => return Ok(None),
            other => other?,
        };
        let c = &self.counters;
        c.generations.fetch_add(1, Ordering::Relaxed);
        let stats = &generation.stats;
        c.prefill_tokens
            .fetch_add(stats.prefill_tokens as u64, Ordering::Relaxed);
        c.decode_tokens
            .fetch_add(stats.decode_tokens as u64, Ordering::Relaxed);
        c.drafted.fetch_add(stats.drafted as u64, Ordering::Relaxed);
        c.accepted
            .fetch_add(stats.accepted as u64, Ordering::Relaxed);
        if stats.threads == 1 {
            c.one_thread.fetch_add(1, Ordering::Relaxed);
        }
        tracing::debug!(
            mode = ?prepared.context.mode,
            finish = ?generation.finish,
            tokens = generation.stats.decode_tokens,
            "generation for {}",
            request.uri
        );
        // What the model wrote comes from the buffer's text: only at trace level.
        tracing::trace!(generated = ?generation.text, "generation for {}", request.uri);
        Ok(Some(generation))
    }

    /// The confidence a generation needs to be shown: the setting's, and for an answer from
    /// a new spot's short window at least the model's (it is right less often than the
    /// full window's unless it is this sure).
    pub(super) fn least_confidence(&self, settings: &Settings, generation: &Generation) -> f32 {
        if generation.stats.cold {
            settings.min_confidence.max(self.confidence.cold_min)
        } else {
            settings.min_confidence
        }
    }
}
