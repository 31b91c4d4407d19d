//! Figures from runs: percentiles, per-request token counts, CPU time, memory; as a table or JSON.

use serde_json::{Value, json};

use super::typing::Run;

/// The figures of one mode (nib or the baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct ModeFigures {
    /// Latency from request to answer over answered requests, in ms.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub requests: usize,
    pub answered: usize,
    pub cancelled: usize,
    /// Answered with a suggestion.
    pub suggested: usize,
    /// Answered from the suggestion being typed through.
    pub typed_through: u64,
    /// Per model run.
    pub prefill_tokens_per_request: f64,
    pub decode_tokens_per_request: f64,
    pub cpu_ms_per_keystroke: f64,
    /// Model runs, and those computed on one thread.
    pub model_runs: u64,
    pub one_thread_runs: u64,
    /// Keystrokes followed by a pause (the user waits), and those answered before the
    /// next keystroke.
    pub pauses: usize,
    pub pauses_answered_in_time: usize,
    /// Latency from a pause's last keystroke to its answer, over answered pauses, in ms.
    pub pause_p50_ms: f64,
    pub pause_p95_ms: f64,
}

impl ModeFigures {
    pub fn of(run: &Run) -> ModeFigures {
        let mut answered: Vec<f64> = run
            .outcomes
            .iter()
            .filter(|o| !o.cancelled)
            .map(|o| o.latency_ms)
            .collect();
        answered.sort_by(f64::total_cmp);
        let pauses: Vec<_> = run
            .outcomes
            .iter()
            .filter_map(|o| o.pause_ms.map(|pause| (o, pause)))
            .collect();
        let mut at_pauses: Vec<f64> = pauses
            .iter()
            .filter(|(o, _)| !o.cancelled)
            .map(|(o, _)| o.latency_ms)
            .collect();
        at_pauses.sort_by(f64::total_cmp);
        let generations = run.counters.generations.max(1) as f64;
        ModeFigures {
            p50_ms: percentile(&answered, 50.0),
            p95_ms: percentile(&answered, 95.0),
            max_ms: answered.last().copied().unwrap_or(0.0),
            requests: run.outcomes.len(),
            answered: answered.len(),
            cancelled: run.outcomes.iter().filter(|o| o.cancelled).count(),
            suggested: run.outcomes.iter().filter(|o| o.suggested).count(),
            typed_through: run.counters.typed_through,
            prefill_tokens_per_request: run.counters.prefill_tokens as f64 / generations,
            decode_tokens_per_request: run.counters.decode_tokens as f64 / generations,
            cpu_ms_per_keystroke: run.cpu_seconds * 1000.0 / run.keystrokes.max(1) as f64,
            model_runs: run.counters.generations,
            one_thread_runs: run.counters.one_thread,
            pauses: pauses.len(),
            pauses_answered_in_time: pauses
                .iter()
                .filter(|(o, pause)| !o.cancelled && o.latency_ms <= *pause)
                .count(),
            pause_p50_ms: percentile(&at_pauses, 50.0),
            pause_p95_ms: percentile(&at_pauses, 95.0),
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "p50_ms": round(self.p50_ms),
            "p95_ms": round(self.p95_ms),
            "max_ms": round(self.max_ms),
            "requests": self.requests,
            "answered": self.answered,
            "cancelled": self.cancelled,
            "suggested": self.suggested,
            "typed_through": self.typed_through,
            "prefill_tokens_per_request": round(self.prefill_tokens_per_request),
            "decode_tokens_per_request": round(self.decode_tokens_per_request),
            "cpu_ms_per_keystroke": round(self.cpu_ms_per_keystroke),
            "model_runs": self.model_runs,
            "one_thread_runs": self.one_thread_runs,
            "pauses": self.pauses,
            "pauses_answered_in_time": self.pauses_answered_in_time,
            "pause_p50_ms": round(self.pause_p50_ms),
            "pause_p95_ms": round(self.pause_p95_ms),
        })
    }
}

/// Memory over a soak: resident set size samples, in MB.
#[derive(Debug, Clone, PartialEq)]
pub struct SoakFigures {
    pub seconds: f64,
    pub open_files: usize,
    pub keystrokes: usize,
    pub rss_start_mb: f64,
    pub rss_end_mb: f64,
    pub rss_max_mb: f64,
    /// The first and the last full round of typing (one line in every corpus file).
    pub first_round: ModeFigures,
    pub last_round: ModeFigures,
}

/// Decoding the same suggestions without and with speculative drafts.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeculativeFigures {
    pub requests: usize,
    /// Tokens generated and decode time, without drafts.
    pub plain_tokens: usize,
    pub plain_ms: f64,
    /// The same with drafts.
    pub drafted_tokens: usize,
    pub drafted_ms: f64,
    pub drafts_checked: usize,
    pub drafts_accepted: usize,
    /// Requests whose suggestion came out the same both ways.
    pub same_text: usize,
}

impl SpeculativeFigures {
    fn ms_per_token(tokens: usize, ms: f64) -> f64 {
        ms / tokens.max(1) as f64
    }

    pub fn speedup(&self) -> f64 {
        Self::ms_per_token(self.plain_tokens, self.plain_ms)
            / Self::ms_per_token(self.drafted_tokens, self.drafted_ms).max(f64::EPSILON)
    }

    pub fn acceptance(&self) -> f64 {
        self.drafts_accepted as f64 / self.drafts_checked.max(1) as f64
    }
}

/// The nearest-rank percentile of sorted values; 0 for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// CPU time this process has used (user + system), in seconds; 0 where the system does not say.
pub fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks of 1/100 s (Linux's USER_HZ).
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident set size of this process, in MB; 0 where the system does not say.
pub fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub machine: String,
    pub nib: ModeFigures,
    pub baseline: Option<ModeFigures>,
    /// The same typing through `nib http`'s `/infill`.
    pub infill: Option<ModeFigures>,
    /// The same typing against llama-server, as llama.vim drives it.
    pub peer: Option<ModeFigures>,
    /// First request on a newly opened file of about 1,000 lines, in ms.
    pub cold_ms: Option<f64>,
    pub new_spot: Option<NewSpotFigures>,
    pub soak: Option<SoakFigures>,
    /// One decode step with and without the output head.
    pub step: Option<crate::engine::StepCost>,
    pub speculative: Option<SpeculativeFigures>,
    pub switch: Option<SwitchFigures>,
}

/// The first suggestion at a new spot, one figure per corpus file (ms): in a file just
/// opened and after a jump in it, at once and after the cursor rested `dwell_ms` there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewSpotFigures {
    pub dwell_ms: f64,
    pub opened_ms: Vec<f64>,
    pub jumped_ms: Vec<f64>,
    pub opened_dwell_ms: Vec<f64>,
    pub jumped_dwell_ms: Vec<f64>,
}

impl NewSpotFigures {
    /// Each figure's name, p50 and p95.
    fn rows(&self) -> [(&'static str, f64, f64); 4] {
        let p = |v: &[f64]| {
            let mut sorted = v.to_vec();
            sorted.sort_by(f64::total_cmp);
            (percentile(&sorted, 50.0), percentile(&sorted, 95.0))
        };
        let row = |name, v: &[f64]| {
            let (p50, p95) = p(v);
            (name, p50, p95)
        };
        [
            row("opened", &self.opened_ms),
            row("jumped", &self.jumped_ms),
            row("opened_dwell", &self.opened_dwell_ms),
            row("jumped_dwell", &self.jumped_dwell_ms),
        ]
    }
}

/// Switching from the base model back to an adapter on the same document.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchFigures {
    pub adapter: String,
    /// Setting the adapter on the context, in ms.
    pub switch_ms: f64,
    /// The whole request after the switch, in ms, and the prompt tokens it had to read.
    pub request_ms: f64,
    pub prefill_tokens: usize,
    pub prompt_tokens: usize,
}

impl Report {
    fn speedup(&self, pick: fn(&ModeFigures) -> f64) -> Option<f64> {
        let baseline = self.baseline.as_ref()?;
        (pick(&self.nib) > 0.0).then(|| pick(baseline) / pick(&self.nib))
    }

    pub fn json(&self) -> Value {
        let mut out = json!({
            "machine": self.machine,
            "pause_p50_ms": round(self.nib.pause_p50_ms),
            "pause_p95_ms": round(self.nib.pause_p95_ms),
            "p50_ms": round(self.nib.p50_ms),
            "p95_ms": round(self.nib.p95_ms),
            "max_ms": round(self.nib.max_ms),
            "nib": self.nib.json(),
        });
        if let Some(baseline) = &self.baseline {
            out["baseline_p50_ms"] = json!(round(baseline.p50_ms));
            out["baseline_p95_ms"] = json!(round(baseline.p95_ms));
            out["baseline_pause_p50_ms"] = json!(round(baseline.pause_p50_ms));
            out["pause_speedup_p50"] = json!(self.speedup(|m| m.pause_p50_ms).map(round2));
            out["speedup_p50"] = json!(self.speedup(|m| m.p50_ms).map(round2));
            out["speedup_p95"] = json!(self.speedup(|m| m.p95_ms).map(round2));
            out["baseline"] = baseline.json();
        }
        if let Some(infill) = &self.infill {
            out["infill"] = infill.json();
        }
        if let Some(peer) = &self.peer {
            out["peer"] = peer.json();
            out["peer_pause_p50_ms"] = json!(round(peer.pause_p50_ms));
            out["peer_p50_ms"] = json!(round(peer.p50_ms));
            out["peer_speedup_p50"] =
                json!((self.nib.p50_ms > 0.0).then(|| round2(peer.p50_ms / self.nib.p50_ms)));
        }
        if let Some(cold) = self.cold_ms {
            out["cold_ms"] = json!(round(cold));
        }
        if let Some(spot) = &self.new_spot {
            let mut figures =
                json!({"dwell_ms": round(spot.dwell_ms), "files": spot.opened_ms.len()});
            for (name, p50, p95) in spot.rows() {
                figures[format!("{name}_p50_ms")] = json!(round(p50));
                figures[format!("{name}_p95_ms")] = json!(round(p95));
            }
            out["new_spot"] = figures;
        }
        if let Some(step) = &self.step {
            out["decode_step_ms"] = json!(round2(step.with_head_ms));
            out["decode_step_without_head_ms"] = json!(round2(step.without_head_ms));
        }
        if let Some(sp) = &self.speculative {
            out["speculative"] = json!({
                "requests": sp.requests,
                "plain_ms_per_token": round2(SpeculativeFigures::ms_per_token(sp.plain_tokens, sp.plain_ms)),
                "drafted_ms_per_token": round2(SpeculativeFigures::ms_per_token(sp.drafted_tokens, sp.drafted_ms)),
                "speedup": round2(sp.speedup()),
                "acceptance": round2(sp.acceptance()),
                "same_text": sp.same_text,
            });
        }
        if let Some(sw) = &self.switch {
            out["adapter_switch"] = json!({
                "adapter": sw.adapter,
                "switch_ms": round2(sw.switch_ms),
                "request_ms": round(sw.request_ms),
                "prefill_tokens": sw.prefill_tokens,
                "prompt_tokens": sw.prompt_tokens,
            });
        }
        if let Some(soak) = &self.soak {
            out["soak"] = json!({
                "seconds": round(soak.seconds),
                "open_files": soak.open_files,
                "keystrokes": soak.keystrokes,
                "rss_start_mb": round(soak.rss_start_mb),
                "rss_end_mb": round(soak.rss_end_mb),
                "rss_max_mb": round(soak.rss_max_mb),
                "first_round": soak.first_round.json(),
                "last_round": soak.last_round.json(),
            });
        }
        out
    }

    pub fn table(&self) -> String {
        // nib over LSP and the baseline ("-" when it did not run), then nib over /infill
        // and the llama-server peer when they ran.
        let mut modes = vec![
            ("nib", Some(&self.nib)),
            ("baseline", self.baseline.as_ref()),
        ];
        for (name, mode) in [("via /infill", &self.infill), ("llama-server", &self.peer)] {
            if let Some(mode) = mode {
                modes.push((name, Some(mode)));
            }
        }
        let shown = modes.len();
        let mut rows = vec![(
            "",
            modes
                .iter()
                .map(|(name, _)| name.to_string())
                .collect::<Vec<_>>(),
        )];
        let cell = |f: Cell, i: usize| modes[i].1.map_or("-".to_string(), f);
        let lines: [(&str, Cell); 12] = [
            ("pause latency p50 / p95 (ms)", |m| {
                format!("{:.0} / {:.0}", m.pause_p50_ms, m.pause_p95_ms)
            }),
            ("pauses answered before the next key", |m| {
                format!("{} / {}", m.pauses_answered_in_time, m.pauses)
            }),
            ("p50 latency (ms)", |m| format!("{:.0}", m.p50_ms)),
            ("p95 latency (ms)", |m| format!("{:.0}", m.p95_ms)),
            ("max latency (ms)", |m| format!("{:.0}", m.max_ms)),
            ("answered / requests", |m| {
                format!("{} / {}", m.answered, m.requests)
            }),
            ("cancelled", |m| m.cancelled.to_string()),
            ("with a suggestion", |m| m.suggested.to_string()),
            ("typed through (no model)", |m| m.typed_through.to_string()),
            ("tokens prefilled / decoded per model run", |m| {
                format!(
                    "{:.1} / {:.1}",
                    m.prefill_tokens_per_request, m.decode_tokens_per_request
                )
            }),
            ("CPU ms per keystroke", |m| {
                if m.cpu_ms_per_keystroke.is_nan() {
                    "-".into() // another process's
                } else {
                    format!("{:.0}", m.cpu_ms_per_keystroke)
                }
            }),
            ("model runs on one thread / all", |m| {
                format!("{} / {}", m.one_thread_runs, m.model_runs)
            }),
        ];
        for (label, f) in lines {
            rows.push((label, (0..shown).map(|i| cell(f, i)).collect()));
        }
        let mut out = format!("nib bench on {}\n", self.machine);
        for (label, cells) in rows {
            out.push_str(&format!("{label:<42}"));
            for c in cells {
                out.push_str(&format!(" {c:>12}"));
            }
            out.push('\n');
        }
        if let Some(s) = self.speedup(|m| m.pause_p50_ms) {
            out.push_str(&format!(
                "speed-up at a pause, p50 (baseline / nib): {s:.1}x\n"
            ));
        }
        if let Some(s) = self.speedup(|m| m.p50_ms) {
            out.push_str(&format!("speed-up at p50 (baseline / nib): {s:.1}x\n"));
        }
        if let Some(s) = self.speedup(|m| m.p95_ms) {
            out.push_str(&format!("speed-up at p95 (baseline / nib): {s:.1}x\n"));
        }
        if let Some(peer) = &self.peer
            && self.nib.p50_ms > 0.0
        {
            out.push_str(&format!(
                "llama-server / nib at p50: {:.1}x, at a pause p50: {:.1}x\n",
                peer.p50_ms / self.nib.p50_ms,
                peer.pause_p50_ms / self.nib.pause_p50_ms.max(f64::EPSILON)
            ));
        }
        if let Some(cold) = self.cold_ms {
            out.push_str(&format!(
                "cold: first request on a newly opened 1,179-line file: {cold:.0} ms\n"
            ));
        }
        if let Some(spot) = &self.new_spot {
            let [opened, jumped, opened_dwell, jumped_dwell] = spot.rows();
            out.push_str(&format!(
                "first suggestion at a new spot, p50 / p95 over {} files: opened {:.0} / {:.0} ms, jumped {:.0} / {:.0} ms; after resting {:.0} ms: opened {:.0} / {:.0} ms, jumped {:.0} / {:.0} ms\n",
                spot.opened_ms.len(),
                opened.1, opened.2, jumped.1, jumped.2,
                spot.dwell_ms,
                opened_dwell.1, opened_dwell.2, jumped_dwell.1, jumped_dwell.2,
            ));
        }
        if let Some(step) = &self.step {
            let head = step.with_head_ms - step.without_head_ms;
            out.push_str(&format!(
                "decode step: {:.1} ms, of which the output head {head:.1} ms ({:.0}%)\n",
                step.with_head_ms,
                100.0 * head / step.with_head_ms.max(f64::EPSILON)
            ));
        }
        if let Some(sp) = &self.speculative {
            out.push_str(&format!(
                "speculative drafts (prompt lookup), {} requests: {:.1} ms/token without, {:.1} with ({:.2}x); {} of {} drafted tokens right ({:.0}%); same suggestion {} of {}\n",
                sp.requests,
                SpeculativeFigures::ms_per_token(sp.plain_tokens, sp.plain_ms),
                SpeculativeFigures::ms_per_token(sp.drafted_tokens, sp.drafted_ms),
                sp.speedup(),
                sp.drafts_accepted,
                sp.drafts_checked,
                100.0 * sp.acceptance(),
                sp.same_text,
                sp.requests
            ));
        }
        if let Some(sw) = &self.switch {
            out.push_str(&format!(
                "adapter switch (base model -> {}, same document): set in {:.2} ms; the request took {:.0} ms, reading {} of {} prompt tokens\n",
                sw.adapter, sw.switch_ms, sw.request_ms, sw.prefill_tokens, sw.prompt_tokens
            ));
        }
        if let Some(s) = &self.soak {
            out.push_str(&format!(
                "soak: {:.0} s, {} keystrokes, {} open files: RSS {:.0} MB at start, {:.0} MB at end, {:.0} MB at most\n",
                s.seconds, s.keystrokes, s.open_files, s.rss_start_mb, s.rss_end_mb, s.rss_max_mb
            ));
            for (name, round) in [("first", &s.first_round), ("last", &s.last_round)] {
                out.push_str(&format!(
                    "soak, {name} round: {} requests, p50 {:.0} ms, p95 {:.0} ms, {:.0} ms CPU per keystroke\n",
                    round.requests, round.p50_ms, round.p95_ms, round.cpu_ms_per_keystroke
                ));
            }
        }
        out
    }
}

/// How a table row shows one mode's figures.
type Cell = fn(&ModeFigures) -> String;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 10.0);
        assert_eq!(percentile(&v, 95.0), 19.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let spin: u64 = (0..5_000_000u64).map(|i| i ^ (i >> 3)).sum();
        assert!(spin > 0);
        assert!(rss_mb() > 0.0);
        assert!(cpu_seconds() >= 0.0);
    }
}
