//! The completer's budgets against the KV slots it was loaded with.

use std::sync::{Arc, RwLock};

use super::*;

fn completer(settings: Settings, slot_tokens: u32) -> Completer {
    let manifest = crate::model::default_manifest();
    Completer::new(
        Engine::failed("no model in unit tests".into()),
        &manifest,
        Arc::new(RwLock::new(settings)),
    )
    .with_slot_tokens(slot_tokens)
}

#[test]
fn context_raised_past_the_loaded_slots_is_lowered_and_said() {
    let fits = Settings::default();
    let completer = completer(fits.clone(), 1365);
    assert!(completer.settings_problems(&fits).is_empty());
    let wanted = completer
        .budgets(&fits, Extent::Line, Caps::default())
        .context_tokens;
    assert_eq!(wanted, completer.defaults.context_tokens);

    let raised = Settings {
        context_tokens: Some(4096),
        ..Settings::default()
    };
    let problems = completer.settings_problems(&raised);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("4096") && problems[0].contains("restart"));
    let block = completer.budgets(&raised, Extent::Block, Caps::default());
    // The block's prompt, markers and generation fit one slot.
    assert!(slot_need(&block) <= 1365, "{block:?}");
    assert!(block.context_tokens > wanted, "as much as fits");
}

#[test]
fn a_short_window_answer_is_shown_only_as_confident_as_the_model_says() {
    let completer = completer(Settings::default(), 1365);
    let floor = crate::model::default_manifest().confidence.cold_min;
    assert!(floor > 0.0, "the default model has a fitted floor");
    let generation = |cold| crate::engine::Generation {
        text: "x".into(),
        confidence: 0.5,
        signals: Default::default(),
        finish: crate::engine::Finish::Stop,
        stats: crate::engine::GenerationStats {
            cold,
            ..Default::default()
        },
    };
    let settings = Settings::default();
    assert_eq!(
        completer.least_confidence(&settings, &generation(false)),
        0.0
    );
    assert_eq!(
        completer.least_confidence(&settings, &generation(true)),
        floor
    );
    let strict = Settings {
        min_confidence: 0.9,
        ..Settings::default()
    };
    assert_eq!(completer.least_confidence(&strict, &generation(true)), 0.9);
}

#[test]
fn framework_signatures_reach_the_prompt_when_switched_on_or_asked_for() {
    let root = tempfile::tempdir().unwrap();
    let workspace = root.path().join("app");
    let fastapi = workspace.join(".venv/lib/python3.12/site-packages/fastapi");
    std::fs::create_dir_all(workspace.join(".git")).unwrap();
    std::fs::create_dir_all(&fastapi).unwrap();
    std::fs::write(
        fastapi.join("__init__.py"),
        "def include_router(router, prefix: str = '') -> None:\n    pass\n",
    )
    .unwrap();
    let text = "from fastapi import FastAPI\napp = FastAPI()\napp.include_router(\n";
    let path = workspace.join("main.py");
    std::fs::write(&path, text).unwrap();
    let uri = crate::document::uri::from_path(&path);
    let language = crate::language::LanguageRegistry::builtin().detect(None, "main.py");
    let document = crate::document::Document::open(text, 1, language).snapshot();
    let frameworks = std::collections::BTreeSet::from(["fastapi".to_string()]);
    let on = Settings {
        signatures: Some(true),
        ..Settings::default()
    };
    let completer =
        completer(on.clone(), 1365).with_signatures(Signatures::new(root.path().join("cache")));

    let signed = |settings: &Settings, adapter| {
        completer.framework_signatures(&uri, &document, settings, &frameworks, adapter, true)
    };
    let found = signed(&on, None);
    assert!(
        found
            .iter()
            .any(|(_, d)| d.name == "include_router" && d.text.starts_with("def include_router(")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, d)| d.text.contains("pass")),
        "bodies are left out"
    );
    // By default only an adapter whose manifest asks for them gets them; the setting
    // overrides it.
    let unset = Settings::default();
    let plain = crate::adapter::for_tests("fastapi", &["python"], &["fastapi"]);
    let mut asking = plain.clone();
    asking.manifest.signatures = true;
    assert!(signed(&unset, None).is_empty());
    assert!(signed(&unset, Some(&plain)).is_empty());
    assert_eq!(signed(&unset, Some(&asking)), found);
    let off = Settings {
        signatures: Some(false),
        ..Settings::default()
    };
    assert!(signed(&off, Some(&asking)).is_empty());
}
