//! A larger model of the small one's family (`qwen2.5-coder-1.5b-code` beside the 0.5B),
//! loaded in this process the first time a request escalates, within a memory budget.

use std::sync::{Arc, Mutex};

use crate::config::{Budgets, Settings};
use crate::engine::{Engine, LoadEvent};
use crate::model::{self, PromptSpec};

/// A loaded (or loading) larger model and what its prompts need.
pub struct Tier {
    pub engine: Engine,
    pub prompt: PromptSpec,
    pub stop: Arc<[String]>,
    pub defaults: Budgets,
}

/// The larger local model of an `escalate_to` setting, loaded when first asked for.
#[derive(Default)]
pub struct LocalTier {
    /// The model name it was loaded for, and the tier or why there is none.
    state: Mutex<Option<(String, Started)>>,
}

/// A tier that was started, or why it could not be.
type Started = Result<Arc<Tier>, String>;

impl LocalTier {
    /// The tier for model `name`, loading it on first use (the engine loads in the
    /// background: until it is ready its requests answer `Loading`). `Err` says why it
    /// cannot be had; it is decided once per name.
    pub fn get(&self, name: &str, settings: &Settings) -> Result<Arc<Tier>, String> {
        let mut state = self.state.lock().unwrap();
        if let Some((loaded, tier)) = state.as_ref()
            && loaded == name
        {
            return tier.clone();
        }
        let tier = start(name, settings).map(Arc::new);
        match &tier {
            Ok(_) => tracing::info!("escalation: loading {name}"),
            Err(e) => tracing::warn!("escalation to {name} is off: {e}"),
        }
        *state = Some((name.to_string(), tier.clone()));
        tier
    }
}

/// Bytes a loaded model takes beyond its file: the KV cache and compute buffers, about a
/// quarter of the file for the models nib ships.
fn estimated_bytes(file_bytes: u64) -> u64 {
    file_bytes + file_bytes / 4
}

fn start(name: &str, settings: &Settings) -> Result<Tier, String> {
    let resolved = model::resolve_named(name).map_err(|e| e.to_string())?;
    model::check(&resolved).map_err(|e| match &resolved.manifest {
        Some(m) => format!("{e} (run `nib model pull {}`)", m.name),
        None => e.to_string(),
    })?;
    let file_bytes = std::fs::metadata(&resolved.path)
        .map_err(|e| format!("{}: {e}", resolved.path.display()))?
        .len();
    let need_mb = estimated_bytes(file_bytes) >> 20;
    if need_mb > settings.escalate_memory_mb {
        return Err(format!(
            "{name} needs about {need_mb} MB, more than `escalate_memory_mb` allows ({} MB)",
            settings.escalate_memory_mb
        ));
    }
    let manifest = resolved
        .manifest
        .clone()
        .unwrap_or_else(model::default_manifest);
    let config = crate::completion::engine_config(&resolved, &manifest, settings, &[]);
    let label = name.to_string();
    let engine = Engine::start(config, move |event| match event {
        LoadEvent::Ready { load_ms } => {
            tracing::info!("escalation: {label} ready in {load_ms} ms")
        }
        LoadEvent::Failed(e) => tracing::warn!("escalation: {label} failed to load: {e}"),
        _ => {}
    });
    Ok(Tier {
        engine,
        prompt: manifest.prompt.clone(),
        stop: manifest.stop.clone().into(),
        defaults: manifest.defaults,
    })
}
