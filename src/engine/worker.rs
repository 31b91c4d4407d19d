//! The engine thread: loads the model, then serves jobs one at a time with KV reuse.
//!
//! Loading is in [`super::load`], the KV cache in [`super::kv`], decoding in
//! [`super::decode`]; each adds its part of [`Session`]'s methods.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::kv::Slot;
use super::load::{Lora, can_shift, load, load_adapters, new_context};
use super::threads::Governor;
use super::vocab::Pieces;
use super::{EngineConfig, EngineError, EngineStatus, Job, LoadEvent, OnLoad, Shared};

/// How long the engine waits for another job before it reads the full prompt behind a
/// cold answer: longer than the gaps between keys in a burst of typing.
const IDLE_BEFORE_BEHIND: Duration = Duration::from_millis(200);

pub(super) fn tokenize(model: &LlamaModel, text: &str, add_bos: bool) -> Vec<LlamaToken> {
    model.vocab().tokenize(text.as_bytes(), add_bos, true)
}

pub(super) fn run(config: EngineConfig, shared: Arc<Shared>, jobs: Receiver<Job>, on_load: OnLoad) {
    let set_status = |status| *shared.status.lock().unwrap() = status;
    let started = Instant::now();
    // Its first look at the machine's load spans the model's loading, so the first
    // decode already knows whether other programs keep the cores busy.
    let governor = Governor::new(config.threads);
    let loaded = load(&config, &on_load);
    let (backend, mut model) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            set_status(EngineStatus::Failed(message.clone()));
            on_load(LoadEvent::Failed(message));
            return;
        }
    };
    let loras = load_adapters(&mut model, &config);
    let model = Arc::new(model);
    let context = match new_context(backend, &model, &config, &shared.reading) {
        Ok(context) => context,
        Err(message) => {
            set_status(EngineStatus::Failed(message.clone()));
            on_load(LoadEvent::Failed(message));
            return;
        }
    };
    let _ = shared.model.set(Arc::clone(&model));
    set_status(EngineStatus::Ready);
    on_load(LoadEvent::Ready {
        load_ms: started.elapsed().as_millis() as u64,
    });

    let mut session = Session {
        backend,
        config: &config,
        model: &model,
        context,
        cached: Vec::new(),
        slots: (0..config.slots.max(1)).map(|_| Slot::default()).collect(),
        current: 0,
        clock: 0,
        loras,
        active: None,
        pieces: Pieces::of(&model),
        governor,
        fewest_threads: 0,
        behind: None,
        can_move: can_shift(&model) && !crate::faults::take(crate::faults::Fault::ModelCannotMove),
        background: false,
        shared: &shared,
    };
    loop {
        // A full prompt left behind a cold answer is read once no job came for a while:
        // a chunk of it takes long on a laptop CPU, and the next key's request would
        // wait for it (any job sent stops it, but only between chunks).
        let job = match session.behind.take() {
            Some(behind) => match jobs.recv_timeout(IDLE_BEFORE_BEHIND) {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => Job::Behind(behind),
                Err(RecvTimeoutError::Disconnected) => break,
            },
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => break,
            },
        };
        crate::faults::fire(crate::faults::Fault::EngineThreadDies);
        shared.busy.store(true, Ordering::Relaxed);
        session.run(job);
        shared.busy.store(false, Ordering::Relaxed);
    }
}

impl Session<'_> {
    /// Runs a read that no request waits for, unless it was cancelled already; a panic in
    /// it resets the cache.
    fn read_ahead(&mut self, cancel: &super::CancelFlag, read: impl FnOnce(&mut Self)) {
        if cancel.is_cancelled() {
            return;
        }
        self.background = true;
        if catch_unwind(AssertUnwindSafe(|| read(self))).is_err() {
            self.reset();
        }
        self.background = false;
    }

    /// Runs one job; a panic inside it resets the cache and becomes an error.
    fn run(&mut self, job: Job) {
        let (job, answer) = match job {
            Job::Prefill(prefill) => {
                return self.read_ahead(&prefill.cancel, |s| s.prefill(&prefill));
            }
            Job::Behind(behind) => {
                return self.read_ahead(&behind.cancel, |s| s.read_behind(&behind));
            }
            Job::MeasureStep(steps, answer) => {
                let cost = catch_unwind(AssertUnwindSafe(|| self.measure_step(steps)));
                let _ = answer.send(cost.unwrap_or_else(|_| {
                    self.reset();
                    Err(EngineError::Llama("panic while measuring".into()))
                }));
                return;
            }
            Job::Generate(job, answer) => (job, answer),
        };
        let result = if job.cancel.is_cancelled() {
            Err(EngineError::Cancelled)
        } else {
            catch_unwind(AssertUnwindSafe(|| self.generate(&job))).unwrap_or_else(|panic| {
                // Whatever the cache held is suspect after a panic mid-decode.
                self.reset();
                Err(EngineError::Llama(format!(
                    "panic in the engine: {}",
                    crate::faults::panic_message(&panic)
                )))
            })
        };
        if matches!(result, Err(EngineError::Cancelled)) {
            self.shared.cancelled.fetch_add(1, Ordering::Relaxed);
        }
        let _ = answer.send(result);
    }
}

/// The llama.cpp context, its KV cache slots and the tokens each holds (positions 0..).
pub(super) struct Session<'m> {
    pub(super) backend: &'static LlamaBackend,
    pub(super) config: &'m EngineConfig,
    pub(super) model: &'m LlamaModel,
    pub(super) context: LlamaContext<'m>,
    /// The tokens the current slot's sequence holds.
    pub(super) cached: Vec<LlamaToken>,
    pub(super) slots: Vec<Slot>,
    /// The slot (and llama.cpp sequence id) jobs decode in now.
    pub(super) current: usize,
    pub(super) clock: u64,
    pub(super) loras: HashMap<String, Lora>,
    /// The adapter set on the context.
    pub(super) active: Option<String>,
    pub(super) pieces: Pieces,
    pub(super) governor: Governor,
    /// The fewest threads a decode used since the current generation started (0: none yet).
    pub(super) fewest_threads: u32,
    /// The full prompt left to read behind the last cold answer.
    pub(super) behind: Option<super::kv::Behind>,
    /// Whether cached entries may be moved to new positions (see [`can_shift`]).
    pub(super) can_move: bool,
    /// The job in progress is a read no request waits for: its decodes stop mid-way when
    /// it is cancelled (see [`Shared::reading`]).
    pub(super) background: bool,
    /// Where the prompt tokens read and moved are counted.
    pub(super) shared: &'m Shared,
}

pub(super) fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
