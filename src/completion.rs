//! One suggestion, start to end: snapshot → context → prompt → engine → post-processing.
//!
//! Knows nothing of LSP: positions are byte offsets, answers are [`Suggestion`]s.

mod escalate;
mod generate;
mod load;
mod newest;
mod raw;
mod stats;
mod typed;

pub use load::{Level, Loaded, Notice, engine_config, load, notice};
pub use newest::{Failure, Newest, Ticket, caught};
pub use raw::RawRequest;
pub use stats::{Counters, Escalation, Timings};

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::adapter::{self, Adapter, Choice};
use crate::config::{Budgets, Caps, Extent, Settings};
use crate::context::{self, Budget, Context, Definition, Mode, Source, TokenCounter};
use crate::document::Snapshot;
use crate::engine::{CancelFlag, Engine, EngineError, Prefill};
use crate::framework::Detector;
use crate::model::{Confidence, ModelManifest, PromptSpec};
use crate::postprocess;
use crate::prompt;
use crate::signatures::Signatures;

use load::slot_need;
use stats::AtomicCounters;
use typed::Shown;

/// Documents larger than this are completed from a window around the cursor.
const MAX_WHOLE_TEXT: usize = 2 << 20;
/// Bytes kept before / after the cursor in such a window.
const WINDOW_BEFORE: usize = 64 << 10;
const WINDOW_AFTER: usize = 16 << 10;

/// What the user sees, and how it came about.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// Text to insert at the cursor.
    pub text: String,
    /// Bytes after the cursor the text replaces.
    pub replace_len: usize,
    /// 0..1, from the model's own token probabilities.
    pub confidence: f32,
    pub timings: Timings,
}

/// A request for a suggestion at byte offset `cursor` of `document`.
pub struct Request {
    pub uri: String,
    pub document: Snapshot,
    /// The other open documents, for snippets.
    pub others: Vec<(String, Snapshot)>,
    pub cursor: usize,
    pub cancel: CancelFlag,
    /// The client's own limits, which can only lower the settings' budgets.
    pub caps: Caps,
}

/// Why no suggestion could even be attempted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CompletionError {
    #[error("offset {cursor} is outside the document ({len} bytes) or inside a character")]
    BadOffset { cursor: usize, len: usize },
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A bug: the request's task panicked (the server goes on).
    #[error("a completion request failed: {0}")]
    Panicked(String),
}

/// The text around the cursor, the context and the prompt made from it.
struct Prepared {
    text: String,
    cursor: usize,
    /// `text` is the whole document (not a window of a huge one), so its tree applies.
    whole: bool,
    context: Context,
    prompt: prompt::Prompt,
    /// The same prompt with the short window of `cold_tokens`, for a new spot.
    cold: Option<prompt::Prompt>,
    /// The adapter the prompt was laid out for.
    adapter: Option<String>,
    /// What the request may spend, for its extent (a line or a block).
    budgets: Budgets,
    context_ms: f64,
}

impl Prepared {
    fn at_line_start(&self) -> bool {
        crate::context::at_line_start(&self.text, self.cursor)
    }

    /// What is worth showing of a model's text for this request, `finish` saying how its
    /// generation ended: the same for the small model and a larger one.
    fn clean(
        &self,
        generated: &str,
        finish: crate::engine::Finish,
    ) -> Option<postprocess::Cleaned> {
        let context = &self.context;
        let text = postprocess::complete_lines(generated, finish, &context.mode);
        postprocess::clean(&text, &context.mode, &context.prefix, &context.suffix)
    }
}

/// How long the frameworks found for a document are trusted before its imports are read again.
const DETECT_EVERY: Duration = Duration::from_secs(5);

/// Turns requests into suggestions; shared by the server and the CLI.
pub struct Completer {
    engine: Engine,
    prompt: PromptSpec,
    /// The model's budgets, where the settings do not set them.
    defaults: Budgets,
    /// Tokens one KV slot holds, fixed when the model is loaded: `context_tokens` set
    /// higher later is lowered to fit it (and the user told so).
    slot_tokens: Option<u32>,
    /// How confident an answer must be: from a new spot's short window to be shown, and
    /// not to be handed to the larger model.
    confidence: Confidence,
    /// The larger models of `escalate_to`, started when first asked for.
    escalation: escalate::Targets,
    /// The model's stop strings: a suggestion ends before the first of them.
    stop: Arc<[String]>,
    settings: Arc<RwLock<Settings>>,
    /// Adapters the engine loaded, and what decides between them.
    adapters: Vec<Adapter>,
    frameworks: Detector,
    /// Frameworks per document, and when they were read: imports change rarely, so a
    /// document is looked at again only every [`DETECT_EVERY`] while it is edited.
    detected: DashMap<String, (Instant, Arc<std::collections::BTreeSet<String>>)>,
    /// Definitions per open document, by version, so other buffers are parsed once.
    definitions: DashMap<String, (i32, Arc<Vec<Definition>>)>,
    /// The public API of the frameworks documents use, from their installed packages.
    signatures: Signatures,
    /// The last suggestion shown per document, to answer while the user types it.
    shown: DashMap<String, Shown>,
    /// Timings of the last request that ran the model, shown or not.
    last: Mutex<Option<Timings>>,
    counters: AtomicCounters,
}

impl Completer {
    pub fn new(
        engine: Engine,
        model: &ModelManifest,
        settings: Arc<RwLock<Settings>>,
    ) -> Completer {
        Completer {
            engine,
            prompt: model.prompt.clone(),
            defaults: model.defaults,
            slot_tokens: None,
            confidence: model.confidence.clone(),
            escalation: escalate::Targets::default(),
            stop: model.stop.clone().into(),
            settings,
            adapters: Vec::new(),
            frameworks: Detector::default(),
            detected: DashMap::new(),
            definitions: DashMap::new(),
            signatures: Signatures::new(crate::model::cache_dir()),
            shown: DashMap::new(),
            last: Mutex::new(None),
            counters: AtomicCounters::default(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Adapters the engine was configured with (see [`engine_config`]).
    pub fn with_adapters(mut self, adapters: Vec<Adapter>) -> Completer {
        self.adapters = adapters;
        self
    }

    /// Framework signatures from `signatures` (by default cached in nib's cache folder).
    pub fn with_signatures(mut self, signatures: Signatures) -> Completer {
        self.signatures = signatures;
        self
    }

    /// The tokens one KV slot of the engine holds (see [`engine_config`]).
    pub fn with_slot_tokens(mut self, tokens: u32) -> Completer {
        self.slot_tokens = Some(tokens);
        self
    }

    pub fn adapters(&self) -> &[Adapter] {
        &self.adapters
    }

    /// The frameworks detected for a document and the adapter chosen for it, for logs.
    pub fn describe(&self, uri: &str, document: &Snapshot) -> String {
        let settings = self.settings.read().unwrap().clone();
        let (frameworks, adapter) = self.adapter_for(uri, document, &settings, true);
        let frameworks: Vec<&str> = frameworks.iter().map(String::as_str).collect();
        let adapter = match adapter {
            Some(a) if a.manifest.frameworks.is_empty() && settings.adapter == "auto" => format!(
                "{} (where code follows the cursor; the base model at the end of a file)",
                a.manifest.name
            ),
            Some(a) => a.manifest.name.clone(),
            None => "none (base model)".into(),
        };
        format!(
            "frameworks: {}; adapter: {adapter}",
            if frameworks.is_empty() {
                "none detected".into()
            } else {
                frameworks.join(", ")
            }
        )
    }

    /// The frameworks of a document and the adapter that serves it; `code_after`: whether
    /// there is code after the cursor (see [`adapter::choose`]).
    fn adapter_for(
        &self,
        uri: &str,
        document: &Snapshot,
        settings: &Settings,
        code_after: bool,
    ) -> (Arc<std::collections::BTreeSet<String>>, Option<&Adapter>) {
        let choice = Choice::from_setting(&settings.adapter);
        let fresh = |e: &(Instant, _)| e.0.elapsed() < DETECT_EVERY;
        let frameworks = match self.detected.get(uri).filter(|e| fresh(e)) {
            Some(entry) => Arc::clone(&entry.1),
            None => {
                let text = document.text.to_string();
                let found = Arc::new(self.frameworks.detect(
                    uri,
                    &text,
                    document.tree.as_ref(),
                    document.language.as_deref(),
                ));
                self.detected
                    .insert(uri.to_string(), (Instant::now(), Arc::clone(&found)));
                found
            }
        };
        let language = document.language.as_ref().map(|l| l.id.as_str());
        let adapter = adapter::choose(&self.adapters, &choice, language, &frameworks, code_after);
        (frameworks, adapter)
    }

    /// The signatures of a document's frameworks that its prompts may show (see
    /// [`Settings::signatures`]: by default when `adapter`'s manifest asks for them);
    /// `wait`: index what is not indexed yet before answering, instead of in the
    /// background.
    fn framework_signatures(
        &self,
        uri: &str,
        document: &Snapshot,
        settings: &Settings,
        frameworks: &std::collections::BTreeSet<String>,
        adapter: Option<&Adapter>,
        wait: bool,
    ) -> Vec<(String, Definition)> {
        let asked = adapter.is_some_and(|a| a.manifest.signatures);
        if !settings.signatures.unwrap_or(asked) || frameworks.is_empty() {
            return Vec::new();
        }
        let (Some(path), Some(language)) = (crate::document::uri::to_path(uri), &document.language)
        else {
            return Vec::new();
        };
        let environments = &settings.environments;
        if wait {
            self.signatures
                .for_document_blocking(&path, &language.id, frameworks, environments)
        } else {
            self.signatures
                .for_document(&path, &language.id, frameworks, environments)
        }
    }

    /// Indexes the signatures a document's prompts may show and waits for it (requests
    /// index in the background and show them once ready), so that an evaluation does not
    /// depend on timing. Returns how many there are.
    pub fn index_signatures(&self, uri: &str, document: &Snapshot) -> usize {
        let settings = self.settings.read().unwrap().clone();
        let (frameworks, adapter) = self.adapter_for(uri, document, &settings, true);
        self.framework_signatures(uri, document, &settings, &frameworks, adapter, true)
            .len()
    }

    /// Forgets frameworks read from workspace manifests (one of them changed).
    pub fn refresh_frameworks(&self) {
        self.frameworks.refresh();
        self.detected.clear();
    }

    /// The prompt a request would give the model; `None` when there is nothing to complete.
    pub fn prompt_for(&self, request: &Request) -> Result<Option<String>, CompletionError> {
        let settings = self.settings.read().unwrap().clone();
        Ok(self.prepare(request, &settings)?.map(|p| p.prompt.text))
    }

    /// What a request may spend (see [`Settings::request_budgets`]), its context lowered
    /// to what the engine's KV slots hold.
    fn budgets(&self, settings: &Settings, extent: Extent, caps: Caps) -> Budgets {
        let budgets = settings.request_budgets(&self.defaults, extent, caps);
        Budgets {
            context_tokens: budgets.context_tokens.min(self.context_room(settings)),
            ..budgets
        }
    }

    /// The most context tokens a block's prompt may have and still fit a KV slot.
    fn context_room(&self, settings: &Settings) -> u32 {
        let Some(slot) = self.slot_tokens else {
            return u32::MAX;
        };
        let block = settings.request_budgets(&self.defaults, Extent::Block, Caps::default());
        let room = slot.saturating_sub(slot_need(&block) - block.context_tokens);
        room.max(1)
    }

    /// What the user should hear about settings that cannot take effect as they are: a
    /// `context_tokens` larger than the KV slots loaded with the model.
    pub fn settings_problems(&self, settings: &Settings) -> Vec<String> {
        let wanted = settings
            .request_budgets(&self.defaults, Extent::Line, Caps::default())
            .context_tokens;
        let room = self.context_room(settings);
        if wanted <= room {
            return Vec::new();
        }
        vec![format!(
            "setting `context_tokens`: {wanted} tokens do not fit the KV cache the model was \
             loaded with (room for {room}); prompts keep {room} tokens of context until nib \
             restarts"
        )]
    }

    /// Timings of the last request that ran the model.
    pub fn last_timings(&self) -> Option<Timings> {
        self.last.lock().unwrap().clone()
    }

    pub fn counters(&self) -> Counters {
        let c = &self.counters;
        Counters {
            typed_through: c.typed_through.load(Ordering::Relaxed),
            generations: c.generations.load(Ordering::Relaxed),
            prefill_tokens: c.prefill_tokens.load(Ordering::Relaxed),
            decode_tokens: c.decode_tokens.load(Ordering::Relaxed),
            drafted: c.drafted.load(Ordering::Relaxed),
            accepted: c.accepted.load(Ordering::Relaxed),
            one_thread: c.one_thread.load(Ordering::Relaxed),
            escalated: c.escalated.load(Ordering::Relaxed),
            escalation_answers: c.escalation_answers.load(Ordering::Relaxed),
        }
    }

    /// A suggestion, `Ok(None)` when there is nothing worth showing (or the model is not
    /// ready yet, or the document is binary).
    pub async fn complete(&self, request: Request) -> Result<Option<Suggestion>, CompletionError> {
        let started = Instant::now();
        crate::faults::fire(crate::faults::Fault::PanicInRequest);
        let settings = self.settings.read().unwrap().clone();
        let Some(prepared) = self.prepare(&request, &settings)? else {
            return Ok(None);
        };
        if settings.reuse
            && let Some(rest) = self
                .shown
                .get(&request.uri)
                .and_then(|shown| shown.rest(&prepared.text, prepared.cursor))
        {
            self.counters.typed_through.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(Suggestion {
                timings: Timings {
                    typed_through: true,
                    total_ms: ms(started),
                    ..rest.timings
                },
                ..rest
            }));
        }

        let Some(mut generation) = self.run_model(&prepared, &settings, &request, None).await?
        else {
            return Ok(None);
        };
        let context = &prepared.context;
        let mut cleaned = prepared.clean(&generation.text, generation.finish);
        // The model may skip the line at the cursor and write the one after it, which is
        // there already: it is asked once more with that line ruled out.
        if cleaned.is_none()
            && let Some(line) = postprocess::skipped_line(&generation.text, &context.suffix)
            && let Some(again) = self
                .run_model(&prepared, &settings, &request, Some(line))
                .await?
        {
            cleaned = prepared.clean(&again.text, again.finish);
            generation = again;
        }
        let least = self.least_confidence(&settings, &generation);
        let mut shown = cleaned
            .filter(|_| generation.confidence >= least)
            .map(|cleaned| (cleaned, generation.confidence));
        // Unsure, the small model hands the request to the larger one (`escalate_to`),
        // whose answer is shown when it comes in time.
        let chance = self
            .confidence
            .chance(generation.confidence, &generation.signals);
        let escalation = match self
            .escalate(
                &prepared,
                &settings,
                &request,
                shown.as_ref().map(|_| chance),
            )
            .await
        {
            Some((mut escalation, answer)) => {
                escalation.small = shown.as_ref().map(|s| s.0.text.clone());
                if let Some(answer) = answer
                    && let Some(cleaned) = answer.cleaned
                {
                    let confidence = answer.confidence.unwrap_or(generation.confidence);
                    shown = Some((cleaned, confidence));
                }
                Some(escalation)
            }
            None => None,
        };
        let timings = Timings {
            context_ms: prepared.context_ms,
            engine: generation.stats.clone(),
            total_ms: ms(started),
            finish: Some(generation.finish),
            confidence: generation.confidence,
            chance,
            signals: generation.signals,
            typed_through: false,
            escalation,
        };
        let e = &timings.engine;
        tracing::debug!(
            total_ms = timings.total_ms.round(),
            waited_ms = (timings.total_ms - timings.context_ms - e.prefill_ms - e.decode_ms)
                .max(0.0)
                .round(),
            prefill_ms = e.prefill_ms.round(),
            read = e.prefill_tokens,
            decode_ms = e.decode_ms.round(),
            generated = e.decode_tokens,
            cold = e.cold,
            "answered {}",
            request.uri
        );
        *self.last.lock().unwrap() = Some(timings.clone());
        let suggestion = shown.map(|(cleaned, confidence)| Suggestion {
            text: cleaned.text,
            replace_len: cleaned.replace_len,
            confidence,
            timings,
        });
        match &suggestion {
            Some(s) => {
                let shown = Shown::new(&prepared.text, prepared.cursor, s.clone());
                self.shown.insert(request.uri.clone(), shown);
            }
            None => {
                self.shown.remove(&request.uri);
            }
        }
        Ok(suggestion)
    }

    /// Decodes the prompt for a cursor into the KV cache before a request asks for it.
    /// Does nothing while the model loads or when reuse is off.
    pub fn prefill(&self, request: &Request) {
        let settings = self.settings.read().unwrap().clone();
        if !settings.reuse {
            return;
        }
        if let Ok(Some(prepared)) = self.prepare(request, &settings) {
            self.engine.prefill(Prefill {
                prompt: prepared.prompt,
                cold: prepared.cold,
                cancel: request.cancel.clone(),
                adapter: prepared.adapter,
            });
        }
    }

    /// Context and prompt for a request; `None` when there is nothing to complete.
    fn prepare(
        &self,
        request: &Request,
        settings: &Settings,
    ) -> Result<Option<Prepared>, CompletionError> {
        let started = Instant::now();
        let language = request.document.language.as_ref();
        if language.is_some_and(|l| !settings.language_enabled(&l.id)) {
            return Ok(None);
        }
        let Some((text, cursor, whole)) = text_around(&request.document, request.cursor)? else {
            return Ok(None);
        };
        if self.engine.count_tokens("").is_none() {
            return Ok(None); // still loading: an empty answer, not an error
        }
        let count = self.token_counter();
        let path = prompt::display_path(&request.uri);
        let source = source(request, &path, &text, whole);
        let code_after = !text[cursor..].trim().is_empty();
        let (frameworks, adapter) =
            self.adapter_for(&request.uri, &request.document, settings, code_after);
        let mut others = self.other_definitions(request);
        others.extend(self.framework_signatures(
            &request.uri,
            &request.document,
            settings,
            &frameworks,
            adapter,
            false,
        ));
        let spec = adapter.map_or(&self.prompt, |a| &a.manifest.prompt);
        let line = self.budgets(settings, Extent::Line, request.caps);
        let build = |context_tokens| {
            let budget = context_budget(spec, context_tokens);
            context::build(&source, cursor, &others, budget, &count)
        };
        let context = build(line.context_tokens);
        let budgets = self.budgets(settings, extent(&context.mode), request.caps);
        let prompt = prompt::render(&context, spec);
        // A new spot is answered from a short window while the full one is read behind it.
        let cold =
            (settings.reuse && line.cold_tokens > 0 && line.cold_tokens < line.context_tokens)
                .then(|| prompt::render(&build(line.cold_tokens), spec));
        tracing::trace!(
            snippets = context.snippets.len(),
            preamble_bytes = context.preamble.len(),
            prefix_bytes = context.prefix.len(),
            "prompt starts {:?}",
            prompt.text.chars().take(60).collect::<String>()
        );
        Ok(Some(Prepared {
            text,
            cursor,
            whole,
            context,
            prompt,
            cold,
            adapter: adapter.map(|a| a.manifest.name.clone()),
            budgets,
            context_ms: ms(started),
        }))
    }

    /// The request's context built again for another model's prompt budget, counted with
    /// `count` (a server's own tokenizer).
    fn context_within(
        &self,
        request: &Request,
        prepared: &Prepared,
        context_tokens: u32,
        count: TokenCounter,
    ) -> Context {
        let path = prompt::display_path(&request.uri);
        let source = source(request, &path, &prepared.text, prepared.whole);
        let others = self.other_definitions(request);
        let budget = context_budget(&self.prompt, context_tokens);
        context::build(&source, prepared.cursor, &others, budget, count)
    }

    /// Counts tokens with the model's tokenizer (estimates while it loads).
    fn token_counter(&self) -> impl Fn(&str) -> usize + use<> {
        let engine = self.engine.clone();
        move |t: &str| engine.count_tokens(t).unwrap_or(t.len() / 3)
    }

    /// Definitions from the other open documents, each with its display path.
    fn other_definitions(&self, request: &Request) -> Vec<(String, Definition)> {
        let mut out = Vec::new();
        for (uri, doc) in &request.others {
            let (Some(tree), Some(language)) = (&doc.tree, &doc.language) else {
                continue;
            };
            let cached = self
                .definitions
                .get(uri)
                .filter(|entry| entry.0 == doc.version)
                .map(|entry| Arc::clone(&entry.1));
            let defs = cached.unwrap_or_else(|| {
                let text = doc.text.to_string();
                let defs = Arc::new(context::definitions(&text, tree, language));
                self.definitions
                    .insert(uri.clone(), (doc.version, Arc::clone(&defs)));
                defs
            });
            let path = prompt::display_path(uri);
            out.extend(defs.iter().map(|d| (path.clone(), d.clone())));
        }
        out
    }

    /// Forgets what was cached for a closed document.
    pub fn forget(&self, uri: &str) {
        self.definitions.remove(uri);
        self.detected.remove(uri);
        self.shown.remove(uri);
    }
}

/// The document of a request as context building reads it: `text` with the document's
/// tree when it is the `whole` document.
fn source<'a>(request: &'a Request, path: &'a str, text: &'a str, whole: bool) -> Source<'a> {
    Source {
        path,
        text,
        tree: if whole {
            request.document.tree.as_ref()
        } else {
            None
        },
        language: request.document.language.as_deref(),
    }
}

/// How the context of a prompt laid out by `spec` is cut to `budgets`.
fn context_budget(spec: &PromptSpec, context_tokens: u32) -> Budget {
    let tokens = context_tokens as usize;
    Budget {
        tokens,
        // The code after the cursor, when the template shows it, takes up to a quarter.
        suffix_tokens: if prompt::uses_suffix(spec) {
            tokens / 4
        } else {
            0
        },
        ..Budget::default()
    }
}

/// The text to complete in and the cursor within it; for huge documents a window
/// around the cursor (`whole` = false). `None` for binary content.
fn text_around(
    document: &Snapshot,
    cursor: usize,
) -> Result<Option<(String, usize, bool)>, CompletionError> {
    let rope = &document.text;
    let len = rope.len_bytes();
    let bad = CompletionError::BadOffset { cursor, len };
    if cursor > len {
        return Err(bad);
    }
    let (start, end) = if len <= MAX_WHOLE_TEXT {
        (0, len)
    } else {
        (
            cursor.saturating_sub(WINDOW_BEFORE),
            (cursor + WINDOW_AFTER).min(len),
        )
    };
    let char_at = |b: usize| rope.byte_to_char(b);
    if rope.char_to_byte(char_at(cursor)) != cursor {
        return Err(bad);
    }
    let text = rope.slice(char_at(start)..char_at(end)).to_string();
    if text.contains('\0') {
        return Ok(None);
    }
    // The window's start may have moved to a char boundary.
    let cursor = cursor - rope.char_to_byte(char_at(start));
    Ok(Some((text, cursor, start == 0 && end == len)))
}

/// How much text a context's mode asks for.
fn extent(mode: &Mode) -> Extent {
    match mode {
        Mode::Line => Extent::Line,
        Mode::Block { .. } => Extent::Block,
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests;
