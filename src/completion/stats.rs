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
    /// Answered from the suggestion being typed through, without the model.
    pub typed_through: bool,
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
}
