//! Decoding: reading prompt tokens, generating with token healing and drafts checked
//! in the same batch, and what the text generated so far is worth.

use std::sync::atomic::Ordering;
use std::time::Instant;

use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::heal::Healing;
use super::threads::take_turn;
use super::vocab::Pieces;
use super::worker::{Session, ms, tokenize};
use super::{EngineError, Finish, Generate, Generation, GenerationStats, Signals};

/// Prompt tokens fed per decode call: a cancelled prefill stops after the chunk it is
/// in (64 tokens take 150-350 ms on a 2-core laptop CPU) and keeps what it read, which
/// the next prompt usually shares; 128 and 256 read no faster here.
pub(super) const FEED_CHUNK: usize = 64;

impl Session<'_> {
    /// Decodes a batch with the threads the machine's load allows now.
    fn decode(&mut self, batch: &mut LlamaBatch) -> Result<(), EngineError> {
        let _turn = take_turn();
        let threads = self.governor.before_decode();
        self.fewest_threads = match self.fewest_threads {
            0 => threads,
            fewest => fewest.min(threads),
        };
        self.context
            .decode(batch)
            .map_err(|e| EngineError::Llama(e.to_string()))
    }

    /// Decodes `tokens` after the cached ones; logits are kept for the last one only.
    pub(super) fn feed(
        &mut self,
        tokens: &[LlamaToken],
        cancel: &super::CancelFlag,
    ) -> Result<(), EngineError> {
        let mut batch = LlamaBatch::new(FEED_CHUNK, 1);
        let seq = [self.seq()];
        for chunk in tokens.chunks(FEED_CHUNK) {
            if cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            batch.clear();
            let last_chunk = chunk.as_ptr_range().end == tokens.as_ptr_range().end;
            for (i, &token) in chunk.iter().enumerate() {
                let pos = (self.cached.len() + i) as i32;
                let logits = last_chunk && i + 1 == chunk.len();
                batch
                    .add(token, pos, &seq, logits)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            // A read no request waits for stops mid-chunk when it is cancelled.
            let stoppable = self.background.then(|| cancel.as_ptr());
            let reading = &self.shared.reading;
            reading.store(stoppable.unwrap_or(std::ptr::null_mut()), Ordering::Release);
            let decoded = self.decode(&mut batch);
            reading.store(std::ptr::null_mut(), Ordering::Release);
            if let Err(e) = decoded {
                if stoppable.is_some() && cancel.is_cancelled() {
                    // llama.cpp removed the stopped chunk's entries: the cache holds what
                    // `cached` says.
                    self.shared.stopped.fetch_add(1, Ordering::Relaxed);
                    return Err(EngineError::Cancelled);
                }
                // The cache may hold part of the chunk: start clean next time.
                self.reset();
                return Err(e);
            }
            self.cached.extend_from_slice(chunk);
            self.shared
                .read
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The most likely token that may come next, with its log-probability among those
    /// that may: its text must be one `healing` allows (while it is not done), and must
    /// not start the line the answer is to avoid (while the answer is blank).
    fn greedy_allowed(
        &self,
        logits: &[f32],
        healing: Option<&Healing>,
        avoid: Option<(&[u8], &[u8])>,
    ) -> Pick {
        let allows = |t: LlamaToken| {
            let piece = self.pieces.get(t);
            let healed = healing.map_or(0, |h| h.spelled_by(piece));
            healing.is_none_or(|h| h.allows(piece))
                && avoid.is_none_or(|(so_far, line)| !starts_line(so_far, &piece[healed..], line))
        };
        let allowed: Vec<(LlamaToken, f32)> = (0..logits.len())
            .map(|i| LlamaToken(i as i32))
            .filter(|&t| allows(t))
            .map(|t| (t, logits[t.0 as usize]))
            .collect();
        if allowed.is_empty() {
            return greedy(logits);
        }
        let scores: Vec<f32> = allowed.iter().map(|&(_, l)| l).collect();
        let best = greedy(&scores);
        Pick {
            token: allowed[best.token.0 as usize].0,
            ..best
        }
    }

    pub(super) fn prefill(&mut self, job: &super::Prefill) {
        let adapter = job.adapter.as_deref();
        let (prompt, _, _) = self.window(&job.prompt, job.cold.as_ref(), 0, adapter);
        // A cancelled or failed prefill leaves a valid, shorter cache; nothing to report.
        let _ = self.read(&prompt, adapter, &job.cancel);
    }

    /// Reads the full prompt of the last cold answer while no job waits (any job sent
    /// cancels it); what was read stays for the next request at that spot.
    pub(super) fn read_behind(&mut self, behind: &super::kv::Behind) {
        let adapter = behind.adapter.as_deref();
        let read = self.read(&behind.tokens, adapter, &behind.cancel);
        tracing::debug!(
            prompt = behind.tokens.len(),
            done = read.is_ok(),
            "read behind a cold answer"
        );
    }

    /// Brings `prompt` into the KV cache of the slot that serves it best, without logits.
    fn read(
        &mut self,
        prompt: &[LlamaToken],
        adapter: Option<&str>,
        cancel: &super::CancelFlag,
    ) -> Result<(), EngineError> {
        self.select(prompt, adapter)?;
        self.sync_cache(prompt, false, cancel).map(|_| ())
    }

    /// Decodes one token after the cache, with and without logits, `steps` times each,
    /// and removes it again: what a generation step costs and what its output head costs.
    pub(super) fn measure_step(&mut self, steps: u32) -> Result<super::StepCost, EngineError> {
        if self.cached.is_empty() {
            let start = tokenize(self.model, "fn main() {", self.config.add_bos);
            self.feed(&start, &super::CancelFlag::default())?;
        }
        let token = *self.cached.last().expect("the cache holds tokens");
        let position = self.cached.len();
        let seq = self.seq();
        let mut batch = LlamaBatch::new(1, 1);
        let mut time = |logits: bool| -> Result<f64, EngineError> {
            let started = Instant::now();
            for _ in 0..steps.max(1) {
                batch.clear();
                batch
                    .add(token, position as i32, &[seq], logits)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
                self.decode(&mut batch)?;
                self.context
                    .clear_kv_cache_seq(Some(seq as u32), Some(position as u32), None)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            Ok(ms(started) / f64::from(steps.max(1)))
        };
        let without_head_ms = time(false)?;
        let with_head_ms = time(true)?;
        Ok(super::StepCost {
            with_head_ms,
            without_head_ms,
        })
    }

    pub(super) fn generate(&mut self, job: &Generate) -> Result<Generation, EngineError> {
        let prefill_start = Instant::now();
        self.fewest_threads = 0;
        if !job.reuse {
            self.fresh_context()?;
        }
        let adapter = job.adapter.as_deref();
        let cold = job.cold.as_ref().filter(|_| job.reuse);
        let (prompt, mut healing, cold) = self.window(&job.prompt, cold, job.max_tokens, adapter);
        let mut stats = GenerationStats {
            prompt_tokens: prompt.len(),
            cold,
            adapter_switch_ms: self.select(&prompt, adapter)?,
            ..Default::default()
        };
        let (reuse, moved) = self.sync_cache(&prompt, true, &job.cancel)?;
        tracing::debug!(
            prompt = prompt.len(),
            reused = reuse,
            moved,
            read = prompt.len() - reuse - moved,
            "prompt in the cache"
        );
        stats.reused_tokens = reuse;
        stats.moved_tokens = moved;
        stats.prefill_tokens = prompt.len() - reuse - moved;
        stats.prefill_ms = ms(prefill_start);

        let decode_start = Instant::now();
        let mut out = Output::new(job);
        let mut logits_at = -1; // the batch index whose logits choose the next token
        let mut batch = LlamaBatch::new(MAX_DRAFT + 1, 1);
        loop {
            if job.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            if out.count() > 0 && decode_start.elapsed() >= job.decode_budget {
                out.finish = Finish::Deadline;
                break;
            }
            let logits = self.context.get_logits_ith(logits_at);
            let healing_now = healing.as_mut().filter(|h| !h.is_done());
            let avoid = job
                .avoid
                .as_deref()
                .filter(|_| out.bytes.trim_ascii().is_empty())
                .map(|line| (out.bytes.as_slice(), line.as_bytes()));
            let (pick, skip) = match (healing_now, avoid) {
                (None, None) => (greedy(logits), 0),
                (healing, avoid) => {
                    let pick = self.greedy_allowed(logits, healing.as_deref(), avoid);
                    let skip = healing.map_or(0, |h| h.advance(self.pieces.get(pick.token)));
                    (pick, skip)
                }
            };
            let token = pick.token;
            self.shared.generated.fetch_add(1, Ordering::Relaxed);
            if out.push(&self.pieces, self.model, pick, skip) {
                break;
            }
            // Decode the token, and after it a draft of the tokens that followed the same
            // words earlier in the prompt: one batch checks them all.
            let position = self.cached.len();
            self.cached.push(token);
            let room = (job.max_tokens as usize).saturating_sub(out.count());
            let healed = healing.as_ref().is_none_or(Healing::is_done);
            // Drafts are checked by the plain most likely token: none while healing or
            // `avoid` still rules the next one.
            let avoiding = job.avoid.is_some() && out.bytes.trim_ascii().is_empty();
            let draft = if job.speculate && healed && !avoiding {
                draft(&self.cached, MAX_DRAFT.min(room))
            } else {
                Vec::new()
            };
            batch.clear();
            for (i, &t) in std::iter::once(&token).chain(&draft).enumerate() {
                batch
                    .add(t, (position + i) as i32, &[self.seq()], true)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            if let Err(e) = self.decode(&mut batch) {
                self.reset();
                return Err(e);
            }
            stats.drafted += draft.len();
            let mut accepted = 0;
            let mut done = false;
            for (i, &guess) in draft.iter().enumerate() {
                let pick = greedy(self.context.get_logits_ith(i as i32));
                if pick.token != guess {
                    break;
                }
                accepted += 1;
                self.shared.generated.fetch_add(1, Ordering::Relaxed);
                self.cached.push(pick.token);
                if out.push(&self.pieces, self.model, pick, 0) {
                    done = true;
                    break;
                }
            }
            stats.accepted += accepted;
            if accepted < draft.len() {
                // The drafts after the first wrong one are not part of the text.
                self.truncate_kv(self.cached.len());
            }
            if done {
                break;
            }
            logits_at = accepted as i32;
        }
        stats.decode_tokens = out.count();
        stats.decode_ms = ms(decode_start);
        stats.threads = self.fewest_threads;

        Ok(out.into_generation(stats))
    }
}

/// Whether the answer `so_far` (blank) followed by `added` starts spelling `line` (trimmed).
fn starts_line(so_far: &[u8], added: &[u8], line: &[u8]) -> bool {
    let text: Vec<u8> = so_far.iter().chain(added).copied().collect();
    let text = text.trim_ascii_start();
    !text.is_empty() && (line.starts_with(text) || text.starts_with(line))
}

/// Most draft tokens checked after each generated token.
const MAX_DRAFT: usize = 6;

/// Prompt lookup: the tokens that followed the latest earlier occurrence of the last three
/// (else two) tokens of `tokens`, at most `max` of them.
fn draft<T: PartialEq + Copy>(tokens: &[T], max: usize) -> Vec<T> {
    for n in [3, 2] {
        if tokens.len() <= n || max == 0 {
            continue;
        }
        let tail = &tokens[tokens.len() - n..];
        let earlier = (0..tokens.len() - n)
            .rev()
            .find(|&i| &tokens[i..i + n] == tail);
        if let Some(i) = earlier {
            let start = i + n;
            let end = (start + max).min(tokens.len() - n);
            if start < end {
                return tokens[start..end].to_vec();
            }
        }
    }
    Vec::new()
}

/// The text generated so far, with what decides where it ends.
struct Output<'j> {
    job: &'j Generate,
    bytes: Vec<u8>,
    /// Byte length of the text after each generated token.
    ends: Vec<usize>,
    logprobs: Vec<f32>,
    /// The first token's margin over its runner-up (log-probabilities).
    first_margin: Option<f32>,
    kept: Option<usize>,
    finish: Finish,
}

impl<'j> Output<'j> {
    fn new(job: &'j Generate) -> Output<'j> {
        Output {
            job,
            bytes: Vec::new(),
            ends: Vec::new(),
            logprobs: Vec::new(),
            first_margin: None,
            kept: None,
            finish: Finish::MaxTokens,
        }
    }

    fn count(&self) -> usize {
        self.ends.len()
    }

    /// Adds a generated token (without its first `skip` bytes); true when the text is complete.
    fn push(&mut self, pieces: &Pieces, model: &LlamaModel, pick: Pick, skip: usize) -> bool {
        self.first_margin.get_or_insert(pick.margin);
        if model.vocab().is_eog(pick.token) {
            self.finish = Finish::EndOfText;
            return true;
        }
        let piece = pieces.get(pick.token);
        self.bytes
            .extend_from_slice(&piece[skip.min(piece.len())..]);
        self.ends.push(self.bytes.len());
        self.logprobs.push(pick.logprob);
        if let Some(len) = (self.job.stop)(valid_utf8_prefix(&self.bytes)) {
            self.kept = Some(len);
            self.finish = Finish::Stop;
            return true;
        }
        self.count() >= self.job.max_tokens as usize
    }

    fn into_generation(self, stats: GenerationStats) -> Generation {
        let text = valid_utf8_prefix(&self.bytes);
        let kept = self.kept.unwrap_or(text.len()).min(text.len());
        // A token counts towards confidence if any of its text is kept.
        let counted =
            self.ends.iter().take_while(|&&end| end < kept).count() + usize::from(kept > 0);
        let logprobs = &self.logprobs[..counted.min(self.logprobs.len())];
        let mean = mean_logprob(logprobs);
        Generation {
            text: text[..kept].to_string(),
            // The geometric mean of the kept tokens' probabilities.
            confidence: mean.exp(),
            signals: Signals {
                mean_logprob: mean,
                min_logprob: logprobs.iter().copied().fold(0.0, f32::min),
                first_margin: self.first_margin.unwrap_or(0.0),
                tokens: counted,
                natural_end: matches!(self.finish, Finish::Stop | Finish::EndOfText),
            },
            finish: self.finish,
            stats,
        }
    }
}

/// A chosen token, with what the model thought of it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pick {
    token: LlamaToken,
    logprob: f32,
    /// Its log-probability's lead over the runner-up's (`MAX_MARGIN` when it has none).
    margin: f32,
}

/// The margin recorded when a single token was possible.
const MAX_MARGIN: f32 = 20.0;

/// The most likely token, with its log-probability and its lead over the runner-up.
fn greedy(logits: &[f32]) -> Pick {
    let (mut best, mut max, mut second) = (0, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (i, &l) in logits.iter().enumerate() {
        if l > max {
            (best, second, max) = (i, max, l);
        } else if l > second {
            second = l;
        }
    }
    if !max.is_finite() {
        // No finite logit (a broken model): any token, and no confidence in it.
        return Pick {
            token: LlamaToken(best as i32),
            logprob: f32::NEG_INFINITY,
            margin: 0.0,
        };
    }
    let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
    Pick {
        token: LlamaToken(best as i32),
        logprob: -sum.ln(),
        margin: (max - second).min(MAX_MARGIN),
    }
}

/// Mean log-probability of the tokens; 0 for none (a geometric mean probability of 1).
fn mean_logprob(logprobs: &[f32]) -> f32 {
    if logprobs.is_empty() {
        return 0.0;
    }
    logprobs.iter().sum::<f32>() / logprobs.len() as f32
}

/// The longest prefix of `bytes` that is valid UTF-8 (a token may end mid-character).
fn valid_utf8_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid up to here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_come_from_the_latest_earlier_occurrence() {
        // ... 1 2 3 [7 8 9] ... 1 2 3 -> 7 8 9
        let tokens = [1, 2, 3, 7, 8, 9, 5, 1, 2, 3];
        assert_eq!(draft(&tokens, 6), [7, 8, 9, 5]);
        assert_eq!(draft(&tokens, 2), [7, 8]);
        // Only two tokens match: a 2-gram draft.
        assert_eq!(draft(&[4, 2, 3, 6, 0, 2, 3], 1), [6]);
        assert!(draft(&[1, 2, 3, 4], 6).is_empty());
        assert!(draft(&tokens, 0).is_empty());
    }

    #[test]
    fn a_token_that_starts_the_avoided_line_is_recognised_after_blank_text() {
        let line = b"return (";
        assert!(starts_line(b"", b" return", line));
        assert!(starts_line(b"   ", b" ret", line));
        assert!(starts_line(b"", b"return (x", line));
        assert!(
            !starts_line(b"   ", b" ", line),
            "whitespace starts nothing"
        );
        assert!(!starts_line(b"", b" const", line));
        assert!(!starts_line(b"", b"returns", line));
    }

    #[test]
    fn greedy_picks_the_max_with_its_log_probability() {
        let pick = greedy(&[0.0, 2.0, 0.5]);
        assert_eq!(pick.token, LlamaToken(1));
        let p = 2f32.exp() / (1.0 + 0.5f32.exp() + 2f32.exp());
        assert!((pick.logprob - p.ln()).abs() < 1e-5);
        assert!((pick.margin - 1.5).abs() < 1e-6);
        assert_eq!(greedy(&[3.0]).margin, MAX_MARGIN);
        let broken = greedy(&[f32::NAN, f32::NEG_INFINITY]);
        assert_eq!((broken.logprob, broken.margin), (f32::NEG_INFINITY, 0.0));
    }

    #[test]
    fn confidence_is_the_geometric_mean() {
        let confidence = |logprobs: &[f32]| mean_logprob(logprobs).exp();
        assert_eq!(confidence(&[]), 1.0);
        let c = confidence(&[0.5f32.ln(), 0.125f32.ln()]);
        assert!((c - 0.25).abs() < 1e-6);
    }

    #[test]
    fn utf8_prefix_stops_before_a_split_character() {
        let bytes = "é".as_bytes();
        assert_eq!(valid_utf8_prefix(&bytes[..1]), "");
        assert_eq!(valid_utf8_prefix(bytes), "é");
    }
}
