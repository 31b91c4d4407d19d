//! What requests cost: one request's timings, and totals since the completer started.

use std::sync::atomic::AtomicU64;

use crate::engine::{Finish, GenerationStats};

/// Where the time of one request went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    pub context_ms: f64,
    pub engine: GenerationStats,
    pub total_ms: f64,
    pub finish: Option<Finish>,
    /// The generation's confidence, before post-processing decided to show it or not.
    pub confidence: f32,
    /// How likely the generation is to be right, by the model's fitted confidence model
    /// (what escalation compares with `escalate_below`), and what that was computed from.
    pub chance: f32,
    pub signals: crate::engine::Signals,
    /// Answered from the suggestion being typed through, without the model.
    pub typed_through: bool,
    /// The larger model that was asked (`escalate_to`), and how long it took; `None` when
    /// the small model's answer stood without asking.
    pub escalation: Option<Escalation>,
}

/// What came of asking the larger model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Escalation {
    /// The model's name or the server's address.
    pub target: String,
    pub ms: f64,
    /// Its answer is the one shown.
    pub used: bool,
    /// Why there was no answer from it (a timeout, a server that is down).
    pub failed: Option<String>,
    /// The small model's suggestion, which stood had the request not escalated.
    pub small: Option<String>,
    /// Tokens of the prompt the larger model was given (a local model's; a server's is
    /// not known).
    pub prompt_tokens: Option<usize>,
}

/// Totals since the completer started, for benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Requests answered from the suggestion being typed through.
    pub typed_through: u64,
    /// Requests that ran the model to the end.
    pub generations: u64,
    pub prefill_tokens: u64,
    pub decode_tokens: u64,
    /// Draft tokens checked by speculative decoding, and those that were right.
    pub drafted: u64,
    pub accepted: u64,
    /// Model runs computed on one thread (other programs kept the cores busy, or
    /// `threads` is 1).
    pub one_thread: u64,
    /// Requests handed to the larger model, and those whose answer it gave in time.
    pub escalated: u64,
    pub escalation_answers: u64,
}

/// What happened between two readings of the counters.
impl std::ops::Sub for Counters {
    type Output = Counters;

    fn sub(self, before: Counters) -> Counters {
        Counters {
            typed_through: self.typed_through - before.typed_through,
            generations: self.generations - before.generations,
            prefill_tokens: self.prefill_tokens - before.prefill_tokens,
            decode_tokens: self.decode_tokens - before.decode_tokens,
            drafted: self.drafted - before.drafted,
            accepted: self.accepted - before.accepted,
            one_thread: self.one_thread - before.one_thread,
            escalated: self.escalated - before.escalated,
            escalation_answers: self.escalation_answers - before.escalation_answers,
        }
    }
}

#[derive(Default)]
pub(super) struct AtomicCounters {
    pub(super) typed_through: AtomicU64,
    pub(super) generations: AtomicU64,
    pub(super) prefill_tokens: AtomicU64,
    pub(super) decode_tokens: AtomicU64,
    pub(super) drafted: AtomicU64,
    pub(super) accepted: AtomicU64,
    pub(super) one_thread: AtomicU64,
    pub(super) escalated: AtomicU64,
    pub(super) escalation_answers: AtomicU64,
}
