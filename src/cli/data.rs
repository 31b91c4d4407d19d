//! `nib dataset` (training examples) and `nib vocab` (the tokens a trimmed model keeps);
//! both hidden from `nib --help`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde_json::json;

use nib::completion::Completer;
use nib::lsp::harness::LspClient;
use nib::model;

use super::{loaded_completer, parse_settings, runtime};

/// Options of `nib dataset`.
#[derive(clap::Args)]
pub(crate) struct DatasetArgs {
    /// Package folders; each source file in them becomes examples.
    #[arg(required = true)]
    packages: Vec<PathBuf>,
    /// A TOML file whose [prompt] table is the layout (an adapter manifest, or
    /// models/train/template.toml).
    #[arg(long)]
    template: PathBuf,
    /// Write JSON lines here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the choice of holes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Holes per file.
    #[arg(long, default_value_t = 4)]
    per_file: usize,
    /// Share of holes that are block bodies, 0..1.
    #[arg(long, default_value_t = 0.25)]
    block_share: f64,
    /// Share of holes with the rest of the file cut off (writing at its end), 0..1.
    #[arg(long, default_value_t = 0.0)]
    end_share: f64,
    /// Share of line holes cut at the line's start (after its indentation), as after
    /// Enter; the others at any character, 0..1.
    #[arg(long, default_value_t = 0.0)]
    line_start_share: f64,
    /// Settings as the editor would send them (context_tokens shapes the prompts).
    #[arg(long, default_value = "{}")]
    settings: String,
}

/// Options of `nib vocab`.
#[derive(clap::Args)]
pub(crate) struct VocabArgs {
    /// Package folders of the corpus: their source files are tokenized and counted.
    #[arg(required_unless_present = "apply")]
    packages: Vec<PathBuf>,
    /// The model whose tokens are chosen (a manifest name).
    #[arg(long, default_value = "gemma-3-270m")]
    model: String,
    /// Keep a token seen at least this many times in the corpus.
    #[arg(long, default_value_t = 1)]
    min_count: u64,
    /// Write the list here (models/vocab/<name>.txt); stdout when left out.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Instead of choosing, report how much of the corpus's text this list's tokens cover.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["out", "min_count"])]
    coverage: Option<PathBuf>,
    /// Instead of choosing, write the model trimmed to this list as the GGUF file --out.
    #[arg(long, value_name = "LIST", requires = "out", conflicts_with_all = ["coverage", "packages"])]
    apply: Option<PathBuf>,
    /// With --apply: store the Q5_0 and Q6_K matrices as Q8_0 (as the default model does).
    #[arg(long, requires = "apply")]
    widen_to_q8_0: bool,
}

pub(crate) fn dataset(args: &DatasetArgs) -> Result<()> {
    use std::io::Write;
    let text = std::fs::read_to_string(&args.template)
        .with_context(|| format!("cannot read {}", args.template.display()))?;
    let spec = nib::model::prompt_spec_of(&text)
        .with_context(|| format!("{} has no valid [prompt] table", args.template.display()))?;
    let settings = parse_settings(&args.settings)?;
    let options = nib::dataset::Options {
        packages: args.packages.clone(),
        seed: args.seed,
        per_file: args.per_file,
        block_share: args.block_share,
        end_share: args.end_share,
        line_start_share: args.line_start_share,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    runtime()?.block_on(async {
        let client = LspClient::in_process();
        client.initialize(json!({}), settings.clone()).await?;
        let completer = loaded_completer(&client).await?;
        // The server's own completer, laid out by the template.
        let manifest = nib::model::ModelManifest {
            prompt: spec,
            ..model::default_manifest()
        };
        let loaded = nib::config::Settings::from_json(&settings)?;
        let completer = Completer::new(
            completer.engine().clone(),
            &manifest,
            std::sync::Arc::new(std::sync::RwLock::new(loaded.settings)),
        );
        let made = nib::dataset::run(&options, &completer, |example| {
            serde_json::to_writer(&mut out, example)?;
            out.write_all(b"\n")
        })
        .await?;
        out.flush()?;
        eprintln!("{made} examples");
        client.shutdown().await;
        Ok(())
    })
}

pub(crate) fn vocab(args: &VocabArgs) -> Result<()> {
    use nib::model::gguf::GgufError;
    let manifest = model::find_manifest(&args.model)
        .with_context(|| format!("no model named {}: see `nib model list`", args.model))?;
    let path = model::model_path(&manifest);
    let unreadable = || {
        format!(
            "cannot read {} (run nib model pull {})",
            path.display(),
            manifest.name
        )
    };
    let read_list = |list: &PathBuf| -> Result<Vec<u32>> {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read {}", list.display()))?;
        nib::model::vocab::parse_list(&text).map_err(|e| anyhow::anyhow!("{}: {e}", list.display()))
    };
    if let (Some(list), Some(out)) = (&args.apply, &args.out) {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(out)
                .with_context(|| format!("cannot write {}", out.display()))?,
        );
        let how = nib::model::gguf::Trim {
            keep: &read_list(list)?,
            source_sha256: &manifest.sha256,
            widen_to_q8_0: args.widen_to_q8_0,
        };
        let n = nib::model::gguf::trim_vocabulary(&path, &mut file, how).map_err(|e| match e {
            GgufError::Write(e) => anyhow::anyhow!("cannot write {}: {e}", out.display()),
            e => anyhow::Error::new(e).context(unreadable()),
        })?;
        std::io::Write::flush(&mut file)?;
        eprintln!("wrote {} with {n} tokens", out.display());
        return Ok(());
    }
    let header = nib::model::gguf::read_header(&path).with_context(unreadable)?;
    let (tokens, types) = (header.tokens()?, header.token_types()?);
    let registry = nib::language::LanguageRegistry::builtin();
    let mut counts = vec![0u64; tokens.len()];
    let (mut files, mut bytes) = (0, 0);
    runtime()?.block_on(async {
        let client = LspClient::in_process();
        let settings = json!({ "model": manifest.name, "adapter": "none" });
        client.initialize(json!({}), settings).await?;
        let completer = loaded_completer(&client).await?;
        for package in &args.packages {
            for (_, text) in nib::dataset::source_files(package, registry)? {
                let ids = completer
                    .engine()
                    .token_ids(&text)
                    .context("the model is not loaded")?;
                for id in ids {
                    counts[id as usize] += 1;
                }
                files += 1;
                bytes += text.len();
            }
        }
        client.shutdown().await;
        anyhow::Ok(())
    })?;
    let seen = counts.iter().filter(|&&c| c > 0).count();
    if let Some(list) = &args.coverage {
        let keep = read_list(list)?;
        let total: u64 = counts.iter().sum();
        let kept: u64 = keep.iter().filter_map(|&id| counts.get(id as usize)).sum();
        let kept_seen = keep
            .iter()
            .filter(|&&id| counts.get(id as usize).is_some_and(|&c| c > 0))
            .count();
        println!(
            "{:.3}% of {total} tokens ({kept_seen} of {seen} distinct) in {files} files ({bytes} bytes) are kept by {}",
            100.0 * kept as f64 / total.max(1) as f64,
            list.display()
        );
        return Ok(());
    }
    let keep = nib::model::vocab::select(&tokens, &types, &counts, args.min_count);
    let comment = format!(
        "Tokens of {} (ids) kept by the trimmed model: {} of {}.\n\
         Made by `nib vocab --min-count {}` from the tokens of {files} source files ({bytes} bytes,\n\
         {seen} distinct tokens), with the special, byte and single-character tokens and every\n\
         token that is a substring of a kept one (so that tokenizing stays exact).",
        manifest.name,
        keep.len(),
        tokens.len(),
        args.min_count,
    );
    let list = nib::model::vocab::write_list(&keep, &comment);
    match &args.out {
        Some(out) => {
            std::fs::write(out, list).with_context(|| format!("cannot write {}", out.display()))?
        }
        None => print!("{list}"),
    }
    eprintln!(
        "kept {} of {} tokens ({seen} seen in {files} files)",
        keep.len(),
        tokens.len()
    );
    Ok(())
}
