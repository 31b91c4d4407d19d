//! `nib bench`: end-to-end latency over a typing simulation, against a baseline that
//! does what other tools do (a fresh context and a full prefill for every request), in
//! one run on the same model, prompts and machine.

pub(crate) mod corpus;
pub(crate) mod report;
mod speculative;
pub(crate) mod typing;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

pub use report::{
    ModeFigures, NewSpotFigures, Report, SoakFigures, SpeculativeFigures, SwitchFigures,
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub corpus: PathBuf,
    /// nib's settings for both runs (the baseline adds `"reuse": false`).
    pub settings: serde_json::Value,
    /// Lines typed in each corpus file.
    pub lines_per_file: usize,
    pub seed: u64,
    /// Also run the baseline.
    pub baseline: bool,
    /// Also measure the first request on a newly opened large file, and the first
    /// suggestion at new spots with and without a dwell.
    pub cold: bool,
    /// Type for this long with 50 large files open, sampling memory.
    pub soak: Option<Duration>,
    /// Also compare decoding with and without speculative drafts.
    pub speculative: bool,
    /// Also type the same lines through `nib http`'s `/infill`, as llama.vim asks.
    pub infill: bool,
    /// Also type the same lines against the llama-server listening here, driven as
    /// llama.vim drives it (`/infill` with `cache_prompt`): the strongest local peer.
    pub peer: Option<std::net::SocketAddr>,
    /// Longest wait for the model to load.
    pub load_timeout: Duration,
}

/// Files open during a soak, and the lines each has at least.
const SOAK_FILES: usize = 50;
const SOAK_FILE_LINES: usize = 1000;
/// How long the cursor rests at a new spot before typing, in the dwell runs.
const DWELL: Duration = Duration::from_secs(2);
/// Decode steps timed with and without the output head.
const STEPS_MEASURED: u32 = 20;
/// Corpus file of the cold measurement, and the line it completes.
const COLD_FILE: &str = "express_response.js";
const COLD_LINE: usize = 700;

/// Runs the benchmark; progress goes to stderr.
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let corpus = corpus::load(&options.corpus)?;
    anyhow::ensure!(
        !corpus.is_empty(),
        "no .py, .js, .ts, .rs or .go files in {}",
        options.corpus.display()
    );
    let timeout = options.load_timeout;
    if let Some(addr) = options.peer {
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "--peer {addr}: the peer must listen on this machine (127.0.0.1 or ::1)"
        );
    }

    eprintln!(
        "nib: typing {} lines of {} files",
        options.lines_per_file * corpus.len(),
        corpus.len()
    );
    let (client, completer) = typing::start(options.settings.clone(), timeout).await?;
    let nib = type_all(
        typing::Via::Lsp(&client),
        Some(&completer),
        &corpus,
        options,
    )
    .await?;

    let cold_ms = match corpus.iter().find(|f| f.name == COLD_FILE) {
        Some(file) if options.cold => Some(typing::cold_request(&client, file, COLD_LINE).await?),
        _ => None,
    };
    let step = Some(completer.engine().measure_step(STEPS_MEASURED).await?);
    let switch = match corpus.iter().find(|f| f.name == COLD_FILE) {
        Some(file) if options.cold => {
            adapter_switch(&client, &completer, file, &options.settings).await?
        }
        _ => None,
    };
    let speculative = if options.speculative {
        Some(speculative::compare(&client, &completer, &corpus, options).await?)
    } else {
        None
    };
    let soak = match options.soak {
        Some(duration) => Some(soak(&client, &completer, &corpus, duration, options.seed).await?),
        None => None,
    };
    client.shutdown().await;
    drop(completer);

    let new_spot = if options.cold {
        Some(new_spots(&corpus, options).await?)
    } else {
        None
    };

    let infill = if options.infill {
        eprintln!("nib: the same typing through nib http's /infill, as llama.vim asks");
        Some(via_infill(&corpus, options).await?)
    } else {
        None
    };

    let peer = match options.peer {
        Some(addr) => {
            eprintln!(
                "nib: the same typing against llama-server at {addr}, as llama.vim drives it"
            );
            let mut figures = type_all(typing::Via::Infill(addr), None, &corpus, options).await?;
            // Its CPU is spent in another process, which this one cannot see.
            figures.cpu_ms_per_keystroke = f64::NAN;
            Some(figures)
        }
        None => None,
    };

    let baseline = if options.baseline {
        eprintln!("nib: the same typing with the baseline (no reuse)");
        let mut settings = options.settings.clone();
        settings["reuse"] = json!(false);
        let (client, completer) = typing::start(settings, timeout).await?;
        let baseline = type_all(
            typing::Via::Lsp(&client),
            Some(&completer),
            &corpus,
            options,
        )
        .await?;
        client.shutdown().await;
        Some(baseline)
    } else {
        None
    };
    Ok(Report {
        machine: machine(),
        nib,
        baseline,
        infill,
        peer,
        cold_ms,
        new_spot,
        soak,
        step,
        speculative,
        switch,
    })
}

/// Switches from the base model back to the general adapter on one document: the
/// adapter's KV slot still holds the prompt, so the request reads almost nothing.
async fn adapter_switch(
    client: &crate::lsp::harness::LspClient,
    completer: &crate::completion::Completer,
    file: &corpus::CorpusFile,
    settings: &serde_json::Value,
) -> anyhow::Result<Option<SwitchFigures>> {
    let Some(adapter) = completer
        .adapters()
        .iter()
        .find(|a| a.manifest.frameworks.is_empty())
        .map(|a| a.manifest.name.clone())
    else {
        return Ok(None);
    };
    let uri = format!("file:///bench/switch/{}", file.name);
    client.open(&uri, file.language_id, &file.text).await;
    let line = COLD_LINE as u32;
    let column = file.text.split('\n').nth(COLD_LINE).map_or(0, str::len) as u32;
    let mut figures = None;
    for name in [adapter.as_str(), "none", adapter.as_str()] {
        let mut settings = settings.clone();
        settings["adapter"] = json!(name);
        client.configure(settings.clone()).await;
        let started = Instant::now();
        client.inline_completion(&uri, line, column).await?;
        let request_ms = started.elapsed().as_secs_f64() * 1000.0;
        figures = completer.last_timings().map(|t| SwitchFigures {
            adapter: adapter.clone(),
            switch_ms: t.engine.adapter_switch_ms,
            request_ms,
            prefill_tokens: t.engine.prefill_tokens,
            prompt_tokens: t.engine.prompt_tokens,
        });
    }
    client.configure(settings.clone()).await;
    Ok(figures)
}

/// The first suggestion at new spots of every corpus file, without and then with the
/// dwell, each on a server of its own whose cache starts empty.
async fn new_spots(
    corpus: &[corpus::CorpusFile],
    options: &Options,
) -> anyhow::Result<NewSpotFigures> {
    let mut figures = NewSpotFigures::default();
    for dwell in [None, Some(DWELL)] {
        eprintln!(
            "nib: the first suggestion at new spots, {}",
            match dwell {
                Some(d) => format!("after resting there {} ms", d.as_millis()),
                None => "at once".to_string(),
            }
        );
        let (client, _completer) =
            typing::start(options.settings.clone(), options.load_timeout).await?;
        for file in corpus {
            let [opened, jumped] = typing::new_spots(&client, file, dwell).await?;
            let (o, j) = match dwell {
                None => (&mut figures.opened_ms, &mut figures.jumped_ms),
                Some(_) => (&mut figures.opened_dwell_ms, &mut figures.jumped_dwell_ms),
            };
            o.push(opened);
            j.push(jumped);
        }
        client.shutdown().await;
    }
    figures.dwell_ms = DWELL.as_secs_f64() * 1000.0;
    Ok(figures)
}

/// The typing simulation over the whole corpus, the same lines and gaps for every mode.
async fn type_all(
    via: typing::Via<'_>,
    completer: Option<&crate::completion::Completer>,
    corpus: &[corpus::CorpusFile],
    options: &Options,
) -> anyhow::Result<ModeFigures> {
    let mut rng = corpus::Rng::new(options.seed);
    let run = typing::type_corpus(
        via,
        completer,
        corpus,
        options.lines_per_file,
        &mut rng,
        None,
    )
    .await?;
    Ok(ModeFigures::of(&run))
}

/// The typing simulation against an in-process `nib http` with the same settings.
async fn via_infill(
    corpus: &[corpus::CorpusFile],
    options: &Options,
) -> anyhow::Result<ModeFigures> {
    let settings = crate::config::Settings::from_json(&options.settings)?.settings;
    let started = crate::http::start(crate::http::Options {
        bind: std::net::Ipv4Addr::LOCALHOST.into(),
        port: 0,
        token_file: None,
        allow_hosts: Vec::new(),
        settings,
    })
    .await?;
    let (addr, completer) = (started.addr, started.completer());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(started.run(async {
        let _ = stopped.await;
    }));
    match completer.engine().wait_loaded(options.load_timeout).await {
        crate::engine::EngineStatus::Ready => {}
        crate::engine::EngineStatus::Failed(message) => anyhow::bail!("{message}"),
        crate::engine::EngineStatus::Loading => anyhow::bail!("the model did not load in time"),
    }
    let figures = type_all(typing::Via::Infill(addr), Some(&completer), corpus, options).await;
    let _ = stop.send(());
    server.await??;
    figures
}

/// Types over the corpus for `duration` with many large files open, sampling memory.
async fn soak(
    client: &crate::lsp::harness::LspClient,
    completer: &crate::completion::Completer,
    corpus: &[corpus::CorpusFile],
    duration: Duration,
    seed: u64,
) -> anyhow::Result<SoakFigures> {
    for i in 0..SOAK_FILES {
        let file = &corpus[i % corpus.len()];
        let mut text = String::new();
        while text.lines().count() < SOAK_FILE_LINES {
            text.push_str(&file.text);
        }
        client
            .open(
                &format!("file:///soak/{i}/{}", file.name),
                file.language_id,
                &text,
            )
            .await;
    }
    let started = Instant::now();
    let until = started + duration;
    let rss_start_mb = report::rss_mb();
    let mut rss_max_mb = rss_start_mb;
    let mut keystrokes = 0;
    let mut rng = corpus::Rng::new(seed);
    let (mut first_round, mut last_round) = (None, None);
    while Instant::now() < until {
        let run = typing::type_corpus(
            typing::Via::Lsp(client),
            Some(completer),
            corpus,
            1,
            &mut rng,
            Some(until),
        )
        .await?;
        keystrokes += run.keystrokes;
        rss_max_mb = rss_max_mb.max(report::rss_mb());
        let figures = ModeFigures::of(&run);
        eprintln!(
            "nib: soak {:.0} s: RSS {:.0} MB, p95 {:.0} ms, {:.0} ms CPU per keystroke",
            started.elapsed().as_secs_f64(),
            report::rss_mb(),
            figures.p95_ms,
            figures.cpu_ms_per_keystroke,
        );
        // A round cut short by the end of the soak is not compared.
        if Instant::now() < until || first_round.is_none() {
            first_round.get_or_insert_with(|| figures.clone());
            last_round = Some(figures);
        }
    }
    let (Some(first_round), Some(last_round)) = (first_round, last_round) else {
        anyhow::bail!("the soak ended before a round of typing did");
    };
    Ok(SoakFigures {
        seconds: started.elapsed().as_secs_f64(),
        open_files: SOAK_FILES,
        keystrokes,
        rss_start_mb,
        rss_end_mb: report::rss_mb(),
        rss_max_mb,
        first_round,
        last_round,
    })
}

/// The CPU model and core count, for reports.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{cpu}, {} cores", crate::engine::cores())
}
