//! What both fronts do around a completion: a newer request of the same key (a document,
//! a client) cancels the older one, a dropped request stops its decode, a panic is an
//! error rather than a lost connection, and every error is one of a few [`Failure`]s
//! that each front answers in its own protocol.

use std::future::Future;
use std::sync::Arc;

use dashmap::DashMap;

use super::CompletionError;
use crate::engine::{CancelFlag, EngineError};

/// The running request per key.
#[derive(Clone, Default)]
pub struct Newest(Arc<DashMap<String, CancelFlag>>);

/// A request's place in [`Newest`]. Dropped (the request finished, or its future was
/// dropped by a cancel or a closed connection), it cancels its decode and leaves its
/// place, unless a newer request has taken it.
pub struct Ticket {
    newest: Newest,
    key: String,
    cancel: CancelFlag,
}

impl Ticket {
    /// The flag the request's work watches.
    pub fn flag(&self) -> CancelFlag {
        self.cancel.clone()
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.cancel.cancel();
        let mine = &self.cancel;
        self.newest
            .0
            .remove_if(&self.key, |_, flag| flag.same(mine));
    }
}

impl Newest {
    /// A ticket for a new request of `key`; the key's older request is cancelled.
    pub fn begin(&self, key: impl Into<String>) -> Ticket {
        let key = key.into();
        let cancel = self.begin_detached(key.clone());
        Ticket {
            newest: self.clone(),
            key,
            cancel,
        }
    }

    /// The flag of a new request of `key` that is handed off and runs on its own (a read
    /// ahead queued for the engine): it keeps its place until a newer request of the key,
    /// `cancel` or `cancel_all` cancels it. The key's older request is cancelled.
    pub fn begin_detached(&self, key: impl Into<String>) -> CancelFlag {
        let cancel = CancelFlag::default();
        if let Some(older) = self.0.insert(key.into(), cancel.clone()) {
            older.cancel();
        }
        cancel
    }

    /// Cancels the running request of `key`, if any.
    pub fn cancel(&self, key: &str) {
        if let Some((_, flag)) = self.0.remove(key) {
            flag.cancel();
        }
    }

    /// Cancels every running request.
    pub fn cancel_all(&self) {
        self.0.retain(|_, flag| {
            flag.cancel();
            false
        });
    }

    /// Keys with a running request.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs `work` as the newest request of `key`, in a task of its own so that a panic
    /// in it becomes [`CompletionError::Panicked`]. Dropping the returned future cancels it.
    pub async fn run<T, F>(
        &self,
        key: impl Into<String>,
        work: impl FnOnce(CancelFlag) -> F,
    ) -> Result<T, CompletionError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, CompletionError>> + Send + 'static,
    {
        let ticket = self.begin(key);
        let result = caught(work(ticket.flag())).await;
        drop(ticket);
        result
    }
}

/// Runs `work` in a task of its own; a panic in it becomes [`CompletionError::Panicked`]
/// (what both fronts answer as an internal error) instead of a lost answer.
pub async fn caught<T, F>(work: F) -> Result<T, CompletionError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, CompletionError>> + Send + 'static,
{
    tokio::spawn(work).await.unwrap_or_else(|join| {
        let message = match join.try_into_panic() {
            Ok(panic) => crate::faults::panic_message(&panic),
            Err(join) => join.to_string(),
        };
        tracing::error!("a completion request failed: {message}");
        Err(CompletionError::Panicked(message))
    })
}

/// Why a request has no answer, as both fronts tell their clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A newer request of the same key took over, or the client cancelled it.
    Cancelled,
    /// The model is still loading.
    Loading,
    /// The request itself is wrong (a position outside the text).
    BadInput(String),
    /// The model could not be loaded; said once when loading failed.
    Unavailable(String),
    /// The engine failed on this request (it died, llama.cpp refused); the next may work.
    Engine(String),
    /// A bug: the request's task panicked.
    Internal(String),
}

impl From<CompletionError> for Failure {
    fn from(e: CompletionError) -> Failure {
        match e {
            CompletionError::Engine(EngineError::Cancelled) => Failure::Cancelled,
            CompletionError::Engine(EngineError::Loading) => Failure::Loading,
            CompletionError::Engine(EngineError::Failed(message)) => Failure::Unavailable(message),
            e @ CompletionError::BadOffset { .. } => Failure::BadInput(e.to_string()),
            CompletionError::Engine(e) => Failure::Engine(e.to_string()),
            CompletionError::Panicked(message) => Failure::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_newer_request_cancels_the_older_and_a_finished_one_leaves() {
        let newest = Newest::default();
        let older = newest.begin("a.py");
        let other = newest.begin("b.py");
        let newer = newest.begin("a.py");
        assert!(older.flag().is_cancelled());
        assert!(!newer.flag().is_cancelled());
        assert!(!other.flag().is_cancelled());
        // The older one ending does not take the newer one's place.
        drop(older);
        assert_eq!(newest.len(), 2);
        newest.cancel("b.py");
        assert!(other.flag().is_cancelled());
        let flag = newer.flag();
        drop(newer);
        assert!(flag.is_cancelled(), "a dropped ticket stops its decode");
        drop(other);
        assert!(newest.is_empty());

        // A request handed off keeps its flag until something cancels it.
        let read_ahead = newest.begin_detached("a.py");
        assert_eq!(newest.len(), 1);
        assert!(!read_ahead.is_cancelled());
        newest.cancel_all();
        assert!(read_ahead.is_cancelled() && newest.is_empty());
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_an_error() {
        let newest = Newest::default();
        let result: Result<(), _> = newest.run("a.py", |_| async { panic!("boom") }).await;
        assert_eq!(result, Err(CompletionError::Panicked("boom".into())));
        assert!(newest.is_empty());
        let answered = newest.run("a.py", |_| async { Ok(7) }).await;
        assert_eq!(answered, Ok(7));
    }

    #[test]
    fn errors_map_to_what_clients_are_told() {
        let cancelled = CompletionError::Engine(EngineError::Cancelled);
        assert_eq!(Failure::from(cancelled), Failure::Cancelled);
        let bad = CompletionError::BadOffset { cursor: 9, len: 3 };
        assert!(matches!(Failure::from(bad), Failure::BadInput(m) if m.contains("offset 9")));
        let failed = CompletionError::Engine(EngineError::Failed("no model".into()));
        assert_eq!(
            Failure::from(failed),
            Failure::Unavailable("no model".into())
        );
    }
}
