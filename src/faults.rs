//! Faults provoked on purpose, for the tests that prove nib survives them; and the words
//! of a caught panic.
//!
//! Only Rust code linking the library can arm one (`nib::faults::arm`): no setting, flag or
//! environment variable reaches it, and an unarmed check costs one atomic load.

use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// A panic while a completion request is being answered.
    PanicInRequest = 1,
    /// A panic while a document change is applied.
    PanicInEdit,
    /// The engine thread panics outside any job, and so dies.
    EngineThreadDies,
    /// The next model loaded says it cannot move cached entries to new positions (as
    /// models whose positions llama.cpp cannot shift say).
    ModelCannotMove,
}

static ARMED: AtomicU8 = AtomicU8::new(0);

/// Arms `fault`: the next time nib passes its place, it happens (once).
pub fn arm(fault: Fault) {
    ARMED.store(fault as u8, Ordering::SeqCst);
}

/// Panics when `fault` is armed, disarming it.
pub(crate) fn fire(fault: Fault) {
    if take(fault) {
        panic!("provoked fault: {fault:?}");
    }
}

/// Whether `fault` is armed, disarming it.
pub(crate) fn take(fault: Fault) -> bool {
    let armed = ARMED.load(Ordering::Relaxed);
    armed == fault as u8
        && ARMED
            .compare_exchange(armed, 0, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
}

/// What a caught panic said.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}
