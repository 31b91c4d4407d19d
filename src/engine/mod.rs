//! The engine: one OS thread that owns llama.cpp's backend, model and context.
//!
//! The async side sends [`Generate`] jobs over a channel and awaits the answer. The
//! thread remembers which tokens its KV cache holds and decodes only what a new
//! prompt does not share with them; cancellation and deadlines are checked between
//! tokens.

mod decode;
pub mod heal;
mod kv;
mod load;
mod threads;
mod vocab;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use llama_cpp_2::model::LlamaModel;
use tokio::sync::oneshot;

use crate::prompt::Prompt;

pub use kv::common_prefix_len;
pub use threads::{Threads, cores, default_threads};
pub use vocab::Vocabulary;

/// What the engine needs to start.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub model_path: PathBuf,
    /// KV cache size in tokens.
    pub context_length: u32,
    /// Threads for decoding and prompt processing.
    pub threads: Threads,
    /// Whether prompts start with the model's BOS token.
    pub add_bos: bool,
    /// LoRA adapters to load beside the model; a job names the one it runs with.
    pub adapters: Vec<AdapterFile>,
    /// KV cache slots: prompts kept side by side (one per recently used document or
    /// adapter), each with `context_length / slots` tokens of room.
    pub slots: u32,
}

impl EngineConfig {
    /// Tokens in the whole KV cache: the asked size, at least 256 a slot.
    pub fn cache_tokens(&self) -> u32 {
        self.context_length.max(256 * self.slots.max(1))
    }

    /// Tokens one slot holds: a prompt and its generation must fit.
    pub fn slot_tokens(&self) -> u32 {
        self.cache_tokens() / self.slots.max(1)
    }
}

/// A LoRA adapter for the engine to load.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterFile {
    pub name: String,
    pub path: PathBuf,
    pub scale: f32,
}

/// Where the engine is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineStatus {
    Loading,
    Ready,
    /// Loading failed; the message says what to do.
    Failed(String),
}

/// Decides when a suggestion is complete: given the text generated so far, returns
/// `Some(len)` to stop and keep the first `len` bytes.
pub type StopRule = Box<dyn Fn(&str) -> Option<usize> + Send>;

/// One generation job.
pub struct Generate {
    /// The rendered prompt; control tokens written in it (e.g. FIM sentinels) are parsed as such.
    pub prompt: Prompt,
    /// The same request with a shorter window of context: answered from when the cache
    /// would have to read much more of `prompt` (a new spot), while `prompt` is read
    /// behind it once the engine is idle (see [`Engine::send`]).
    pub cold: Option<Prompt>,
    pub max_tokens: u32,
    /// Time for generating once the prompt is read; what is ready then is the answer.
    pub decode_budget: Duration,
    pub stop: StopRule,
    pub cancel: CancelFlag,
    /// Reuse the KV cache; `false` decodes the whole prompt in a fresh context, as tools
    /// without reuse do (the baseline `nib bench` compares against).
    pub reuse: bool,
    /// Check drafts taken from the prompt (prompt lookup) in the same batch as each token.
    pub speculate: bool,
    /// The LoRA adapter to run with (a name from [`EngineConfig::adapters`]); `None` = the base model.
    pub adapter: Option<String>,
    /// A line (trimmed) the answer must not start with: the line after the cursor, which
    /// the model wrote again instead of the one at the cursor.
    pub avoid: Option<String>,
}

/// Decode a prompt into the KV cache ahead of the request that will need it.
pub struct Prefill {
    pub prompt: Prompt,
    /// A shorter window, read first when `prompt` is far from the cache (see [`Generate::cold`]).
    pub cold: Option<Prompt>,
    pub cancel: CancelFlag,
    pub adapter: Option<String>,
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The stop rule said the suggestion is complete.
    Stop,
    /// The model emitted an end-of-generation token.
    EndOfText,
    MaxTokens,
    /// The deadline passed; the text is what was ready by then.
    Deadline,
}

/// Token counts and times of one generation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerationStats {
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// The prompt was the short window of a new spot (see [`Generate::cold`]).
    pub cold: bool,
    /// Prompt tokens whose KV entries were reused from the previous request.
    pub reused_tokens: usize,
    /// Prompt tokens after the changed part (a FIM prompt's suffix) whose KV entries were
    /// moved to their new positions instead of being read again.
    pub moved_tokens: usize,
    /// Prompt tokens decoded for this request (prompt_tokens - reused_tokens - moved_tokens).
    pub prefill_tokens: usize,
    /// Time spent switching the LoRA adapter before the prompt (0 when it was in place).
    pub adapter_switch_ms: f64,
    pub prefill_ms: f64,
    /// Tokens generated.
    pub decode_tokens: usize,
    /// Draft tokens checked, and how many of them were right.
    pub drafted: usize,
    pub accepted: usize,
    pub decode_ms: f64,
    /// The fewest threads a decode of this request computed with (fewer than configured
    /// when other programs kept the cores busy; 0 when nothing was decoded).
    pub threads: u32,
}

/// The engine's answer.
#[derive(Debug, Clone)]
pub struct Generation {
    pub text: String,
    /// Geometric mean of the kept tokens' probabilities, 0..1 (1 when nothing was generated).
    pub confidence: f32,
    /// What the kept tokens say about whether the answer is right.
    pub signals: Signals,
    pub finish: Finish,
    pub stats: GenerationStats,
}

/// What a generation's tokens say about whether it is right: the features of the
/// confidence model a manifest fits on benches/val (`[confidence] weights`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Signals {
    /// Mean and least log-probability of the kept tokens (0 for none).
    pub mean_logprob: f32,
    pub min_logprob: f32,
    /// The first token's log-probability lead over the runner-up.
    pub first_margin: f32,
    /// Tokens kept.
    pub tokens: usize,
    /// The model ended the text itself (a line end, a stop string or end of text) rather
    /// than running out of tokens or time.
    pub natural_end: bool,
}

impl Signals {
    /// The names of `features`, in order: what a manifest's weights stand for.
    pub const NAMES: [&str; 6] = [
        "bias",
        "mean_logprob",
        "min_logprob",
        "first_margin",
        "ln_tokens",
        "natural_end",
    ];

    /// The inputs of the confidence model, the constant 1 first.
    pub fn features(&self) -> [f32; 6] {
        [
            1.0,
            self.mean_logprob,
            self.min_logprob,
            self.first_margin,
            (1.0 + self.tokens as f32).ln(),
            f32::from(u8::from(self.natural_end)),
        ]
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum EngineError {
    #[error("the model is still loading")]
    Loading,
    #[error("{0}")]
    Failed(String),
    #[error("cancelled")]
    Cancelled,
    #[error("llama.cpp failed: {0}")]
    Llama(String),
    #[error("the engine thread stopped")]
    Stopped,
    #[error("no adapter named `{0}` was loaded")]
    UnknownAdapter(String),
}

/// A request's cancellation flag: set it and the decode loop stops at the next token.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The flag itself, for llama.cpp's abort callback (valid while this flag lives).
    fn as_ptr(&self) -> *mut AtomicBool {
        Arc::as_ptr(&self.0).cast_mut()
    }

    /// Whether `other` is this same flag (a clone of it), not just one in the same state.
    pub fn same(&self, other: &CancelFlag) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Sets the flag when dropped: a request future dropped by `$/cancelRequest` stops its decode.
pub struct CancelOnDrop(pub CancelFlag);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

enum Job {
    Generate(Generate, oneshot::Sender<Result<Generation, EngineError>>),
    Prefill(Prefill),
    MeasureStep(u32, oneshot::Sender<Result<StepCost, EngineError>>),
    /// The engine's own: the full prompt behind a cold answer, read while it is idle.
    Behind(kv::Behind),
}

/// The time of one decode step, and the part of it the output head takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepCost {
    /// One token decoded with its logits (what generation does), in ms.
    pub with_head_ms: f64,
    /// The same token without logits: the transformer body only, in ms.
    pub without_head_ms: f64,
}

struct Shared {
    status: Mutex<EngineStatus>,
    model: OnceLock<Arc<LlamaModel>>,
    /// Prompt tokens read and moved since the start, by every job (reading ahead while
    /// the user types included).
    read: AtomicU64,
    moved: AtomicU64,
    stopped: AtomicU64,
    /// Tokens generated, and generations ended by cancellation, since the start.
    generated: AtomicU64,
    cancelled: AtomicU64,
    /// Whether the thread is running a job now.
    busy: AtomicBool,
    /// The flag of the prompt being read behind a cold answer: any job sent cancels it.
    behind: Mutex<CancelFlag>,
    /// The cancellation flag of the read no request waits for that the engine is decoding
    /// now (null otherwise): llama.cpp stops the decode as soon as it is set.
    reading: AtomicPtr<AtomicBool>,
}

impl Shared {
    fn new(status: EngineStatus) -> Shared {
        Shared {
            status: Mutex::new(status),
            model: OnceLock::new(),
            read: AtomicU64::new(0),
            moved: AtomicU64::new(0),
            stopped: AtomicU64::new(0),
            generated: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            busy: AtomicBool::new(false),
            behind: Mutex::default(),
            reading: AtomicPtr::new(std::ptr::null_mut()),
        }
    }
}

/// What the engine thread is doing, and has done (see [`Engine::activity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    /// A generation or prefill is running.
    pub busy: bool,
    /// Tokens generated since the start.
    pub generated: u64,
    /// Generations stopped by their cancellation flag.
    pub cancelled: u64,
}

/// What the engine did with prompts since it started (see [`Engine::prompt_work`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PromptWork {
    /// Prompt tokens decoded.
    pub read: u64,
    /// Cached prompt tokens moved to new positions instead of being read again.
    pub moved: u64,
    /// Reads no request waited for that a request stopped in the middle of a chunk.
    pub stopped: u64,
}

/// A handle to the engine thread; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    worker: Arc<Mutex<Worker>>,
    shared: Arc<Shared>,
    /// How to start the thread again; None for an engine that never had one.
    restart: Option<Arc<Restart>>,
}

/// The running engine thread.
struct Worker {
    jobs: std::sync::mpsc::Sender<Job>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Counts the threads started, so that a death is handled once.
    generation: u64,
}

struct Restart {
    config: EngineConfig,
    on_load: OnLoad,
    restarts: std::sync::atomic::AtomicU32,
}

/// Engine threads restarted after dying before the engine stays failed: a fault that comes
/// back each time must not become a crash loop.
const MAX_RESTARTS: u32 = 3;

type OnLoad = Arc<dyn Fn(LoadEvent) + Send + Sync>;

/// Progress of model loading, for `$/progress`.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadEvent {
    /// Fraction loaded, 0..1.
    Progress(f32),
    Ready {
        load_ms: u64,
    },
    Failed(String),
    /// The engine thread died (the reason); a new one is loading the model.
    Restarting(String),
}

impl Engine {
    /// Starts the engine thread; the model loads in the background and `on_load` hears how it goes.
    pub fn start(
        config: EngineConfig,
        on_load: impl Fn(LoadEvent) + Send + Sync + 'static,
    ) -> Engine {
        let on_load: OnLoad = Arc::new(on_load);
        // llama.cpp prints to stderr unless told otherwise; route it through `tracing`.
        static LOGS: std::sync::Once = std::sync::Once::new();
        LOGS.call_once(|| llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default()));
        let shared = Arc::new(Shared::new(EngineStatus::Loading));
        let restart = Arc::new(Restart {
            config,
            on_load,
            restarts: Default::default(),
        });
        let worker = spawn_worker(&restart, &shared, 0);
        Engine {
            worker: Arc::new(Mutex::new(worker)),
            shared,
            restart: Some(restart),
        }
    }

    /// An engine that never loads a model, with the given failure (for a missing model).
    pub fn failed(message: String) -> Engine {
        let (jobs, _) = std::sync::mpsc::channel::<Job>();
        let shared = Arc::new(Shared::new(EngineStatus::Failed(message)));
        let worker = Worker {
            jobs,
            thread: None,
            generation: 0,
        };
        Engine {
            worker: Arc::new(Mutex::new(worker)),
            shared,
            restart: None,
        }
    }

    /// Hands `job` to the thread; a thread found dead is restarted and the job refused.
    /// Any job takes over from reading a full prompt behind a cold answer.
    fn send(&self, job: Job) -> Result<u64, EngineError> {
        self.shared.behind.lock().unwrap().cancel();
        let worker = self.worker.lock().unwrap();
        let generation = worker.generation;
        if worker.jobs.send(job).is_ok() {
            return Ok(generation);
        }
        drop(worker);
        self.stopped(generation);
        Err(EngineError::Stopped)
    }

    /// Sends `job` and waits for its answer.
    async fn ask<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, EngineError>>) -> Job,
    ) -> Result<T, EngineError> {
        let (answer, receiver) = oneshot::channel();
        let generation = self.send(job(answer))?;
        receiver.await.unwrap_or_else(|_| {
            // The thread dropped the job unanswered: it died running it.
            self.stopped(generation);
            Err(EngineError::Stopped)
        })
    }

    /// The thread of `generation` is gone: reports why once, and starts another unless
    /// MAX_RESTARTS were spent. Requests meanwhile get `Loading` at once.
    fn stopped(&self, generation: u64) {
        let mut worker = self.worker.lock().unwrap();
        if worker.generation != generation {
            return; // another request saw it first
        }
        let reason = match worker.thread.take().map(std::thread::JoinHandle::join) {
            Some(Err(panic)) => format!("it panicked: {}", crate::faults::panic_message(&panic)),
            _ => "it exited".to_string(),
        };
        let Some(restart) = &self.restart else {
            return;
        };
        let restarts = restart.restarts.fetch_add(1, Ordering::Relaxed) + 1;
        if restarts > MAX_RESTARTS {
            let message = format!(
                "the engine thread stopped {restarts} times, last because {reason}; restart nib"
            );
            tracing::error!("{message}");
            *self.shared.status.lock().unwrap() = EngineStatus::Failed(message.clone());
            (restart.on_load)(LoadEvent::Failed(message));
            worker.generation += 1;
            return;
        }
        tracing::error!("the engine thread stopped because {reason}; restarting it");
        *self.shared.status.lock().unwrap() = EngineStatus::Loading;
        (restart.on_load)(LoadEvent::Restarting(reason));
        *worker = spawn_worker(restart, &self.shared, generation + 1);
    }

    pub fn status(&self) -> EngineStatus {
        self.shared.status.lock().unwrap().clone()
    }

    /// Prompt tokens read and moved so far by every job, including the prompts read ahead
    /// while the user types (which no request's [`GenerationStats`] shows).
    pub fn prompt_work(&self) -> PromptWork {
        PromptWork {
            read: self.shared.read.load(Ordering::Relaxed),
            moved: self.shared.moved.load(Ordering::Relaxed),
            stopped: self.shared.stopped.load(Ordering::Relaxed),
        }
    }

    /// Whether the thread is busy, and how many tokens and cancellations it has seen.
    pub fn activity(&self) -> Activity {
        Activity {
            busy: self.shared.busy.load(Ordering::Relaxed),
            generated: self.shared.generated.load(Ordering::Relaxed),
            cancelled: self.shared.cancelled.load(Ordering::Relaxed),
        }
    }

    /// Number of tokens `text` becomes (without BOS); `None` until the model is loaded.
    pub fn count_tokens(&self, text: &str) -> Option<usize> {
        let model = self.shared.model.get()?;
        Some(worker::tokenize(model, text, false).len())
    }

    /// The token ids of `text` (without BOS); `None` until the model is loaded.
    pub fn token_ids(&self, text: &str) -> Option<Vec<u32>> {
        let model = self.shared.model.get()?;
        let tokens = worker::tokenize(model, text, false);
        Some(tokens.into_iter().map(|t| t.0 as u32).collect())
    }

    /// Runs one generation on the engine thread.
    pub async fn generate(&self, job: Generate) -> Result<Generation, EngineError> {
        match self.status() {
            EngineStatus::Ready => {}
            EngineStatus::Loading => return Err(EngineError::Loading),
            EngineStatus::Failed(message) => return Err(EngineError::Failed(message)),
        }
        self.ask(|answer| Job::Generate(job, answer)).await
    }

    /// Times `steps` single-token decode steps with and without the output head.
    pub async fn measure_step(&self, steps: u32) -> Result<StepCost, EngineError> {
        self.ask(|answer| Job::MeasureStep(steps, answer)).await
    }

    /// Queues a prefill; it yields to any request that cancels it. Ignored until the model is ready.
    pub fn prefill(&self, job: Prefill) {
        if self.status() == EngineStatus::Ready {
            let _ = self.send(Job::Prefill(job));
        }
    }

    /// Waits until loading has ended, well or not, or `timeout` passes.
    pub async fn wait_loaded(&self, timeout: Duration) -> EngineStatus {
        let start = Instant::now();
        loop {
            let status = self.status();
            if status != EngineStatus::Loading || start.elapsed() >= timeout {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Starts an engine thread; the model loads in the background.
fn spawn_worker(restart: &Arc<Restart>, shared: &Arc<Shared>, generation: u64) -> Worker {
    let (jobs, receiver) = std::sync::mpsc::channel::<Job>();
    let (config, on_load) = (restart.config.clone(), Arc::clone(&restart.on_load));
    let thread_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("nib-engine".into())
        .spawn(move || worker::run(config, thread_shared, receiver, on_load));
    let thread = match spawned {
        Ok(thread) => Some(thread),
        Err(e) => {
            *shared.status.lock().unwrap() =
                EngineStatus::Failed(format!("could not start the engine thread: {e}"));
            None
        }
    };
    Worker {
        jobs,
        thread,
        generation,
    }
}
