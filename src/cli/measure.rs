//! `nib eval` (the quality of suggestions) and `nib bench` (their latency).

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;

use super::{parse_settings, runtime};

/// Options of `nib eval`.
#[derive(clap::Args)]
pub(crate) struct EvalArgs {
    /// The eval set: a folder with cases.jsonl and files/.
    #[arg(long, default_value = "benches/eval")]
    set: PathBuf,
    /// `none` (the base model), `auto` (chosen per document) or an adapter's name.
    #[arg(long, default_value = "auto")]
    adapter: String,
    /// Only cases of these frameworks, e.g. react,axum.
    #[arg(long)]
    framework: Option<String>,
    /// At most this many cases per framework.
    #[arg(long)]
    limit: Option<usize>,
    /// Print every case: what was expected and what came.
    #[arg(long)]
    verbose: bool,
    /// Leave the last word of each hole (and what follows it) on the line, so that the
    /// cursor has code after it, as when editing in the middle of a line; cases whose
    /// hole is one word are left out.
    #[arg(long)]
    keep_tail: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Also print the confidence curve: for each threshold, the share of suggestions the
    /// small model keeps and their exact match; with an `escalate_to` in the settings every
    /// case is also asked of the larger model (`escalate` = `always`), which gives the
    /// exact match of the escalated ones and of the hybrid at each threshold; then the
    /// same with the mid-line threshold in use and one of its own at a line's start
    /// (`--json` adds every pair of thresholds, `confidence_grid`).
    #[arg(long)]
    confidence: bool,
    /// Fit the model's confidence model to this run's answers (do it on benches/val) and
    /// print the `[confidence] weights` for its manifest, how well they separate right
    /// from wrong answers against the geometric mean, and the curve they give.
    #[arg(long)]
    fit_confidence: bool,
    /// Does specialization pay? Run the same cases with the general small model, each
    /// lever alone (framework signatures, the framework adapter), both (the specialized
    /// small model) and the larger general model (`--large`), and print one table per
    /// framework with the share of the gap to the larger model that specialization
    /// closes. Signatures need the frameworks installed where nib finds them (the
    /// `environments` setting).
    #[arg(long, conflicts_with_all = ["confidence", "fit_confidence", "adapter"])]
    compare: bool,
    /// The larger general model of `--compare`.
    #[arg(long, default_value = "qwen2.5-coder-1.5b-code", requires = "compare")]
    large: String,
    /// Settings for nib; the default gives generation 2 s so that quality does not
    /// depend on how busy the machine is (latency is still measured), and answers every
    /// case from the full window (`"cold_tokens": 0`; with the model's short window a case
    /// on a line the cache has not read is answered from it, as a new spot is).
    #[arg(long, default_value = r#"{"deadline_ms": 2000, "cold_tokens": 0}"#)]
    settings: String,
}

/// Options of `nib bench`.
#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Folder of source files to type in.
    #[arg(long, default_value = "benches/corpus")]
    corpus: PathBuf,
    /// Lines typed in each file.
    #[arg(long, default_value_t = 3)]
    lines: usize,
    /// Seed of the choice of lines and of the gaps between keystrokes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Skip the baseline run.
    #[arg(long)]
    no_baseline: bool,
    /// Also type for this many seconds with 50 files of 1,000 lines open: memory, and the
    /// first and last rounds' latency and CPU per keystroke.
    #[arg(long, value_name = "SECONDS")]
    soak: Option<u64>,
    /// Also decode the same suggestions without and with speculative drafts.
    #[arg(long)]
    speculative: bool,
    /// Also type the same lines through `nib http`'s /infill, as llama.vim asks.
    #[arg(long)]
    infill: bool,
    /// Also type the same lines against a llama-server on this machine (e.g.
    /// 127.0.0.1:8080; scripts/llama-server builds one), driven as llama.vim drives it:
    /// /infill with cache_prompt, the previous request dropped at each key.
    #[arg(long, value_name = "ADDR")]
    peer: Option<std::net::SocketAddr>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Settings for nib (not the baseline's reuse switch), e.g. '{"threads": 2}'.
    #[arg(long, default_value = "{}")]
    settings: String,
}

pub(crate) fn eval(args: EvalArgs) -> Result<()> {
    if args.compare {
        return compare(args);
    }
    let mut settings = parse_settings(&args.settings)?;
    settings["adapter"] = json!(args.adapter);
    if args.confidence && !settings["escalate_to"].is_null() {
        settings["escalate"] = json!("always");
    }
    let report = runtime()?.block_on(nib::eval::run(&eval_options(&args, settings.clone())))?;
    let fit = if args.fit_confidence {
        let fit = nib::eval::fit::fit(&report.outcomes).context(
            "no confidence model to fit: the small model's answers are all right or all wrong",
        )?;
        eprint!("{}", nib::eval::fit::report(&fit));
        Some(fit)
    } else {
        None
    };
    let scored = match &fit {
        Some(fit) => Cow::Owned(nib::eval::fit::rescored(&report.outcomes, fit)),
        None => Cow::Borrowed(report.outcomes.as_slice()),
    };
    let curves = (args.confidence || fit.is_some()).then(|| {
        // The line-start curve holds the mid-line threshold in use.
        let mid = mid_line_threshold(&settings)?;
        Ok::<_, anyhow::Error>((
            nib::eval::curve::curve(&scored),
            nib::eval::curve::line_start_curve(&scored, mid),
        ))
    });
    let curves = curves.transpose()?;
    if args.json {
        let mut json = report.json();
        if let Some((curve, line_start)) = &curves {
            json["confidence"] = nib::eval::curve::json(curve);
            json["confidence_line_start"] = nib::eval::curve::json(line_start);
            json["confidence_grid"] = nib::eval::curve::json(&nib::eval::curve::grid(&scored));
        }
        if let Some(fit) = &fit {
            json["fit"] = json!({
                "weights": fit.weights,
                "features": nib::engine::Signals::NAMES,
                "cases": fit.cases,
                "right": fit.right,
                "auc_mean": fit.auc_mean,
                "auc_fitted": fit.auc_fitted,
                "auc_held_out": fit.auc_held_out,
            });
        }
        println!("{json}");
    } else {
        print!("{}", report.table());
        if let Some((curve, line_start)) = &curves {
            print!("\nconfidence curve\n{}", nib::eval::curve::table(curve));
            print!(
                "\nwith a threshold of its own at a line's start\n{}",
                nib::eval::curve::table(line_start)
            );
        }
    }
    Ok(())
}

/// The threshold under which the small model's answers mid-line escalate with these
/// settings.
fn mid_line_threshold(settings: &serde_json::Value) -> Result<f32> {
    let model = nib::model::resolve(settings["model"].as_str())?;
    let confidence = model.manifest.map(|m| m.confidence).unwrap_or_default();
    let settings = nib::config::Settings::from_json(settings)?.settings;
    Ok(settings.escalate_below(&confidence, false))
}

/// What `nib eval` runs, with these settings.
fn eval_options(args: &EvalArgs, settings: serde_json::Value) -> nib::eval::Options {
    nib::eval::Options {
        set: args.set.clone(),
        settings,
        framework: args.framework.clone(),
        limit: args.limit,
        verbose: args.verbose,
        keep_tail: args.keep_tail,
        load_timeout: Duration::from_secs(120),
    }
}

/// `nib eval --compare`: every arm on the same cases, one after the other.
fn compare(args: EvalArgs) -> Result<()> {
    anyhow::ensure!(
        std::env::var_os("NIB_MODEL").is_none(),
        "NIB_MODEL would replace the larger model of --compare too: unset it and name the small model in --settings ('{{\"model\": ...}}')"
    );
    let settings = parse_settings(&args.settings)?;
    let small = nib::model::resolve(settings["model"].as_str())?;
    let small_name = small
        .manifest
        .as_ref()
        .map_or_else(|| small.path.display().to_string(), |m| m.name.clone());
    let adapters = small
        .manifest
        .as_ref()
        .is_some_and(nib::adapter::any_trained_on);
    let arms = nib::eval::compare::arms(&settings, &small_name, &args.large, adapters);
    let (run, skipped): (Vec<_>, Vec<_>) = arms.into_iter().partition(|a| a.same_as.is_none());
    let runtime = runtime()?;
    let mut runs = Vec::new();
    for (i, arm) in run.into_iter().enumerate() {
        eprintln!("nib: arm {} ({}): {}", i + 1, arm.name, arm.label);
        let report = runtime
            .block_on(nib::eval::run(&eval_options(&args, arm.settings.clone())))
            .with_context(|| format!("arm {}", arm.name))?;
        runs.push((arm, report));
    }
    if args.json {
        println!("{}", nib::eval::compare::json(&runs, &skipped));
    } else {
        print!("{}", nib::eval::compare::table(&runs, &skipped));
    }
    Ok(())
}

pub(crate) fn bench(args: BenchArgs) -> Result<()> {
    let options = nib::bench::Options {
        settings: parse_settings(&args.settings)?,
        corpus: args.corpus,
        lines_per_file: args.lines,
        seed: args.seed,
        baseline: !args.no_baseline,
        cold: true,
        soak: args.soak.map(Duration::from_secs),
        speculative: args.speculative,
        infill: args.infill,
        peer: args.peer,
        load_timeout: Duration::from_secs(120),
    };
    let report = runtime()?.block_on(nib::bench::run(&options))?;
    if args.json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
