//! How many threads llama.cpp computes with, decided before every decode.
//!
//! Two threads read a prompt about 1.6x faster than one on an idle 2-core machine and
//! decode a token 1.5x faster, but llama.cpp's OpenMP threads meet at a barrier hundreds
//! of times a decode: when another program keeps a core busy, every barrier waits for a
//! thread the kernel has set aside, and the same work takes two to five times as long as
//! with one thread (a build or a test run beside the editor is enough). So by default the engine
//! computes with all its threads while the machine's other cores are free and with one
//! while other programs keep them busy. It tells the two apart by the machine's CPU time
//! (`/proc/stat`) less its own (`/proc/self/stat`), sampled at most every quarter second.
//!
//! The switch is OpenMP's own: with no active parallel levels allowed
//! (`omp_set_max_active_levels(0)`), llama.cpp's parallel regions run on the calling
//! thread alone, and ggml sizes its work to the threads it gets. The setting belongs to
//! the process, so engines sharing one (tests) share the last decision: a matter of
//! speed only.

use std::time::{Duration, Instant};

/// The threads llama.cpp may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// Always this many (the user's `threads` setting).
    Fixed(u32),
    /// This many while the other cores are free, else one.
    Adaptive(u32),
}

impl Threads {
    /// The most threads the context is made for.
    pub fn most(self) -> u32 {
        match self {
            Threads::Fixed(n) | Threads::Adaptive(n) => n.max(1),
        }
    }
}

/// The cores this process may run on (1 when the platform cannot tell).
pub fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get()) as u32
}

/// Threads when the user sets none. Where the engine can tell whether other programs are
/// busy (Linux), up to half the cores but at least 2, at most 8: on a 2-core machine both
/// cores while nothing else runs. Elsewhere half the cores, at least 1: threads that
/// spin while another program holds their core stall every decode.
pub fn default_threads() -> Threads {
    let cores = cores();
    if ADAPTS {
        Threads::Adaptive((cores / 2).max(2).min(cores).min(8))
    } else {
        Threads::Fixed((cores / 2).clamp(1, 8))
    }
}

/// Whether this platform can switch between parallel and serial decoding.
const ADAPTS: bool = cfg!(target_os = "linux");

/// How often the machine's load is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// Chooses, before each decode, between the configured threads and one.
pub(super) struct Governor {
    threads: Threads,
    cores: f64,
    /// The last sample of the machine's and this process's CPU time, and when it was taken.
    last: Option<(Instant, CpuTimes)>,
    /// Cores other programs kept busy over the last sampled interval.
    others_busy: f64,
    /// Whether parallel regions are allowed now.
    parallel: bool,
}

impl Governor {
    pub(super) fn new(threads: Threads) -> Governor {
        let cores = f64::from(cores());
        set_parallel(true);
        Governor {
            threads,
            cores,
            // A fixed count never looks at the load.
            last: matches!(threads, Threads::Adaptive(_))
                .then(CpuTimes::read)
                .flatten()
                .map(|t| (Instant::now(), t)),
            others_busy: 0.0,
            parallel: true,
        }
    }

    /// Decides the threads for the next decode and returns them.
    pub(super) fn before_decode(&mut self) -> u32 {
        let Threads::Adaptive(most) = self.threads else {
            return self.threads.most();
        };
        if most <= 1 {
            return 1;
        }
        self.sample();
        let parallel = allows_parallel(self.others_busy, self.cores, most);
        if parallel != self.parallel {
            set_parallel(parallel);
            self.parallel = parallel;
            tracing::debug!(
                "other programs keep {:.1} of {} cores busy: decoding with {} thread(s)",
                self.others_busy,
                self.cores,
                if parallel { most } else { 1 }
            );
        }
        if parallel { most } else { 1 }
    }

    fn sample(&mut self) {
        let now = Instant::now();
        if let Some((at, _)) = self.last
            && now.duration_since(at) < SAMPLE_EVERY
        {
            return;
        }
        let Some(times) = CpuTimes::read() else {
            return;
        };
        if let Some((_, before)) = self.last {
            self.others_busy = times.others_busy_since(&before, self.cores);
        }
        self.last = Some((now, times));
    }
}

/// Engines of one process (the small model and the larger one it escalates to) take turns
/// on the cores, one decode call at a time: two decoding at once would run more threads
/// than there are cores, and OpenMP stalls at every barrier then.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The cores, until the guard drops.
pub(super) fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether `most` threads find free cores while other programs keep `others_busy` of
/// `cores` busy, with half a core of slack for the editor's own bursts.
fn allows_parallel(others_busy: f64, cores: f64, most: u32) -> bool {
    others_busy <= cores - f64::from(most) + 0.5
}

/// CPU time in clock ticks: the whole machine's, busy and idle, and this process's.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CpuTimes {
    busy: u64,
    idle: u64,
    own: u64,
}

impl CpuTimes {
    fn read() -> Option<CpuTimes> {
        if !ADAPTS {
            return None;
        }
        let machine = std::fs::read_to_string("/proc/stat").ok()?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (busy, idle) = parse_machine(&machine)?;
        Some(CpuTimes {
            busy,
            idle,
            own: parse_own(&own)?,
        })
    }

    /// Cores that programs other than this one kept busy between `before` and `self`.
    fn others_busy_since(&self, before: &CpuTimes, cores: f64) -> f64 {
        let busy = self.busy.saturating_sub(before.busy);
        let total = busy + self.idle.saturating_sub(before.idle);
        if total == 0 {
            return 0.0;
        }
        let others = busy.saturating_sub(self.own.saturating_sub(before.own));
        others as f64 / total as f64 * cores
    }
}

/// The busy and idle ticks of all CPUs, from the first line of `/proc/stat`:
/// `cpu user nice system idle iowait irq softirq steal guest guest_nice`. Time the
/// hypervisor gave to other machines (steal) counts as busy: this machine did not get it.
fn parse_machine(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let at = |i: usize| fields.get(i).copied().unwrap_or(0);
    let idle = at(3) + at(4);
    // guest and guest_nice are already counted in user and nice.
    let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    (fields.len() >= 4).then_some((busy, idle))
}

/// This process's user and system ticks, fields 14 and 15 of `/proc/self/stat`; the
/// command name (field 2, in parentheses) may hold spaces, so fields count from its end.
fn parse_own(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(target_os = "linux")]
fn set_parallel(parallel: bool) {
    unsafe extern "C" {
        // libgomp, which llama.cpp's CPU backend is built against (the `openmp` feature).
        fn omp_set_max_active_levels(levels: std::ffi::c_int);
    }
    // SAFETY: sets an OpenMP setting read when the next parallel region starts; llama.cpp
    // starts its regions on the engine thread, which is the only caller.
    unsafe { omp_set_max_active_levels(if parallel { 1 } else { 0 }) }
}

#[cfg(not(target_os = "linux"))]
fn set_parallel(_parallel: bool) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_line_splits_into_busy_and_idle_ticks() {
        let stat = "cpu  100 5 50 1000 20 1 2 7 30 0\ncpu0 50 2 25 500 10 0 1 3 15 0\n";
        assert_eq!(
            parse_machine(stat),
            Some((100 + 5 + 50 + 1 + 2 + 7, 1000 + 20))
        );
        assert_eq!(parse_machine("cpu0 1 2 3 4\n"), None);
        assert_eq!(parse_machine("cpu  1 x 3 4\n"), None);
        assert_eq!(parse_machine(""), None);
    }

    #[test]
    fn own_ticks_are_read_after_a_command_name_with_spaces() {
        let stat = "4242 (nib (x) y) S 1 4242 4242 0 -1 4194304 900 0 0 0 123 45 0 0 20 0 3 0";
        assert_eq!(parse_own(stat), Some(168));
        assert_eq!(parse_own("4242 (nib) S 1"), None);
    }

    #[test]
    fn busy_time_of_other_programs_excludes_the_engines_own() {
        let before = CpuTimes {
            busy: 1000,
            idle: 1000,
            own: 100,
        };
        // Over 200 ticks of a 2-core machine: 150 busy, 100 of them this process's.
        let after = CpuTimes {
            busy: 1150,
            idle: 1050,
            own: 200,
        };
        let others = after.others_busy_since(&before, 2.0);
        assert!((others - 0.5).abs() < 1e-9, "{others}");
        // A clock that did not move, or counters that went back, mean no load.
        assert_eq!(before.others_busy_since(&before, 2.0), 0.0);
        assert_eq!(before.others_busy_since(&after, 2.0), 0.0);
    }

    #[test]
    fn threads_run_in_parallel_only_where_other_programs_leave_cores_free() {
        // 2 cores, 2 threads: an editor's bursts leave room, a build on one core does not.
        assert!(allows_parallel(0.0, 2.0, 2));
        assert!(allows_parallel(0.4, 2.0, 2));
        assert!(!allows_parallel(0.9, 2.0, 2));
        // 8 cores, 4 threads: up to four and a half busy cores leave four free.
        assert!(allows_parallel(4.5, 8.0, 4));
        assert!(!allows_parallel(5.0, 8.0, 4));
    }

    #[test]
    fn a_fixed_count_is_used_as_it_is() {
        let mut governor = Governor::new(Threads::Fixed(3));
        assert_eq!(governor.before_decode(), 3);
        let mut governor = Governor::new(Threads::Adaptive(1));
        assert_eq!(governor.before_decode(), 1);
    }

    #[test]
    fn the_default_uses_at_least_one_thread_and_no_more_than_the_cores() {
        let cores = cores();
        let most = default_threads().most();
        assert!(most >= 1 && most <= cores.max(1), "{most} of {cores}");
    }
}
