//! The KV cache: its slots, which one a prompt decodes in, and how a new prompt is
//! brought into it (the shared prefix kept, a shared run moved into place, the rest read).

use std::sync::atomic::Ordering;
use std::time::Instant;

use llama_cpp_2::token::LlamaToken;

use super::EngineError;
use super::decode::FEED_CHUNK;
use super::heal::Healing;
use super::worker::{Session, ms, tokenize};
use crate::prompt::Prompt;

/// A run of cached tokens after the changed part of a prompt is moved into place only
/// when it is at least this long (shorter runs are cheaper to read again than to track).
const MIN_MOVE: usize = 16;
/// A moved run's entries were computed while attending to the text before them as it was
/// when they were read (see [`Slot::exact`]). They are moved only while that text and the
/// new prompt differ in at most this many tokens (a few keystrokes, not a line: a line
/// changed before the code after the cursor cost Qwen2.5-Coder 0.5B 10 points of exact
/// match with moves allowed up to 48 changed tokens); past it, the rest is read again.
const MAX_CHANGED: usize = 8;

/// Length of the longest common prefix of two token sequences.
pub fn common_prefix_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// A full prompt left to read after a cold answer, while the engine is idle.
pub(super) struct Behind {
    pub(super) tokens: Vec<LlamaToken>,
    pub(super) adapter: Option<String>,
    pub(super) cancel: super::CancelFlag,
}

/// One KV cache sequence: a prompt kept for reuse, and the adapter its entries were computed with.
#[derive(Default)]
pub(super) struct Slot {
    /// The slot's tokens; for the current slot they live in `Session::cached`.
    tokens: Vec<LlamaToken>,
    adapter: Option<String>,
    /// When it was last used (a counter), to evict the least recently used.
    used: u64,
    /// The prompt as it was when the slot's entries were last read without a move: the
    /// text that moved entries attended to when they were computed.
    exact: Vec<LlamaToken>,
}

impl Session<'_> {
    pub(super) fn reset(&mut self) {
        self.context.clear_kv_cache();
        self.cached.clear();
        for slot in &mut self.slots {
            slot.tokens.clear();
        }
    }

    pub(super) fn seq(&self) -> i32 {
        self.current as i32
    }

    /// The sequence that holds a run of entries while they are moved.
    fn spare_seq(&self) -> i32 {
        self.slots.len() as i32
    }

    /// Tokens of context one slot holds.
    fn slot_room(&self) -> usize {
        self.context.n_ctx() as usize / self.slots.len()
    }

    /// Makes the slot that best serves `prompt` with `adapter` current, and the adapter
    /// active: a slot of the same adapter that shares at least half of its tokens (or of the
    /// prompt's, when that is shorter) with the prompt, else the least recently used one (emptied). Returns the time the adapter
    /// switch took.
    pub(super) fn select(
        &mut self,
        prompt: &[LlamaToken],
        adapter: Option<&str>,
    ) -> Result<f64, EngineError> {
        let current = self.current;
        std::mem::swap(&mut self.cached, &mut self.slots[current].tokens);
        self.clock += 1;
        let same = |slot: &Slot| slot.adapter.as_deref() == adapter;
        let best = (0..self.slots.len())
            .filter(|&i| same(&self.slots[i]))
            .map(|i| (common_prefix_len(&self.slots[i].tokens, prompt), i))
            .max();
        let chosen = match best {
            // What a slot holds beyond the prompt it shares may be a long generation:
            // measured against the shorter of the two, so that asking again reuses it.
            Some((shared, i))
                if shared > 0 && shared * 2 >= self.slots[i].tokens.len().min(prompt.len()) =>
            {
                i
            }
            _ => (0..self.slots.len())
                .min_by_key(|&i| (!self.slots[i].tokens.is_empty(), self.slots[i].used))
                .expect("at least one slot"),
        };
        // A slot of the same adapter is cut back to the shared prefix when it is synced.
        if !same(&self.slots[chosen]) {
            let _ = self
                .context
                .clear_kv_cache_seq(Some(chosen as u32), None, None);
            self.slots[chosen].tokens.clear();
            self.slots[chosen].adapter = adapter.map(str::to_string);
        }
        std::mem::swap(&mut self.cached, &mut self.slots[chosen].tokens);
        self.current = chosen;
        self.slots[chosen].used = self.clock;
        self.set_adapter(adapter)
    }

    /// Sets the LoRA adapter on the context; returns how long that took in ms.
    fn set_adapter(&mut self, adapter: Option<&str>) -> Result<f64, EngineError> {
        if self.active.as_deref() == adapter {
            return Ok(0.0);
        }
        let started = Instant::now();
        match adapter {
            Some(name) => {
                let lora = self
                    .loras
                    .get_mut(name)
                    .ok_or_else(|| EngineError::UnknownAdapter(name.to_string()))?;
                let scale = lora.scale;
                self.context
                    .lora_adapter_set(&mut lora.handle, scale)
                    .map_err(|e| EngineError::Llama(e.to_string()))?;
            }
            None => {
                if let Some(lora) = self.loras.values_mut().next() {
                    self.context
                        .lora_adapter_remove(&mut lora.handle)
                        .map_err(|e| EngineError::Llama(e.to_string()))?;
                }
            }
        }
        self.active = adapter.map(str::to_string);
        Ok(ms(started))
    }

    /// Drops the KV entries from position `keep` on (tokens decoded but not kept).
    pub(super) fn truncate_kv(&mut self, keep: usize) {
        let removed = self
            .context
            .clear_kv_cache_seq(Some(self.seq() as u32), Some(keep as u32), None)
            .unwrap_or(false);
        if !removed {
            self.reset();
        }
    }

    /// Keeps the first `keep` cached tokens and drops the rest from the KV cache.
    fn truncate_cache(&mut self, keep: usize) {
        if keep >= self.cached.len() {
            return;
        }
        let removed = self
            .context
            .clear_kv_cache_seq(Some(self.seq() as u32), Some(keep as u32), None)
            .unwrap_or(false);
        if removed {
            self.cached.truncate(keep);
        } else {
            self.reset();
        }
    }

    /// The prompt's tokens as generation will see them (cut to fit, healed at the cursor),
    /// with the text the first generated tokens must spell.
    pub(super) fn prompt_tokens(
        &self,
        prompt: &Prompt,
        max_tokens: u32,
    ) -> (Vec<LlamaToken>, Option<Healing>) {
        let n_ctx = self.slot_room();
        let cursor = prompt.cursor.min(prompt.text.len());
        let (before, after) = prompt
            .text
            .split_at_checked(cursor)
            .unwrap_or((&prompt.text, ""));
        let mut tokens = tokenize(self.model, before, self.config.add_bos);
        let healed = Healing::of(&mut tokens, |t| self.pieces.get(t));
        tokens.extend(tokenize(self.model, after, false));
        let room = n_ctx.saturating_sub(max_tokens as usize + 1).max(1);
        if tokens.len() > room {
            // The context builder keeps prompts within budget; this only guards the cache.
            tokens.drain(..tokens.len() - room);
        }
        (tokens, healed)
    }

    /// Brings the KV cache to `prompt`, decoding only what it does not hold yet; the last
    /// token is always decoded when `need_logits`. Returns how many tokens were reused
    /// from the cache's start and how many were moved into place from further on.
    ///
    /// A FIM prompt puts the code after the cursor after the code before it, so typing
    /// changes the middle of the prompt, not its end. The longest run of cached tokens
    /// that the rest of the new prompt also has (the suffix, or the part of it read before
    /// a cancellation) is kept aside in a spare sequence while the changed text before it
    /// is decoded, then shifted to its new positions (llama.cpp's server calls this cache
    /// reuse): a keystroke reads a few tokens, not the whole suffix again.
    pub(super) fn sync_cache(
        &mut self,
        prompt: &[LlamaToken],
        need_logits: bool,
        cancel: &super::CancelFlag,
    ) -> Result<(usize, usize), EngineError> {
        let end = prompt.len() - usize::from(need_logits && !prompt.is_empty());
        let reuse = common_prefix_len(&self.cached, prompt).min(end);
        let run = self
            .movable_run(prompt, reuse, end)
            .filter(|&run| self.park(run));
        self.truncate_cache(reuse);
        // A failed cut resets the whole cache, the run's entries with it.
        let run = run.filter(|_| self.cached.len() == reuse);
        let reuse = self.cached.len();
        let Some(run) = run else {
            self.slots[self.current].exact = prompt.to_vec();
            self.feed(&prompt[reuse..], cancel)?;
            return Ok((reuse, 0));
        };
        let Run { from, at, len } = run;
        // A few tokens of changed text are read whatever happens, so that the run is not
        // lost to a cancellation (the next keystroke's prompt has it too).
        let text = &prompt[reuse..at];
        let fed = if text.len() <= FEED_CHUNK {
            self.feed(text, &super::CancelFlag::default())
        } else {
            self.feed(text, cancel)
        };
        let spare = self.spare_seq();
        if let Err(e) = fed {
            let _ = self
                .context
                .clear_kv_cache_seq(Some(spare as u32), None, None);
            return Err(e);
        }
        let moved = self
            .context
            .kv_cache_seq_add(
                spare,
                Some(from as u32),
                Some((from + len) as u32),
                at as i32 - from as i32,
            )
            .and_then(|()| {
                self.context.copy_kv_cache_seq(
                    spare,
                    self.seq(),
                    Some(at as u32),
                    Some((at + len) as u32),
                )
            });
        let _ = self
            .context
            .clear_kv_cache_seq(Some(spare as u32), None, None);
        if moved.is_err() {
            self.reset();
            self.feed(prompt, cancel)?;
            return Ok((0, 0));
        }
        self.cached.extend_from_slice(&prompt[at..at + len]);
        self.shared.moved.fetch_add(len as u64, Ordering::Relaxed);
        self.feed(&prompt[at + len..], cancel)?;
        Ok((reuse, len))
    }

    /// The run of cached tokens after the first `reuse` that is worth moving to where
    /// `prompt[reuse..end]` has it too.
    fn movable_run(&self, prompt: &[LlamaToken], reuse: usize, end: usize) -> Option<Run> {
        let exact = &self.slots[self.current].exact;
        movable_run(self.can_move, &self.cached, exact, prompt, reuse, end)
    }

    /// The tokens slot `i` holds (the current slot's live in `cached`).
    fn slot_tokens(&self, i: usize) -> &[LlamaToken] {
        if i == self.current {
            &self.cached
        } else {
            &self.slots[i].tokens
        }
    }

    /// How many of `prompt`'s tokens the slot that serves it best would have to read:
    /// what no slot of `adapter` holds at its start or in a run it could move into place.
    pub(super) fn unread(&self, prompt: &[LlamaToken], adapter: Option<&str>) -> usize {
        (0..self.slots.len())
            .filter(|&i| self.slots[i].adapter.as_deref() == adapter)
            .map(|i| {
                let tokens = self.slot_tokens(i);
                let reuse = common_prefix_len(tokens, prompt);
                let exact = &self.slots[i].exact;
                let moved = movable_run(self.can_move, tokens, exact, prompt, reuse, prompt.len())
                    .map_or(0, |run| run.len);
                prompt.len() - reuse - moved
            })
            .min()
            .unwrap_or(prompt.len())
    }

    /// The prompt to answer from now, with the text its first tokens must spell: `prompt`,
    /// or `cold` (a shorter window of the same request) when the cache would have to read
    /// much more of `prompt` (see [`answer_cold`]); `prompt` is then left to read behind.
    /// The last value says whether `cold` was chosen.
    pub(super) fn window(
        &mut self,
        prompt: &Prompt,
        cold: Option<&Prompt>,
        max_tokens: u32,
        adapter: Option<&str>,
    ) -> (Vec<LlamaToken>, Option<Healing>, bool) {
        let (tokens, healing) = self.prompt_tokens(prompt, max_tokens);
        let Some(cold) = cold else {
            return (tokens, healing, false);
        };
        let unread_full = self.unread(&tokens, adapter);
        let short = self.prompt_tokens(cold, max_tokens);
        let unread_short = self.unread(&short.0, adapter);
        if !answer_cold(unread_full, short.0.len(), unread_short) {
            return (tokens, healing, false);
        }
        tracing::debug!(
            unread_full,
            unread_short,
            "a new spot: the short window answers"
        );
        let cancel = super::CancelFlag::default();
        *self.shared.behind.lock().unwrap() = cancel.clone();
        self.behind = Some(Behind {
            tokens,
            adapter: adapter.map(str::to_string),
            cancel,
        });
        (short.0, short.1, true)
    }

    /// Copies the run's entries to the spare sequence, so that they survive the cut after
    /// the common prefix; false when llama.cpp refused (the run is then read again).
    fn park(&mut self, Run { from, len, .. }: Run) -> bool {
        self.context
            .copy_kv_cache_seq(
                self.seq(),
                self.spare_seq(),
                Some(from as u32),
                Some((from + len) as u32),
            )
            .is_ok()
    }
}

/// The run of `cached` tokens after the first `reuse` worth moving to where
/// `prompt[reuse..end]` has it too: only while the text before it differs from `exact`,
/// what it was read after, by at most [`MAX_CHANGED`] tokens.
fn movable_run(
    can_move: bool,
    cached: &[LlamaToken],
    exact: &[LlamaToken],
    prompt: &[LlamaToken],
    reuse: usize,
    end: usize,
) -> Option<Run> {
    if !can_move || reuse > end || changed_tokens(exact, prompt) > MAX_CHANGED {
        return None;
    }
    let run = longest_shared_run(&cached[reuse.min(cached.len())..], &prompt[reuse..end])?;
    (run.len >= MIN_MOVE).then_some(Run {
        from: reuse + run.from,
        at: reuse + run.at,
        len: run.len,
    })
}

/// Whether a new spot is answered from its short window: when the full prompt leaves
/// more to read than a whole short window, and the short one less than half of that.
pub(super) fn answer_cold(unread_full: usize, cold_len: usize, unread_cold: usize) -> bool {
    unread_full > cold_len && unread_cold * 2 < unread_full
}

/// A run of tokens the cache holds at `from` and a prompt has at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    from: usize,
    at: usize,
    len: usize,
}

/// The longest run of tokens that `cached` and `prompt` both have (the latest in `prompt`
/// among equally long ones).
fn longest_shared_run<T: PartialEq>(cached: &[T], prompt: &[T]) -> Option<Run> {
    // lengths[j]: the length of the shared run ending at cached[i - 1] and prompt[j - 1].
    let mut lengths = vec![0usize; prompt.len() + 1];
    let mut best: Option<Run> = None;
    for (i, c) in cached.iter().enumerate() {
        for j in (0..prompt.len()).rev() {
            lengths[j + 1] = if *c == prompt[j] { lengths[j] + 1 } else { 0 };
            let len = lengths[j + 1];
            if len > 0 && best.is_none_or(|b| (len, j) > (b.len, b.at + b.len - 1)) {
                best = Some(Run {
                    from: i + 1 - len,
                    at: j + 1 - len,
                    len,
                });
            }
        }
    }
    best
}

/// How many tokens differ between two versions of a prompt: the longer one's length less
/// what they share at the start and at the end.
fn changed_tokens<T: PartialEq>(old: &[T], new: &[T]) -> usize {
    let start = common_prefix_len(old, new);
    let end = old[start..]
        .iter()
        .rev()
        .zip(new[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    old.len().max(new.len()) - start - end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix() {
        assert_eq!(common_prefix_len(&[1, 2, 3], &[1, 2, 4]), 2);
        assert_eq!(common_prefix_len(&[1, 2], &[1, 2, 3]), 2);
        assert_eq!(common_prefix_len::<i32>(&[], &[1]), 0);
    }

    #[test]
    fn the_run_to_move_is_the_longest_the_cache_and_the_prompt_share() {
        // cache: [old tail 7 8] [suffix 4 5 6] [generated 9 6]; prompt: [new tail 3] [4 5 6]
        let run = |from, at, len| Some(Run { from, at, len });
        assert_eq!(
            longest_shared_run(&[7, 8, 4, 5, 6, 9, 6], &[3, 4, 5, 6]),
            run(2, 1, 3)
        );
        assert_eq!(longest_shared_run(&[1, 2], &[3, 4]), None);
        assert_eq!(longest_shared_run::<i32>(&[1, 2], &[]), None);
        // A suffix read only in part before a cancellation: its start is still shared.
        assert_eq!(
            longest_shared_run(&[8, 4, 5], &[3, 3, 4, 5, 6, 7]),
            run(1, 2, 2)
        );
    }

    #[test]
    fn a_new_spot_is_answered_from_the_short_window_only_when_it_saves_most_of_the_read() {
        // Opened file: 1,000 tokens to read, a short window of 256 with nothing cached.
        assert!(answer_cold(1000, 256, 256));
        // A keystroke after the full window was read: a few tokens, the full window.
        assert!(!answer_cold(3, 256, 256));
        // Less to read than a short window holds: the full window.
        assert!(!answer_cold(200, 256, 10));
        // The short window would cost nearly as much: the full window.
        assert!(!answer_cold(400, 256, 256));
        // Typing on in a new spot whose full window is still being read behind.
        assert!(answer_cold(700, 256, 4));
    }

    #[test]
    fn changed_tokens_count_the_edit_between_the_shared_ends() {
        // One token typed, one replaced, a line of four inserted.
        assert_eq!(changed_tokens(&[1, 2, 3, 4], &[1, 2, 9, 3, 4]), 1);
        assert_eq!(changed_tokens(&[1, 2, 3, 4], &[1, 9, 3, 4]), 1);
        assert_eq!(changed_tokens(&[1, 2, 3], &[1, 5, 6, 7, 8, 2, 3]), 4);
        // Repeated tokens are not counted twice at the shared ends.
        assert_eq!(changed_tokens(&[1, 1, 1], &[1, 1]), 1);
        assert_eq!(changed_tokens::<i32>(&[], &[]), 0);
        assert_eq!(changed_tokens(&[1, 2], &[3, 4, 5]), 3);
    }
}
