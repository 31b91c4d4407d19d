//! Loading: llama.cpp's backend, the model, its LoRA adapters and the context.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaLoraAdapter, LlamaModel};

use super::worker::{Session, ms};
use super::{EngineConfig, EngineError, LoadEvent, OnLoad};

/// Most tokens llama.cpp decodes in one batch.
const BATCH: usize = 512;

/// llama.cpp's backend, initialised once per process (a second `init` fails).
pub(super) fn backend() -> Result<&'static LlamaBackend, String> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| LlamaBackend::init().map_err(|e| format!("llama.cpp did not start: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

pub(super) fn load(
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
pub(super) fn load_adapters(
    model: &mut LlamaModel,
    config: &EngineConfig,
) -> HashMap<String, Lora> {
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

/// Makes llama.cpp stop a decode between two steps of its graph when `*reading` points to
/// a set flag (see [`super::Shared::reading`]): a read no request waits for then gives way
/// at once instead of at the end of its chunk. llama.cpp removes the stopped batch's
/// entries, so the cache stays as it was before the batch.
fn stop_reads_on_request(
    mut params: LlamaContextParams,
    reading: &AtomicPtr<AtomicBool>,
) -> LlamaContextParams {
    use llama_cpp_sys_2::llama_context_params;
    // llama-cpp-2 keeps the parameters as its struct's only field, unexposed: with equal
    // size and alignment that field lies at offset 0, so the struct can be written through
    // a pointer to it.
    const _: () = assert!(
        size_of::<LlamaContextParams>() == size_of::<llama_context_params>()
            && align_of::<LlamaContextParams>() == align_of::<llama_context_params>()
    );
    // SAFETY: see above; `reading` lives in the engine's shared state, which outlives the
    // context (the engine thread holds it while the context exists).
    let raw = unsafe { &mut *(&raw mut params).cast::<llama_context_params>() };
    raw.abort_callback = Some(stop_when_flag_set);
    raw.abort_callback_data = std::ptr::from_ref(reading).cast_mut().cast();
    params
}

/// llama.cpp's abort callback: whether the flag `data` (an `AtomicPtr<AtomicBool>`) points
/// to, if any, is set.
unsafe extern "C" fn stop_when_flag_set(data: *mut std::ffi::c_void) -> bool {
    // SAFETY: `data` is the `reading` pointer given in `stop_reads_on_request`; the flag it
    // points to is held by the job being decoded (see `Session::feed`).
    unsafe {
        let flag = (*data.cast::<AtomicPtr<AtomicBool>>()).load(Ordering::Acquire);
        !flag.is_null() && (*flag).load(Ordering::Relaxed)
    }
}

pub(super) fn new_context<'m>(
    backend: &LlamaBackend,
    model: &'m LlamaModel,
    config: &EngineConfig,
    reading: &AtomicPtr<AtomicBool>,
) -> Result<LlamaContext<'m>, String> {
    let threads = config.threads.most() as i32;
    let slots = config.slots.max(1);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.cache_tokens()))
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
        .new_context(backend, stop_reads_on_request(params, reading))
        .map_err(|e| format!("llama.cpp could not create a context: {e}"))
}

/// Whether the model's KV entries can be moved to other positions (RoPE shifted): not
/// with multi-section RoPE, whose GGUF has `<arch>.rope.dimension_sections`.
pub(super) fn can_shift(model: &LlamaModel) -> bool {
    let Ok(arch) = model.meta_val_str("general.architecture") else {
        return false;
    };
    model
        .meta_val_str(&format!("{arch}.rope.dimension_sections"))
        .is_err()
}

/// A loaded LoRA adapter.
pub(super) struct Lora {
    pub(super) handle: LlamaLoraAdapter,
    pub(super) scale: f32,
}

impl Session<'_> {
    /// Replaces the context with a new one: the baseline's fresh start for every request.
    pub(super) fn fresh_context(&mut self) -> Result<(), EngineError> {
        self.context = new_context(self.backend, self.model, self.config, &self.shared.reading)
            .map_err(EngineError::Llama)?;
        self.active = None;
        self.reset();
        Ok(())
    }
}
