//! The engine thread: loads the model, then serves jobs one at a time with KV reuse.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaLoraAdapter, LlamaModel};
use llama_cpp_2::token::LlamaToken;

use super::heal::Healing;
use super::threads::Governor;
use super::vocab::Pieces;
use super::{
    EngineConfig, EngineError, EngineStatus, Finish, Generate, Generation, GenerationStats, Job,
    LoadEvent, OnLoad, Shared,
};
use crate::prompt::Prompt;

/// Most tokens llama.cpp decodes in one batch.
const BATCH: usize = 512;
/// Prompt tokens fed per decode call: a cancelled prefill stops after the chunk it is
/// in (64 tokens take 150-350 ms on a 2-core laptop CPU) and keeps what it read, which
/// the next prompt usually shares; 128 and 256 read no faster here.
const FEED_CHUNK: usize = 64;

/// A run of cached tokens after the changed part of a prompt is moved into place only
/// when it is at least this long (shorter runs are cheaper to read again than to track).
const MIN_MOVE: usize = 16;
/// A moved run's entries were computed while attending to the text before them as it was
/// when they were read (see [`Slot::exact`]). They are moved only while that text and the
/// new prompt differ in at most this many tokens (a few keystrokes, not a line: a line
/// changed before the code after the cursor cost Qwen2.5-Coder 0.5B 10 points of exact
/// match with moves allowed up to 48 changed tokens); past it, the rest is read again.
const MAX_CHANGED: usize = 8;

/// Length of the longest common prefix of two token sequences.
pub fn common_prefix_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

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
    let context = match new_context(backend, &model, &config) {
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
        can_move: can_shift(&model),
        shared: &shared,
    };
    for job in jobs {
        crate::faults::fire(crate::faults::Fault::EngineThreadDies);
        shared.busy.store(true, Ordering::Relaxed);
        session.run(job);
        shared.busy.store(false, Ordering::Relaxed);
    }
}

impl Session<'_> {
    /// Runs one job; a panic inside it resets the cache and becomes an error.
    fn run(&mut self, job: Job) {
        let (job, answer) = match job {
            Job::Prefill(prefill) => {
                if !prefill.cancel.is_cancelled()
                    && catch_unwind(AssertUnwindSafe(|| self.prefill(&prefill))).is_err()
                {
                    self.reset();
                }
                return;
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

/// llama.cpp's backend, initialised once per process (a second `init` fails).
pub(super) fn backend() -> Result<&'static LlamaBackend, String> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| LlamaBackend::init().map_err(|e| format!("llama.cpp did not start: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

fn load(
    config: &EngineConfig,
    on_load: &OnLoad,
) -> Result<(&'static LlamaBackend, LlamaModel), String> {
    let backend = backend()?;
    let progress = {
        let on_load = Arc::clone(on_load);
        let mut last = 0.0f32;
        move |p: f32| {
            if p - last >= 0.1 {
                last = p;
                on_load(LoadEvent::Progress(p));
            }
            true
        }
    };
    // Read into memory, not mapped: where llama.cpp repacks weights for the CPU (AMX tile
    // layouts) a mapped file stays resident beside the repacked copy (Qwen2.5-Coder 0.5B
    // trimmed: 911 MB of RSS mapped, 566 MB read), and every weight is read at each decode
    // step anyway.
    let params = LlamaModelParams::default()
        .with_progress_callback(progress)
        .with_use_mmap(false);
    let model = LlamaModel::load_from_file(backend, &config.model_path, &params).map_err(|e| {
        format!(
            "llama.cpp could not load {}: {e}; is it a GGUF model? run `nib model pull`, or point NIB_MODEL at a .gguf file",
            config.model_path.display()
        )
    })?;
    Ok((backend, model))
}

/// Loads the configured LoRA adapters; one that fails is left out with a warning (a job
/// that names it gets an error).
fn load_adapters(model: &mut LlamaModel, config: &EngineConfig) -> HashMap<String, Lora> {
    let mut out = HashMap::new();
    for adapter in &config.adapters {
        let started = Instant::now();
        match model.lora_adapter_init(&adapter.path) {
            Ok(handle) => {
                tracing::info!(
                    "adapter {} loaded from {} in {:.1} ms",
                    adapter.name,
                    adapter.path.display(),
                    ms(started)
                );
                out.insert(
                    adapter.name.clone(),
                    Lora {
                        handle,
                        scale: adapter.scale,
                    },
                );
            }
            Err(e) => tracing::warn!(
                "adapter {} ({}) did not load: {e}",
                adapter.name,
                adapter.path.display()
            ),
        }
    }
    out
}

fn new_context<'m>(
    backend: &LlamaBackend,
    model: &'m LlamaModel,
    config: &EngineConfig,
) -> Result<LlamaContext<'m>, String> {
    let threads = config.threads.most() as i32;
    let slots = config.slots.max(1);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.context_length.max(256 * slots)))
        // One sequence per slot (a decode attends only to its own slot's entries) and one
        // more that holds a run of entries while the text before it is decoded (see
        // `Session::sync_cache`). One cache for all: entries move between sequences
        // without being copied.
        .with_n_seq_max(slots + 1)
        .with_kv_unified(true)
        .with_n_batch(BATCH as u32)
        .with_n_ubatch(BATCH as u32)
        .with_n_threads(threads)
        .with_n_threads_batch(threads)
        // A full-size sliding-window cache can be cut back to any position; the default
        // (window-sized) one cannot, and every edit would re-read the whole prompt.
        .with_swa_full(true);
    model
        .new_context(backend, params)
        .map_err(|e| format!("llama.cpp could not create a context: {e}"))
}

/// Whether the model's KV entries can be moved to other positions (RoPE shifted): not
/// with multi-section RoPE, whose GGUF has `<arch>.rope.dimension_sections`.
fn can_shift(model: &LlamaModel) -> bool {
    let Ok(arch) = model.meta_val_str("general.architecture") else {
        return false;
    };
    model
        .meta_val_str(&format!("{arch}.rope.dimension_sections"))
        .is_err()
}

/// A loaded LoRA adapter.
struct Lora {
    handle: LlamaLoraAdapter,
    scale: f32,
}

/// One KV cache sequence: a prompt kept for reuse, and the adapter its entries were computed with.
#[derive(Default)]
struct Slot {
    /// The slot's tokens; for the current slot they live in `Session::cached`.
    tokens: Vec<LlamaToken>,
    adapter: Option<String>,
    /// When it was last used (a counter), to evict the least recently used.
    used: u64,
    /// The prompt as it was when the slot's entries were last read without a move: the
    /// text that moved entries attended to when they were computed.
    exact: Vec<LlamaToken>,
}

/// The llama.cpp context, its KV cache slots and the tokens each holds (positions 0..).
struct Session<'m> {
    backend: &'static LlamaBackend,
    config: &'m EngineConfig,
    model: &'m LlamaModel,
    context: LlamaContext<'m>,
    /// The tokens the current slot's sequence holds.
    cached: Vec<LlamaToken>,
    slots: Vec<Slot>,
    /// The slot (and llama.cpp sequence id) jobs decode in now.
    current: usize,
    clock: u64,
    loras: HashMap<String, Lora>,
    /// The adapter set on the context.
    active: Option<String>,
    pieces: Pieces,
    governor: Governor,
    /// The fewest threads a decode used since the current generation started (0: none yet).
    fewest_threads: u32,
    /// Whether cached entries may be moved to new positions (see [`can_shift`]).
    can_move: bool,
    /// Where the prompt tokens read and moved are counted.
    shared: &'m Shared,
}

impl Session<'_> {
    /// Decodes a batch with the threads the machine's load allows now.
    fn decode(&mut self, batch: &mut LlamaBatch) -> Result<(), EngineError> {
        let threads = self.governor.before_decode();
        self.fewest_threads = match self.fewest_threads {
            0 => threads,
            fewest => fewest.min(threads),
        };
        self.context
            .decode(batch)
            .map_err(|e| EngineError::Llama(e.to_string()))
    }

    fn reset(&mut self) {
        self.context.clear_kv_cache();
        self.cached.clear();
        for slot in &mut self.slots {
            slot.tokens.clear();
        }
    }

    fn seq(&self) -> i32 {
        self.current as i32
    }

    /// The sequence that holds a run of entries while they are moved.
    fn spare_seq(&self) -> i32 {
        self.slots.len() as i32
    }

    /// Tokens of context one slot holds.
    fn slot_room(&self) -> usize {
        self.context.n_ctx() as usize / self.slots.len()
    }

    /// Makes the slot that best serves `prompt` with `adapter` current, and the adapter
    /// active: a slot of the same adapter that shares at least half of its tokens (or of the
    /// prompt's, when that is shorter) with the prompt, else the least recently used one (emptied). Returns the time the adapter
    /// switch took.
    fn select(&mut self, prompt: &[LlamaToken], adapter: Option<&str>) -> Result<f64, EngineError> {
        let current = self.current;
        std::mem::swap(&mut self.cached, &mut self.slots[current].tokens);
        self.clock += 1;
        let same = |slot: &Slot| slot.adapter.as_deref() == adapter;
        let best = (0..self.slots.len())
            .filter(|&i| same(&self.slots[i]))
            .map(|i| (common_prefix_len(&self.slots[i].tokens, prompt), i))
            .max();
        let chosen = match best {
            // What a slot holds beyond the prompt it shares may be a long generation:
            // measured against the shorter of the two, so that asking again reuses it.
            Some((shared, i))
                if shared > 0 && shared * 2 >= self.slots[i].tokens.len().min(prompt.len()) =>
            {
                i
            }
            _ => (0..self.slots.len())
                .min_by_key(|&i| (!self.slots[i].tokens.is_empty(), self.slots[i].used))
                .expect("at least one slot"),
        };
        // A slot of the same adapter is cut back to the shared prefix when it is synced.
        if !same(&self.slots[chosen]) {
            let _ = self
                .context
                .clear_kv_cache_seq(Some(chosen as u32), None, None);
            self.slots[chosen].tokens.clear();
            self.slots[chosen].adapter = adapter.map(str::to_string);
        }
        std::mem::swap(&mut self.cached, &mut self.slots[chosen].tokens);
        self.current = chosen;
        self.slots[chosen].used = self.clock;
        self.set_adapter(adapter)
    }

    /// Sets the LoRA adapter on the context; returns how long that took in ms.
    fn set_adapter(&mut self, adapter: Option<&str>) -> Result<f64, EngineError> {
        if self.active.as_deref() == adapter {
            return Ok(0.0);
        }
        let started = Instant::now();
        match adapter {
            Some(name) => {
                let lora = self
                    .loras
                    .get_mut(name)
                    .ok_or_else(|| EngineError::UnknownAdapter(name.to_string()))?;
                let scale = lora.scale;
                self.context
                    .lora_adapter_set(&mut lora.handle, scale)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            None => {
                if let Some(lora) = self.loras.values_mut().next() {
                    self.context
                        .lora_adapter_remove(&mut lora.handle)
                        .map_err(|e| EngineError::Llama(e.to_string()))?;
                }
            }
        }
        self.active = adapter.map(str::to_string);
        Ok(ms(started))
    }

    /// Drops the KV entries from position `keep` on (tokens decoded but not kept).
    fn truncate_kv(&mut self, keep: usize) {
        let removed = self
            .context
            .clear_kv_cache_seq(Some(self.seq() as u32), Some(keep as u32), None)
            .unwrap_or(false);
        if !removed {
            self.reset();
        }
    }

    /// Keeps the first `keep` cached tokens and drops the rest from the KV cache.
    fn truncate_cache(&mut self, keep: usize) {
        if keep >= self.cached.len() {
            return;
        }
        let removed = self
            .context
            .clear_kv_cache_seq(Some(self.seq() as u32), Some(keep as u32), None)
            .unwrap_or(false);
        if removed {
            self.cached.truncate(keep);
        } else {
            self.reset();
        }
    }

    /// Decodes `tokens` after the cached ones; logits are kept for the last one only.
    fn feed(
        &mut self,
        tokens: &[LlamaToken],
        cancel: &super::CancelFlag,
    ) -> Result<(), EngineError> {
        let mut batch = LlamaBatch::new(FEED_CHUNK, 1);
        let seq = [self.seq()];
        for chunk in tokens.chunks(FEED_CHUNK) {
            if cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            batch.clear();
            let last_chunk = chunk.as_ptr_range().end == tokens.as_ptr_range().end;
            for (i, &token) in chunk.iter().enumerate() {
                let pos = (self.cached.len() + i) as i32;
                let logits = last_chunk && i + 1 == chunk.len();
                batch
                    .add(token, pos, &seq, logits)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            if let Err(e) = self.decode(&mut batch) {
                // The cache may hold part of the chunk: start clean next time.
                self.reset();
                return Err(e);
            }
            self.cached.extend_from_slice(chunk);
            self.shared
                .read
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The most likely token whose text `healing` allows next, with its log-probability
    /// among those tokens.
    fn greedy_healing(&self, logits: &[f32], healing: &Healing) -> (LlamaToken, f32) {
        let allowed: Vec<(LlamaToken, f32)> = (0..logits.len())
            .map(|i| LlamaToken(i as i32))
            .filter(|&t| healing.allows(self.pieces.get(t)))
            .map(|t| (t, logits[t.0 as usize]))
            .collect();
        let scores: Vec<f32> = allowed.iter().map(|&(_, l)| l).collect();
        let (best, logprob) = greedy(&scores);
        (allowed[best.0 as usize].0, logprob)
    }

    /// The prompt's tokens as generation will see them (cut to fit, healed at the cursor),
    /// with the text the first generated tokens must spell.
    fn prompt_tokens(
        &self,
        prompt: &Prompt,
        max_tokens: u32,
    ) -> (Vec<LlamaToken>, Option<Healing>) {
        let n_ctx = self.slot_room();
        let cursor = prompt.cursor.min(prompt.text.len());
        let (before, after) = prompt
            .text
            .split_at_checked(cursor)
            .unwrap_or((&prompt.text, ""));
        let mut tokens = tokenize(self.model, before, self.config.add_bos);
        let healed = Healing::of(&mut tokens, |t| self.pieces.get(t));
        tokens.extend(tokenize(self.model, after, false));
        let room = n_ctx.saturating_sub(max_tokens as usize + 1).max(1);
        if tokens.len() > room {
            // The context builder keeps prompts within budget; this only guards the cache.
            tokens.drain(..tokens.len() - room);
        }
        (tokens, healed)
    }

    /// Brings the KV cache to `prompt`, decoding only what it does not hold yet; the last
    /// token is always decoded when `need_logits`. Returns how many tokens were reused
    /// from the cache's start and how many were moved into place from further on.
    ///
    /// A FIM prompt puts the code after the cursor after the code before it, so typing
    /// changes the middle of the prompt, not its end. The longest run of cached tokens
    /// that the rest of the new prompt also has (the suffix, or the part of it read before
    /// a cancellation) is kept aside in a spare sequence while the changed text before it
    /// is decoded, then shifted to its new positions (llama.cpp's server calls this cache
    /// reuse): a keystroke reads a few tokens, not the whole suffix again.
    fn sync_cache(
        &mut self,
        prompt: &[LlamaToken],
        need_logits: bool,
        cancel: &super::CancelFlag,
    ) -> Result<(usize, usize), EngineError> {
        let end = prompt.len() - usize::from(need_logits && !prompt.is_empty());
        let reuse = common_prefix_len(&self.cached, prompt).min(end);
        let run = self
            .movable_run(prompt, reuse, end)
            .filter(|&run| self.park(run));
        self.truncate_cache(reuse);
        // A failed cut resets the whole cache, the run's entries with it.
        let run = run.filter(|_| self.cached.len() == reuse);
        let reuse = self.cached.len();
        let Some(run) = run else {
            self.slots[self.current].exact = prompt.to_vec();
            self.feed(&prompt[reuse..], cancel)?;
            return Ok((reuse, 0));
        };
        let Run { from, at, len } = run;
        // A few tokens of changed text are read whatever happens, so that the run is not
        // lost to a cancellation (the next keystroke's prompt has it too).
        let text = &prompt[reuse..at];
        let fed = if text.len() <= FEED_CHUNK {
            self.feed(text, &super::CancelFlag::default())
        } else {
            self.feed(text, cancel)
        };
        let spare = self.spare_seq();
        if let Err(e) = fed {
            let _ = self
                .context
                .clear_kv_cache_seq(Some(spare as u32), None, None);
            return Err(e);
        }
        let moved = self
            .context
            .kv_cache_seq_add(
                spare,
                Some(from as u32),
                Some((from + len) as u32),
                at as i32 - from as i32,
            )
            .and_then(|()| {
                self.context.copy_kv_cache_seq(
                    spare,
                    self.seq(),
                    Some(at as u32),
                    Some((at + len) as u32),
                )
            });
        let _ = self
            .context
            .clear_kv_cache_seq(Some(spare as u32), None, None);
        if moved.is_err() {
            self.reset();
            self.feed(prompt, cancel)?;
            return Ok((0, 0));
        }
        self.cached.extend_from_slice(&prompt[at..at + len]);
        self.shared.moved.fetch_add(len as u64, Ordering::Relaxed);
        self.feed(&prompt[at + len..], cancel)?;
        Ok((reuse, len))
    }

    /// The run of cached tokens after the first `reuse` that is worth moving to where
    /// `prompt[reuse..end]` has it too.
    fn movable_run(&self, prompt: &[LlamaToken], reuse: usize, end: usize) -> Option<Run> {
        if !self.can_move || changed_tokens(&self.slots[self.current].exact, prompt) > MAX_CHANGED {
            return None;
        }
        let run = longest_shared_run(&self.cached[reuse..], &prompt[reuse..end])?;
        (run.len >= MIN_MOVE).then_some(Run {
            from: reuse + run.from,
            at: reuse + run.at,
            len: run.len,
        })
    }

    /// Copies the run's entries to the spare sequence, so that they survive the cut after
    /// the common prefix; false when llama.cpp refused (the run is then read again).
    fn park(&mut self, Run { from, len, .. }: Run) -> bool {
        self.context
            .copy_kv_cache_seq(
                self.seq(),
                self.spare_seq(),
                Some(from as u32),
                Some((from + len) as u32),
            )
            .is_ok()
    }

    fn prefill(&mut self, job: &super::Prefill) {
        let (prompt, _) = self.prompt_tokens(&job.prompt, 0);
        if self.select(&prompt, job.adapter.as_deref()).is_err() {
            return;
        }
        // A cancelled or failed prefill leaves a valid, shorter cache; nothing to report.
        let _ = self.sync_cache(&prompt, false, &job.cancel);
    }

    /// Decodes one token after the cache, with and without logits, `steps` times each,
    /// and removes it again: what a generation step costs and what its output head costs.
    fn measure_step(&mut self, steps: u32) -> Result<super::StepCost, EngineError> {
        if self.cached.is_empty() {
            let start = tokenize(self.model, "fn main() {", self.config.add_bos);
            self.feed(&start, &super::CancelFlag::default())?;
        }
        let token = *self.cached.last().expect("the cache holds tokens");
        let position = self.cached.len();
        let seq = self.seq();
        let mut batch = LlamaBatch::new(1, 1);
        let mut time = |logits: bool| -> Result<f64, EngineError> {
            let started = Instant::now();
            for _ in 0..steps.max(1) {
                batch.clear();
                batch
                    .add(token, position as i32, &[seq], logits)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
                self.decode(&mut batch)?;
                self.context
                    .clear_kv_cache_seq(Some(seq as u32), Some(position as u32), None)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            Ok(ms(started) / f64::from(steps.max(1)))
        };
        let without_head_ms = time(false)?;
        let with_head_ms = time(true)?;
        Ok(super::StepCost {
            with_head_ms,
            without_head_ms,
        })
    }

    /// Replaces the context with a new one: the baseline's fresh start for every request.
    fn fresh_context(&mut self) -> Result<(), EngineError> {
        self.context =
            new_context(self.backend, self.model, self.config).map_err(EngineError::Llama)?;
        self.active = None;
        self.reset();
        Ok(())
    }

    fn generate(&mut self, job: &Generate) -> Result<Generation, EngineError> {
        let prefill_start = Instant::now();
        self.fewest_threads = 0;
        if !job.reuse {
            self.fresh_context()?;
        }
        let (prompt, mut healing) = self.prompt_tokens(&job.prompt, job.max_tokens);
        let mut stats = GenerationStats {
            prompt_tokens: prompt.len(),
            adapter_switch_ms: self.select(&prompt, job.adapter.as_deref())?,
            ..Default::default()
        };
        let (reuse, moved) = self.sync_cache(&prompt, true, &job.cancel)?;
        tracing::debug!(
            prompt = prompt.len(),
            reused = reuse,
            moved,
            read = prompt.len() - reuse - moved,
            "prompt in the cache"
        );
        stats.reused_tokens = reuse;
        stats.moved_tokens = moved;
        stats.prefill_tokens = prompt.len() - reuse - moved;
        stats.prefill_ms = ms(prefill_start);

        let decode_start = Instant::now();
        let mut out = Output::new(job);
        let mut logits_at = -1; // the batch index whose logits choose the next token
        let mut batch = LlamaBatch::new(MAX_DRAFT + 1, 1);
        loop {
            if job.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            if out.count() > 0 && decode_start.elapsed() >= job.decode_budget {
                out.finish = Finish::Deadline;
                break;
            }
            let logits = self.context.get_logits_ith(logits_at);
            let (token, logprob, skip) = match healing.as_mut().filter(|h| !h.is_done()) {
                Some(healing) => {
                    let (token, logprob) = self.greedy_healing(logits, healing);
                    let skip = healing.advance(self.pieces.get(token));
                    (token, logprob, skip)
                }
                None => {
                    let (token, logprob) = greedy(logits);
                    (token, logprob, 0)
                }
            };
            self.shared.generated.fetch_add(1, Ordering::Relaxed);
            if out.push(&self.pieces, self.model, token, logprob, skip) {
                break;
            }
            // Decode the token, and after it a draft of the tokens that followed the same
            // words earlier in the prompt: one batch checks them all.
            let position = self.cached.len();
            self.cached.push(token);
            let room = (job.max_tokens as usize).saturating_sub(out.count());
            let healed = healing.as_ref().is_none_or(Healing::is_done);
            let draft = if job.speculate && healed {
                draft(&self.cached, MAX_DRAFT.min(room))
            } else {
                Vec::new()
            };
            batch.clear();
            for (i, &t) in std::iter::once(&token).chain(&draft).enumerate() {
                batch
                    .add(t, (position + i) as i32, &[self.seq()], true)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            if let Err(e) = self.decode(&mut batch) {
                self.reset();
                return Err(e);
            }
            stats.drafted += draft.len();
            let mut accepted = 0;
            let mut done = false;
            for (i, &guess) in draft.iter().enumerate() {
                let (token, logprob) = greedy(self.context.get_logits_ith(i as i32));
                if token != guess {
                    break;
                }
                accepted += 1;
                self.shared.generated.fetch_add(1, Ordering::Relaxed);
                self.cached.push(token);
                if out.push(&self.pieces, self.model, token, logprob, 0) {
                    done = true;
                    break;
                }
            }
            stats.accepted += accepted;
            if accepted < draft.len() {
                // The drafts after the first wrong one are not part of the text.
                self.truncate_kv(self.cached.len());
            }
            if done {
                break;
            }
            logits_at = accepted as i32;
        }
        stats.decode_tokens = out.count();
        stats.decode_ms = ms(decode_start);
        stats.threads = self.fewest_threads;

        Ok(out.into_generation(stats))
    }
}

/// A run of tokens the cache holds at `from` and a prompt has at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    from: usize,
    at: usize,
    len: usize,
}

/// The longest run of tokens that `cached` and `prompt` both have (the latest in `prompt`
/// among equally long ones).
fn longest_shared_run<T: PartialEq>(cached: &[T], prompt: &[T]) -> Option<Run> {
    // lengths[j]: the length of the shared run ending at cached[i - 1] and prompt[j - 1].
    let mut lengths = vec![0usize; prompt.len() + 1];
    let mut best: Option<Run> = None;
    for (i, c) in cached.iter().enumerate() {
        for j in (0..prompt.len()).rev() {
            lengths[j + 1] = if *c == prompt[j] { lengths[j] + 1 } else { 0 };
            let len = lengths[j + 1];
            if len > 0 && best.is_none_or(|b| (len, j) > (b.len, b.at + b.len - 1)) {
                best = Some(Run {
                    from: i + 1 - len,
                    at: j + 1 - len,
                    len,
                });
            }
        }
    }
    best
}

/// How many tokens differ between two versions of a prompt: the longer one's length less
/// what they share at the start and at the end.
fn changed_tokens<T: PartialEq>(old: &[T], new: &[T]) -> usize {
    let start = common_prefix_len(old, new);
    let end = old[start..]
        .iter()
        .rev()
        .zip(new[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    old.len().max(new.len()) - start - end
}

/// Most draft tokens checked after each generated token.
const MAX_DRAFT: usize = 6;

/// Prompt lookup: the tokens that followed the latest earlier occurrence of the last three
/// (else two) tokens of `tokens`, at most `max` of them.
fn draft<T: PartialEq + Copy>(tokens: &[T], max: usize) -> Vec<T> {
    for n in [3, 2] {
        if tokens.len() <= n || max == 0 {
            continue;
        }
        let tail = &tokens[tokens.len() - n..];
        let earlier = (0..tokens.len() - n)
            .rev()
            .find(|&i| &tokens[i..i + n] == tail);
        if let Some(i) = earlier {
            let start = i + n;
            let end = (start + max).min(tokens.len() - n);
            if start < end {
                return tokens[start..end].to_vec();
            }
        }
    }
    Vec::new()
}

/// The text generated so far, with what decides where it ends.
struct Output<'j> {
    job: &'j Generate,
    bytes: Vec<u8>,
    /// Byte length of the text after each generated token.
    ends: Vec<usize>,
    logprobs: Vec<f32>,
    kept: Option<usize>,
    finish: Finish,
}

impl<'j> Output<'j> {
    fn new(job: &'j Generate) -> Output<'j> {
        Output {
            job,
            bytes: Vec::new(),
            ends: Vec::new(),
            logprobs: Vec::new(),
            kept: None,
            finish: Finish::MaxTokens,
        }
    }

    fn count(&self) -> usize {
        self.ends.len()
    }

    /// Adds a generated token (without its first `skip` bytes); true when the text is complete.
    fn push(
        &mut self,
        pieces: &Pieces,
        model: &LlamaModel,
        token: LlamaToken,
        logprob: f32,
        skip: usize,
    ) -> bool {
        if model.vocab().is_eog(token) {
            self.finish = Finish::EndOfText;
            return true;
        }
        let piece = pieces.get(token);
        self.bytes
            .extend_from_slice(&piece[skip.min(piece.len())..]);
        self.ends.push(self.bytes.len());
        self.logprobs.push(logprob);
        if let Some(len) = (self.job.stop)(valid_utf8_prefix(&self.bytes)) {
            self.kept = Some(len);
            self.finish = Finish::Stop;
            return true;
        }
        self.count() >= self.job.max_tokens as usize
    }

    fn into_generation(self, stats: GenerationStats) -> Generation {
        let text = valid_utf8_prefix(&self.bytes);
        let kept = self.kept.unwrap_or(text.len()).min(text.len());
        // A token counts towards confidence if any of its text is kept.
        let counted =
            self.ends.iter().take_while(|&&end| end < kept).count() + usize::from(kept > 0);
        Generation {
            text: text[..kept].to_string(),
            confidence: confidence(&self.logprobs[..counted.min(self.logprobs.len())]),
            finish: self.finish,
            stats,
        }
    }
}

/// The most likely token and its log-probability.
fn greedy(logits: &[f32]) -> (LlamaToken, f32) {
    let (best, &max) = logits
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .expect("the vocabulary is not empty");
    let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
    (LlamaToken(best as i32), -sum.ln())
}

/// Geometric mean probability of the tokens, 0..1; 1 for none.
fn confidence(logprobs: &[f32]) -> f32 {
    if logprobs.is_empty() {
        return 1.0;
    }
    (logprobs.iter().sum::<f32>() / logprobs.len() as f32).exp()
}

/// The longest prefix of `bytes` that is valid UTF-8 (a token may end mid-character).
fn valid_utf8_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid up to here"),
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix() {
        assert_eq!(common_prefix_len(&[1, 2, 3], &[1, 2, 4]), 2);
        assert_eq!(common_prefix_len(&[1, 2], &[1, 2, 3]), 2);
        assert_eq!(common_prefix_len::<i32>(&[], &[1]), 0);
    }

    #[test]
    fn the_run_to_move_is_the_longest_the_cache_and_the_prompt_share() {
        // cache: [old tail 7 8] [suffix 4 5 6] [generated 9 6]; prompt: [new tail 3] [4 5 6]
        let run = |from, at, len| Some(Run { from, at, len });
        assert_eq!(
            longest_shared_run(&[7, 8, 4, 5, 6, 9, 6], &[3, 4, 5, 6]),
            run(2, 1, 3)
        );
        assert_eq!(longest_shared_run(&[1, 2], &[3, 4]), None);
        assert_eq!(longest_shared_run::<i32>(&[1, 2], &[]), None);
        // A suffix read only in part before a cancellation: its start is still shared.
        assert_eq!(
            longest_shared_run(&[8, 4, 5], &[3, 3, 4, 5, 6, 7]),
            run(1, 2, 2)
        );
    }

    #[test]
    fn changed_tokens_count_the_edit_between_the_shared_ends() {
        // One token typed, one replaced, a line of four inserted.
        assert_eq!(changed_tokens(&[1, 2, 3, 4], &[1, 2, 9, 3, 4]), 1);
        assert_eq!(changed_tokens(&[1, 2, 3, 4], &[1, 9, 3, 4]), 1);
        assert_eq!(changed_tokens(&[1, 2, 3], &[1, 5, 6, 7, 8, 2, 3]), 4);
        // Repeated tokens are not counted twice at the shared ends.
        assert_eq!(changed_tokens(&[1, 1, 1], &[1, 1]), 1);
        assert_eq!(changed_tokens::<i32>(&[], &[]), 0);
        assert_eq!(changed_tokens(&[1, 2], &[3, 4, 5]), 3);
    }

    #[test]
    fn drafts_come_from_the_latest_earlier_occurrence() {
        // ... 1 2 3 [7 8 9] ... 1 2 3 -> 7 8 9
        let tokens = [1, 2, 3, 7, 8, 9, 5, 1, 2, 3];
        assert_eq!(draft(&tokens, 6), [7, 8, 9, 5]);
        assert_eq!(draft(&tokens, 2), [7, 8]);
        // Only two tokens match: a 2-gram draft.
        assert_eq!(draft(&[4, 2, 3, 6, 0, 2, 3], 1), [6]);
        assert!(draft(&[1, 2, 3, 4], 6).is_empty());
        assert!(draft(&tokens, 0).is_empty());
    }

    #[test]
    fn greedy_picks_the_max_with_its_log_probability() {
        let (token, logprob) = greedy(&[0.0, 2.0, 0.0]);
        assert_eq!(token, LlamaToken(1));
        let p = 2f32.exp() / (2.0 + 2f32.exp());
        assert!((logprob - p.ln()).abs() < 1e-5);
    }

    #[test]
    fn confidence_is_the_geometric_mean() {
        assert_eq!(confidence(&[]), 1.0);
        let c = confidence(&[0.5f32.ln(), 0.125f32.ln()]);
        assert!((c - 0.25).abs() < 1e-6);
    }

    #[test]
    fn utf8_prefix_stops_before_a_split_character() {
        let bytes = "é".as_bytes();
        assert_eq!(valid_utf8_prefix(&bytes[..1]), "");
        assert_eq!(valid_utf8_prefix(bytes), "é");
    }
}
