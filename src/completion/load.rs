//! Starting a completer: the model the settings name, its adapters, and the engine that
//! loads it in the background. Shared by the language server and `nib http`.

use std::sync::{Arc, RwLock};

use tokio::sync::mpsc;

use super::Completer;
use crate::adapter;
use crate::adapter::Adapter;
use crate::config::Settings;
use crate::config::{Budgets, Caps, Extent};
use crate::engine::{AdapterFile, Engine, EngineConfig, LoadEvent, Threads};
use crate::model::{self, ModelManifest, ResolvedModel, gguf};

/// A completer whose model is loading, and what the user should hear about it.
pub struct Loaded {
    pub completer: Completer,
    /// The model's name (its manifest's, else its file's stem), as APIs list it.
    pub model_name: String,
    /// Problems to show: a missing model (then the completer's engine has failed), a bad adapter.
    pub problems: Vec<String>,
    /// How loading goes, until `Ready` or `Failed`; `None` when it did not start.
    pub events: Option<mpsc::UnboundedReceiver<LoadEvent>>,
    /// What is loading, for progress titles.
    pub title: String,
}

/// The engine's settings for a model, its adapters and the user's settings.
pub fn engine_config(
    model: &ResolvedModel,
    manifest: &ModelManifest,
    settings: &Settings,
    adapters: &[Adapter],
) -> EngineConfig {
    let per_slot =
        slot_need(&settings.request_budgets(&manifest.defaults, Extent::Block, Caps::default()));
    EngineConfig {
        model_path: model.path.clone(),
        context_length: manifest.context_length.max(per_slot),
        threads: settings
            .threads
            .map_or_else(crate::engine::default_threads, Threads::Fixed),
        add_bos: manifest.prompt.add_bos,
        adapters: adapters
            .iter()
            .map(|a| AdapterFile {
                name: a.manifest.name.clone(),
                path: a.path.clone(),
                scale: a.manifest.scale,
            })
            .collect(),
        slots: (manifest.context_length / per_slot).clamp(1, KV_SLOTS),
    }
}

/// Tokens a KV slot must hold for a request with `budgets`: the context, the prompt's
/// markers and the generation.
pub(super) fn slot_need(budgets: &Budgets) -> u32 {
    budgets.context_tokens + budgets.max_tokens + PROMPT_MARKERS
}

/// Tokens a prompt has beyond its context's budget: FIM markers, BOS, the path line.
const PROMPT_MARKERS: u32 = 64;

/// KV cache slots kept side by side: recently used documents (and adapters) each keep
/// their prompt, so switching between them does not re-read it.
const KV_SLOTS: u32 = 4;

/// How loud a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// What the user hears about a load event; each front says it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    /// Loading ended (ready or failed): a progress bar finishes with this text.
    pub ends: bool,
}

/// The notice for a load event; `None` for progress, which fronts show as a bar or not at all.
pub fn notice(event: &LoadEvent) -> Option<Notice> {
    let (level, text, ends) = match event {
        LoadEvent::Progress(_) => return None,
        LoadEvent::Ready { load_ms } => (Level::Info, format!("model ready in {load_ms} ms"), true),
        LoadEvent::Restarting(reason) => (
            Level::Warning,
            format!(
                "the engine stopped because {reason}; restarting it (suggestions resume once \
                 the model is loaded again)"
            ),
            false,
        ),
        LoadEvent::Failed(message) => (Level::Error, message.clone(), true),
    };
    Some(Notice { level, text, ends })
}

/// Resolves the model of `settings` and starts loading it. A trimmed model whose source is
/// cached (say, pulled by an older nib) is written on the spot rather than reported missing.
pub async fn load(settings: &Arc<RwLock<Settings>>) -> Loaded {
    let current = settings.read().unwrap().clone();
    let resolved = match model::resolve(current.model.as_deref()) {
        Ok(m) => tokio::task::spawn_blocking(move || {
            if model::derive_from_cache(&m)? {
                tracing::info!("wrote {} from the cached model", m.path.display());
            }
            model::check(&m)?;
            Ok(m)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
        Err(e) => Err(e),
    };
    let model = match resolved {
        Ok(model) => model,
        Err(e) => {
            let message = format!("nib: {e}");
            let manifest = model::default_manifest();
            return Loaded {
                completer: Completer::new(
                    Engine::failed(message.clone()),
                    &manifest,
                    Arc::clone(settings),
                ),
                model_name: current.model.unwrap_or(manifest.name),
                problems: vec![message],
                events: None,
                title: String::new(),
            };
        }
    };
    let mut problems = Vec::new();
    let manifest = model
        .manifest
        .clone()
        .unwrap_or_else(model::default_manifest);
    let choice = adapter::Choice::from_setting(&current.adapter);
    let adapters = if model.manifest.is_none() {
        // A bare .gguf file: no adapter is known to have been trained on its weights.
        Vec::new()
    } else {
        adapter::available(&manifest, &choice).unwrap_or_else(|e| {
            // The base model still works; the user hears what is wrong with the adapter.
            problems.push(format!("nib: adapter: {e}; using the base model"));
            Vec::new()
        })
    };
    let adapters = fitting(adapters, &model.path, &mut problems);
    let config = engine_config(&model, &manifest, &current, &adapters);
    let slot_tokens = config.slot_tokens();
    let names: Vec<&str> = adapters.iter().map(|a| a.manifest.name.as_str()).collect();
    tracing::info!(
        "adapters: {}",
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    );
    let (sender, events) = mpsc::unbounded_channel();
    let engine = Engine::start(config, move |event| {
        let _ = sender.send(event);
    });
    let model_name = match &model.manifest {
        Some(m) => m.name.clone(),
        None => model
            .path
            .file_stem()
            .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned()),
    };
    Loaded {
        completer: Completer::new(engine, &manifest, Arc::clone(settings))
            .with_adapters(adapters)
            .with_slot_tokens(slot_tokens),
        model_name,
        problems,
        events: Some(events),
        title: format!("nib: loading {}", model.path.display()),
    }
}

/// The adapters whose files are sound and whose tensors fit the model's (llama.cpp would
/// otherwise parse them, and refuse or abort); each other one is said and left out.
fn fitting(
    adapters: Vec<crate::adapter::Adapter>,
    model: &std::path::Path,
    problems: &mut Vec<String>,
) -> Vec<crate::adapter::Adapter> {
    if adapters.is_empty() {
        return adapters;
    }
    let Ok(base) = gguf::read_header(model) else {
        return adapters; // the model itself was checked; llama.cpp will say what it thinks
    };
    adapters
        .into_iter()
        .filter(|a| {
            let fits = gguf::validate(&a.path)
                .map_err(|e| e.to_string())
                .and_then(|header| gguf::check_adapter(&header, &base));
            match fits {
                Ok(()) => true,
                Err(why) => {
                    problems.push(format!(
                        "nib: adapter {} ({}) is not used: {why}",
                        a.manifest.name,
                        a.path.display()
                    ));
                    false
                }
            }
        })
        .collect()
}
