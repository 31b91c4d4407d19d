//! `nib doctor`: checks what a user needs and says how to fix what is wrong.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::adapter;
use crate::engine::{Engine, EngineStatus, Threads, cores, default_threads};
use crate::language::LanguageRegistry;
use crate::model;

/// One finding: fine, or a problem with its fix.
enum Finding {
    Ok(String),
    Warn(String),
    Problem(String),
}

/// Runs every check, prints one line each; exits non-zero when something must be fixed.
pub fn run() -> ExitCode {
    let mut findings = Vec::new();
    findings.extend(check_model());
    findings.extend(check_adapters());
    findings.push(check_grammars());
    findings.extend(check_environment());
    findings.extend(check_machine());
    let mut problems = 0;
    for finding in &findings {
        match finding {
            Finding::Ok(line) => println!("ok       {line}"),
            Finding::Warn(line) => println!("warning  {line}"),
            Finding::Problem(line) => {
                problems += 1;
                println!("PROBLEM  {line}");
            }
        }
    }
    if problems == 0 {
        println!("nib is ready");
        ExitCode::SUCCESS
    } else {
        println!("{problems} problem(s) to fix");
        ExitCode::FAILURE
    }
}

fn check_model() -> Vec<Finding> {
    let mut findings: Vec<Finding> = model::unused_cache_files()
        .into_iter()
        .map(|(path, size)| {
            Finding::Warn(format!(
                "{} ({:.0} MB) is a model file no model uses (an older nib's default?): delete it to free the space",
                path.display(),
                size as f64 / 1e6
            ))
        })
        .collect();
    findings.extend(check_loaded_model());
    findings
}

fn check_loaded_model() -> Vec<Finding> {
    let resolved = match model::resolve(None) {
        Ok(resolved) => resolved,
        Err(e) => return vec![Finding::Problem(format!("model: {e}"))],
    };
    if let Err(e) = model::check(&resolved) {
        return vec![Finding::Problem(format!("model: {e}"))];
    }
    let manifest = resolved
        .manifest
        .clone()
        .unwrap_or_else(model::default_manifest);
    let started = Instant::now();
    let settings = crate::config::Settings::default();
    let engine = Engine::start(
        crate::completion::engine_config(&resolved, &manifest, &settings, &[]),
        |_| {},
    );
    let status = loop {
        match engine.status() {
            EngineStatus::Loading if started.elapsed() < Duration::from_secs(120) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            status => break status,
        }
    };
    let path = resolved.path.display();
    let trimmed = match &manifest.source {
        model::Source::Trim(model::Trimmed {
            model: from,
            keep,
            widen_to_q8_0,
        }) => model::vocabulary(keep)
            .map(|kept| {
                let widened = if *widen_to_q8_0 {
                    ", Q5_0/Q6_K matrices as Q8_0"
                } else {
                    ""
                };
                format!(
                    " ({}: {from} with {} of its tokens kept{widened})",
                    manifest.name,
                    kept.len()
                )
            })
            .unwrap_or_default(),
        model::Source::PypiChunks { .. } => String::new(),
    };
    vec![match status {
        EngineStatus::Ready => {
            let loaded = Finding::Ok(format!(
                "model {path}{trimmed} loads in {} ms",
                started.elapsed().as_millis()
            ));
            return vec![loaded, check_speed(&engine, &manifest)];
        }
        EngineStatus::Failed(message) => Finding::Problem(format!("model: {message}")),
        EngineStatus::Loading => Finding::Problem(format!(
            "model {path} did not load within 120 s: is the disk or machine very busy?"
        )),
    }]
}

/// Tokens in a typical suggested line: what a pause waits for after the prompt is read.
const LINE_TOKENS: f64 = 10.0;

/// How fast the loaded model decodes here, and the smaller model to choose when a line
/// would not be ready within the model's own generation budget.
fn check_speed(engine: &Engine, manifest: &model::ModelManifest) -> Finding {
    let measured = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|runtime| {
            runtime
                .block_on(engine.measure_step(8))
                .map_err(|e| e.to_string())
        });
    let step = match measured {
        Ok(cost) => cost.with_head_ms,
        Err(e) => return Finding::Warn(format!("could not measure the decode step: {e}")),
    };
    let line_ms = step * LINE_TOKENS;
    let speed = format!(
        "{} decodes a token in {step:.1} ms here: a {LINE_TOKENS}-token line in {line_ms:.0} ms",
        manifest.name
    );
    match smaller_for(manifest, step) {
        Some(smaller) => Finding::Warn(format!(
            "{speed}, past its {} ms budget, so lines get cut: this machine would do better with {{\"model\": \"{}\"}} (run `nib model pull {}` first)",
            manifest.defaults.deadline_ms, smaller.name, smaller.name
        )),
        None => Finding::Ok(speed),
    }
}

/// The smallest built-in model made for code (a trimmed one) to choose instead of
/// `manifest` when a line takes longer than its generation budget at `step_ms` a token.
fn smaller_for(manifest: &model::ModelManifest, step_ms: f64) -> Option<model::ModelManifest> {
    if step_ms * LINE_TOKENS <= manifest.defaults.deadline_ms as f64 {
        return None;
    }
    model::builtin_manifests()
        .into_iter()
        .filter(|m| matches!(m.source, model::Source::Trim(_)) && m.size < manifest.size)
        .min_by_key(|m| m.size)
}

/// The adapters for the model, the frameworks of the current folder's workspace, and
/// which adapter each language gets there.
fn check_adapters() -> Vec<Finding> {
    let manifest = model::resolve(None)
        .ok()
        .and_then(|m| m.manifest)
        .unwrap_or_else(model::default_manifest);
    let settings = crate::config::Settings::default();
    let choice = adapter::Choice::from_setting(&settings.adapter);
    let adapters = match adapter::available(&manifest, &choice) {
        Ok(adapters) => adapters,
        Err(e) => return vec![Finding::Problem(format!("adapter: {e}"))],
    };
    let mut findings = Vec::new();
    if adapters.is_empty() {
        // Nothing to fix: adapters are trained for one base model (see README, Specialization).
        findings.push(Finding::Ok(format!(
            "no adapters for {}: suggestions come from the model alone",
            manifest.name
        )));
    }
    for a in &adapters {
        let serves = |items: &[String], all: &str| {
            if items.is_empty() {
                all.to_string()
            } else {
                items.join(", ")
            }
        };
        findings.push(Finding::Ok(format!(
            "adapter {}: {} (languages: {}; frameworks: {})",
            a.manifest.name,
            a.path.display(),
            serves(&a.manifest.languages, "all"),
            serves(&a.manifest.frameworks, "general")
        )));
    }
    let here = std::env::current_dir().unwrap_or_default();
    let uri = format!("file://{}", here.join("_").display());
    let detector = crate::framework::Detector::default();
    let per_language: Vec<String> = LanguageRegistry::builtin()
        .all()
        .iter()
        .map(|l| {
            let frameworks = detector.detect(&uri, "", None, Some(l));
            let chosen = adapter::choose(&adapters, &choice, Some(&l.id), &frameworks, true);
            let names: Vec<&str> = frameworks.iter().map(String::as_str).collect();
            format!(
                "{} ({}) → {}",
                l.id,
                if names.is_empty() {
                    "no framework".into()
                } else {
                    names.join(", ")
                },
                chosen.map_or("base model", |a| a.manifest.name.as_str())
            )
        })
        .collect();
    findings.push(Finding::Ok(format!(
        "frameworks in this workspace's manifests and adapter `{}`, by language: {} (a file's own imports come first)",
        std::env::var("NIB_ADAPTER").unwrap_or(settings.adapter),
        per_language.join(", ")
    )));
    findings
}

fn check_grammars() -> Finding {
    let ids: Vec<&str> = LanguageRegistry::builtin()
        .all()
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    Finding::Ok(format!(
        "grammars and queries for {} (other files get plain-text completion)",
        ids.join(", ")
    ))
}

fn check_environment() -> Vec<Finding> {
    let mut findings = vec![Finding::Ok(format!(
        "cache {} (set NIB_HOME to move it)",
        model::cache_dir().display()
    ))];
    for var in ["NIB_MODEL", "NIB_ADAPTER", "NIB_LOG", "NIB_PYPI_URL"] {
        if let Ok(value) = std::env::var(var) {
            findings.push(Finding::Ok(format!("{var}={value}")));
        }
    }
    findings
}

fn check_machine() -> Vec<Finding> {
    let cores = cores() as usize;
    // The fewest threads the engine computes with when the user sets none.
    let (threads, uses) = match default_threads() {
        Threads::Adaptive(most) => (
            1,
            format!("up to {most} thread(s), 1 while other programs keep the cores busy"),
        ),
        Threads::Fixed(n) => (n as usize, format!("{n} thread(s)")),
    };
    let mut findings = vec![Finding::Ok(format!(
        "{cores} cores; llama.cpp uses {uses} (setting `threads` fixes the number)"
    ))];
    if let Some(load) = load_average()
        && load + threads as f64 > cores as f64 + 0.5
    {
        findings.push(Finding::Warn(format!(
            "load average {load:.1} on {cores} cores: with {threads} more busy thread(s) the machine is oversubscribed and suggestions will stall; set `threads` lower or close busy programs"
        )));
    }
    #[cfg(target_arch = "x86_64")]
    findings.extend(check_instructions());
    findings
}

/// Whether llama.cpp was built for the instructions this CPU has. It is built with the
/// Rust code's target features (the repository's .cargo/config.toml asks for this
/// CPU's): a build for a generic x86-64 reads prompts about 1.7x slower on a CPU with
/// AVX-512 and AMX.
#[cfg(target_arch = "x86_64")]
fn check_instructions() -> Vec<Finding> {
    use std::arch::is_x86_feature_detected as cpu_has;
    if !cpu_has!("avx2") {
        return vec![Finding::Warn(
            "this CPU has no AVX2: decoding will be several times slower".into(),
        )];
    }
    // Sets ggml does not use unless asked: (name, built for it, this CPU has it).
    macro_rules! set {
        ($name:literal, $feature:tt) => {
            ($name, cfg!(target_feature = $feature), cpu_has!($feature))
        };
    }
    let sets = [
        set!("AVX-512", "avx512f"),
        set!("AVX-512 VNNI", "avx512vnni"),
        set!("AVX-VNNI", "avxvnni"),
    ];
    let missed: Vec<&str> = sets
        .iter()
        .filter(|(_, built, has)| *has && !built)
        .map(|(name, ..)| *name)
        .collect();
    if missed.is_empty() {
        return vec![Finding::Ok(
            "llama.cpp is built for this CPU's vector instructions".into(),
        )];
    }
    vec![Finding::Warn(format!(
        "this CPU has {} but nib was built without them, so prompts are read more slowly: rebuild it in the repository (`cargo install --path .`; its .cargo/config.toml builds for this CPU) with RUSTFLAGS unset",
        missed.join(", ")
    ))]
}

/// The 1-minute load average, where the system tells it.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_decode_step_points_to_the_smaller_code_model() {
        let qwen = model::find_manifest("qwen2.5-coder-0.5b-code").unwrap();
        let budget = qwen.defaults.deadline_ms as f64;
        assert!(smaller_for(&qwen, budget / LINE_TOKENS / 2.0).is_none());
        let smaller = smaller_for(&qwen, budget / LINE_TOKENS * 2.0).unwrap();
        assert_eq!(smaller.name, "gemma-3-270m-code");
        // The smallest model has nothing smaller to offer, however slow.
        assert!(smaller_for(&smaller, 1e6).is_none());
    }
}
