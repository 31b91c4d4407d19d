//! Handing a request to the larger model (`escalate_to`) when the small one is unsure, and
//! showing its answer only when it comes within the request's budget.

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Completer, Escalation, Prepared, Request};
use crate::config::Settings;
use crate::context::{Context, Mode};
use crate::engine::{CancelFlag, CancelOnDrop, EngineError, Finish, Generate};
use crate::postprocess::{self, Cleaned};
use crate::prompt;
use crate::remote::local::LocalTier;
use crate::remote::server::{Ask, Server, Tokenizer};
use crate::remote::{self, LocalTarget, ServerTarget, Target};

/// The larger models a completer has started: one local tier, the servers it has talked to.
#[derive(Default)]
pub(super) struct Targets {
    local: LocalTier,
    servers: Mutex<Vec<Arc<Server>>>,
}

impl Targets {
    /// The client of `target`, kept so that its backoff outlives a request.
    fn server(&self, target: &ServerTarget) -> Arc<Server> {
        let mut servers = self.servers.lock().unwrap();
        if let Some(server) = servers.iter().find(|s| s.target == *target) {
            return Arc::clone(server);
        }
        let server = Server::new(target.clone());
        servers.push(Arc::clone(&server));
        server
    }
}

/// The larger model's answer, cleaned as the small one's would be.
pub(super) struct Escalated {
    pub cleaned: Option<Cleaned>,
    /// Its own confidence when it is known (a local model's).
    pub confidence: Option<f32>,
    /// Tokens of its prompt, when known (a local model's).
    pub prompt_tokens: Option<usize>,
}

/// How often a request waiting for the larger model looks at its cancellation flag.
const CANCEL_POLL: Duration = Duration::from_millis(10);

impl Completer {
    /// Asks the larger model, when the settings name one and the small model's answer
    /// calls for it (`local`: that answer's chance of being right, `None` when it has nothing to
    /// show). `None` when it was not asked; else what came of it, with its answer when it
    /// came in time.
    pub(super) async fn escalate(
        &self,
        prepared: &Prepared,
        settings: &Settings,
        request: &Request,
        local: Option<f32>,
    ) -> Option<(Escalation, Option<Escalated>)> {
        let target = settings.escalate_to.as_ref()?;
        let below = settings.escalate_below(&self.confidence, prepared.at_line_start());
        if !remote::should_escalate(settings.escalate, true, local, below) {
            return None;
        }
        self.counters.escalated.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let (name, answer) = match target {
            Target::Local(local) => (
                local.model.clone(),
                self.ask_local(local, prepared, settings, request).await,
            ),
            Target::Server(server) => (
                server.url.clone(),
                self.ask_server(server, prepared, request).await,
            ),
        };
        let mut escalation = Escalation {
            target: name,
            ms: super::ms(started),
            used: false,
            failed: None,
            small: None,
            prompt_tokens: None,
        };
        match answer {
            Ok(escalated) => {
                self.counters
                    .escalation_answers
                    .fetch_add(1, Ordering::Relaxed);
                escalation.used = escalated.cleaned.is_some();
                escalation.prompt_tokens = escalated.prompt_tokens;
                Some((escalation, Some(escalated)))
            }
            Err(why) => {
                tracing::debug!("escalation gave no answer: {why}");
                escalation.failed = Some(why);
                Some((escalation, None))
            }
        }
    }

    async fn ask_local(
        &self,
        target: &LocalTarget,
        prepared: &Prepared,
        settings: &Settings,
        request: &Request,
    ) -> Result<Escalated, String> {
        let name = &target.model;
        let tier = self.escalation.local.get(name, settings)?;
        let mode = prepared.context.mode.clone();
        let stop = Arc::clone(&tier.stop);
        let cancel = CancelFlag::default();
        // A generation the request stopped waiting for is cancelled.
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let budgets = settings.request_budgets(&tier.defaults, super::extent(&mode), request.caps);
        // The same family: counted with the small model's tokenizer.
        let context = self.context_for(request, prepared, target.context_tokens, None);
        let job = Generate {
            prompt: prompt::render(&context, &tier.prompt),
            cold: None,
            max_tokens: budgets.max_tokens,
            decode_budget: Duration::from_millis(budgets.deadline_ms),
            stop: Box::new(move |t: &str| postprocess::stop_at(&mode, &stop, t)),
            cancel: cancel.clone(),
            reuse: settings.reuse,
            speculate: false,
            adapter: None,
            avoid: None,
        };
        // The first request waits for the model to load, within its time.
        let timeout = Duration::from_millis(target.timeout_ms);
        let generate = async {
            tier.engine.wait_loaded(timeout).await;
            tier.engine.generate(job).await
        };
        let generation = within(target.timeout_ms, request, generate)
            .await?
            .map_err(|e| match e {
                EngineError::Loading => format!("{name} is still loading"),
                e => e.to_string(),
            })?;
        Ok(Escalated {
            cleaned: prepared.clean(&generation.text, generation.finish),
            confidence: Some(generation.confidence),
            prompt_tokens: Some(generation.stats.prompt_tokens),
        })
    }

    async fn ask_server(
        &self,
        target: &ServerTarget,
        prepared: &Prepared,
        request: &Request,
    ) -> Result<Escalated, String> {
        let server = self.escalation.server(target);
        let tokenizer = server.tokenizer().await?;
        let context = self.context_for(
            request,
            prepared,
            target.context_tokens,
            tokenizer.as_deref(),
        );
        let context = &*context;
        let mut stop = self.stop.to_vec();
        if context.mode == Mode::Line {
            stop.push("\n".into());
        }
        let ask = Ask {
            prompt: prompt::render(context, &self.prompt).text,
            prefix: format!("{}{}", context.preamble, context.prefix),
            suffix: context.prompt_suffix.clone(),
            extra: context
                .snippets
                .iter()
                .map(|s| (s.path.clone(), s.text.clone()))
                .collect(),
            max_tokens: prepared.budgets.max_tokens,
            stop: stop.clone(),
        };
        let text = within(target.timeout_ms, request, server.ask(ask))
            .await?
            .map_err(|e| e.to_string())?;
        let text = match postprocess::stop_at(&context.mode, &stop, &text) {
            Some(end) => &text[..end],
            None => &text,
        };
        Ok(Escalated {
            cleaned: prepared.clean(text, Finish::Stop),
            confidence: None,
            prompt_tokens: None,
        })
    }
}

impl Completer {
    /// The context a larger model reads: the small model's, or, given its own budget
    /// (`context_tokens`) or tokenizer, built again for it (counted with the small model's
    /// tokenizer when it has none of its own).
    fn context_for<'p>(
        &self,
        request: &Request,
        prepared: &'p Prepared,
        context_tokens: Option<u32>,
        tokenizer: Option<&Tokenizer>,
    ) -> Cow<'p, Context> {
        if context_tokens.is_none() && tokenizer.is_none() {
            return Cow::Borrowed(&prepared.context);
        }
        let context_tokens = context_tokens.unwrap_or(prepared.budgets.context_tokens);
        let small = self.token_counter();
        let count = |s: &str| tokenizer.map_or_else(|| small(s), |t| t.count(s));
        Cow::Owned(self.context_within(request, prepared, context_tokens, &count))
    }
}

/// `work`'s result if it comes within `timeout_ms` and before the request is cancelled.
async fn within<T>(
    timeout_ms: u64,
    request: &Request,
    work: impl std::future::Future<Output = T>,
) -> Result<T, String> {
    let cancelled = async {
        while !request.cancel.is_cancelled() {
            tokio::time::sleep(CANCEL_POLL).await;
        }
    };
    tokio::select! {
        out = work => Ok(out),
        () = tokio::time::sleep(Duration::from_millis(timeout_ms)) => {
            Err(format!("no answer within {timeout_ms} ms"))
        }
        () = cancelled => Err("the request was cancelled".into()),
    }
}
