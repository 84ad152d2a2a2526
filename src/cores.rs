//! The other cores: helper threads kept for the whole run, which join the work the running
//! thread offers.
//!
//! Why not a new thread per parallel step: on the 2-vCPU machine `gen` is measured on, the
//! kernel queued a new thread on its parent's (busy) CPU and the idle vCPU, halted, took
//! 1-4 ms to pick it up (measured with a probe program: 0.06-3.9 ms before a new thread ran,
//! against 0.01 ms for a thread already spinning). `gen` of 10 environments takes about
//! 12 ms in five parallel steps, so most of that parallelism was lost to waiting. A helper
//! started once, at the beginning, pays that wait while the spec loads, and between steps it
//! stays awake for a moment ([`SPIN`]) so that the next step finds it running. A new helper
//! asks to leave its parent's CPU as soon as it runs, and the parent gives it that turn at
//! once ([`leave_cpu`]): left to the scheduler, that wait was itself 1-5 ms. (The same
//! probe shows this VM's scheduler keeping two busy threads on one vCPU for milliseconds in
//! about half of the runs: parallelism here is a chance, not a promise.)
//!
//! The work given to [`on_every_core`] must share itself out (a counter of items taken in
//! turn, as every caller does): a helper joins whenever it is free, or never, and the
//! offering thread does whatever is left. So a busy or missing helper costs time, never a
//! result. Steps nest: one offered while another runs (by its offering thread or by a
//! helper) is taken by the next free helper.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// How long an idle helper stays awake (yielding) before it sleeps: longer than the gaps
/// between the steps of one `gen` (a few hundred microseconds), short enough that an idle
/// process soon costs nothing.
const SPIN: Duration = Duration::from_millis(2);

/// At most this many threads work on one step (one is the offering thread).
const MAX_THREADS: usize = 8;

/// The threads a step can use on this machine: the cores, at most [`MAX_THREADS`].
pub fn available() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)
    })
}

/// Runs `job` on a helper when one is free before this thread needs it, else never: for work
/// that is only done ahead of time (whoever needs its result first does it otherwise).
pub fn ahead_of_time(job: impl FnOnce() + Send + 'static) {
    let Some(pool) = pool() else {
        return;
    };
    let mut state = pool.lock();
    state.ahead.push(Box::new(job));
    pool.epoch.fetch_add(1, Ordering::Release);
    pool.offer(state);
}

/// Runs `work` on this thread and on each helper that is free before it is done, and returns
/// what each run returned (this thread's first). `work` must share the items out itself.
pub fn on_every_core<T: Send>(work: &(dyn Fn() -> T + Sync)) -> Vec<T> {
    let Some(pool) = pool() else {
        return vec![work()];
    };
    let results: Mutex<Vec<T>> = Mutex::new(Vec::new());
    let panicked: Mutex<Option<Box<dyn Any + Send>>> = Mutex::new(None);
    let helper_run = || match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(result),
        Err(panic) => {
            panicked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(panic);
        }
    };
    let helper_run: &(dyn Fn() + Sync) = &helper_run;
    // SAFETY: the reference is handed to the helpers only while this function runs: it is
    // withdrawn below once no helper runs it (`running` is zero, under the lock, so none
    // can take it after), and `helper_run` catches panics, so a helper always counts back.
    let helper_run: &'static (dyn Fn() + Sync) = unsafe { std::mem::transmute(helper_run) };
    // Offered even while another step is (a step offered from inside a step): a helper
    // takes the newest it has not run.
    let id = {
        let mut state = pool.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.offers.push(Offer {
            id,
            run: helper_run,
            running: 0,
        });
        pool.epoch.fetch_add(1, Ordering::Release);
        pool.offer(state);
        id
    };
    let mine = catch_unwind(AssertUnwindSafe(work));
    let mut state = pool.lock();
    let at = |state: &State| state.offers.iter().position(|o| o.id == id);
    // Withdrawn once no helper runs it any more: a helper may still take it until then, and
    // finds nothing left to do.
    while let Some(i) = at(&state) {
        if state.offers[i].running == 0 {
            state.offers.remove(i);
            break;
        }
        state = pool.finished.wait(state).unwrap_or_else(|e| e.into_inner());
    }
    drop(state);
    let mine = mine.unwrap_or_else(|panic| resume_unwind(panic));
    if let Some(panic) = panicked.into_inner().unwrap_or_else(|e| e.into_inner()) {
        resume_unwind(panic);
    }
    let mut all = vec![mine];
    all.extend(results.into_inner().unwrap_or_else(|e| e.into_inner()));
    all
}

/// `job(i, scratch)` for every `i` below `count`, on every core, each thread with its own
/// scratch value; the results in the order of `i`.
pub fn each_in_order<S: Default, T: Send>(
    count: usize,
    job: impl Fn(usize, &mut S) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut scratch = S::default();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return done;
            }
            done.push((i, job(i, &mut scratch)));
        }
    };
    let mut done: Vec<(usize, T)> = on_every_core(&work).into_iter().flatten().collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// Runs `a` and `b`, taken in that order by this thread and a helper that is free before
/// both are taken (with none, both run here, `a` first).
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    let a = Mutex::new(Some(a));
    let b = Mutex::new(Some(b));
    let taken = AtomicUsize::new(0);
    let run = || -> Option<Result<A, B>> {
        match taken.fetch_add(1, Ordering::Relaxed) {
            0 => take(&a).map(|a| Ok(a())),
            1 => take(&b).map(|b| Err(b())),
            _ => None,
        }
    };
    let (mut ra, mut rb) = (None, None);
    for result in on_every_core(&|| {
        let mut results = Vec::new();
        while let Some(result) = run() {
            results.push(result);
        }
        results
    })
    .into_iter()
    .flatten()
    {
        match result {
            Ok(a) => ra = Some(a),
            Err(b) => rb = Some(b),
        }
    }
    (
        ra.expect("every task of a join runs"),
        rb.expect("every task of a join runs"),
    )
}

fn take<F>(slot: &Mutex<Option<F>>) -> Option<F> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

type AheadJob = Box<dyn FnOnce() + Send>;

struct Pool {
    state: Mutex<State>,
    /// Signalled when there is something to do (for sleeping helpers).
    work: Condvar,
    /// Signalled when a helper finishes a step.
    finished: Condvar,
    /// Raised (under the lock) whenever something is offered: what a spinning helper watches.
    epoch: AtomicU64,
}

/// A step on offer: the work (valid until withdrawn) and how many helpers run it now.
struct Offer {
    id: u64,
    run: &'static (dyn Fn() + Sync),
    running: usize,
}

#[derive(Default)]
struct State {
    offers: Vec<Offer>,
    next_id: u64,
    ahead: Vec<AheadJob>,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn offer(&self, state: MutexGuard<'_, State>) {
        drop(state);
        self.work.notify_all();
    }

    /// A helper's life: run what is offered (the newest step first, each step once); with
    /// nothing to do (at its start too), wait a moment awake, then sleep until more.
    fn serve(&'static self) {
        let mut ran: Vec<u64> = Vec::new();
        loop {
            let epoch = self.epoch.load(Ordering::Acquire);
            let mut state = self.lock();
            ran.retain(|id| state.offers.iter().any(|o| o.id == *id));
            if let Some(offer) = state.offers.iter_mut().rev().find(|o| !ran.contains(&o.id)) {
                let (id, run) = (offer.id, offer.run);
                offer.running += 1;
                ran.push(id);
                drop(state);
                run();
                let mut state = self.lock();
                if let Some(offer) = state.offers.iter_mut().find(|o| o.id == id) {
                    offer.running -= 1;
                }
                drop(state);
                self.finished.notify_all();
                continue;
            }
            if let Some(job) = state.ahead.pop() {
                drop(state);
                let _ = catch_unwind(AssertUnwindSafe(job));
                continue;
            }
            drop(state);
            let idle = Instant::now();
            // Yielding, not only spinning: when the scheduler has put this helper on the
            // offering thread's CPU (this VM packs threads onto one vCPU for milliseconds at
            // a time), a bare spin would take half of that thread's time.
            while self.epoch.load(Ordering::Acquire) == epoch && idle.elapsed() < SPIN {
                std::thread::yield_now();
            }
            // Raised only under the lock, so checked under it nothing is missed.
            let state = self.lock();
            if self.epoch.load(Ordering::Acquire) == epoch {
                drop(self.work.wait(state));
            }
        }
    }
}

/// The helpers, started on first use; `None` on a single core.
fn pool() -> Option<&'static Pool> {
    static POOL: OnceLock<Option<&'static Pool>> = OnceLock::new();
    *POOL.get_or_init(|| {
        let helpers = available() - 1;
        if helpers == 0 {
            return None;
        }
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            finished: Condvar::new(),
            epoch: AtomicU64::new(0),
        }));
        let parent_cpu = current_cpu();
        for n in 0..helpers {
            let spawned = std::thread::Builder::new()
                .name(format!("tgforge-helper-{n}"))
                .spawn(move || {
                    leave_cpu(parent_cpu);
                    pool.serve()
                });
            if spawned.is_err() {
                if n == 0 {
                    return None;
                }
                break;
            }
        }
        // The new threads start queued on this CPU, behind this thread: a turn for them to
        // move away (`leave_cpu`) now, instead of when this one next waits (up to 4 ms later).
        std::thread::yield_now();
        Some(pool)
    })
}

/// The CPU this thread runs on, where the system says.
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu takes no arguments and touches no memory of ours.
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Moves the calling thread (a new helper) off `cpu` (its parent's) when another CPU is
/// allowed, then allows every CPU again. A new thread starts queued on its parent's CPU,
/// which is busy with the parent: on the 2-vCPU machine `gen` is measured on, the idle CPU
/// took 1-5 ms to take it over (`perf sched timehist`), while the parent, alone, did the
/// work offered to the helper. Asking for the move takes it over at once.
fn leave_cpu(cpu: Option<usize>) {
    #[cfg(target_os = "linux")]
    if let Some(cpu) = cpu.filter(|&cpu| cpu < libc::CPU_SETSIZE as usize) {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the sets are plain bit arrays owned here, of the size passed with them;
        // the calls change only this thread's scheduling (an error changes nothing).
        unsafe {
            let mut allowed: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                return;
            }
            let mut elsewhere = allowed;
            libc::CPU_CLR(cpu, &mut elsewhere);
            if libc::CPU_COUNT(&elsewhere) > 0 && libc::sched_setaffinity(0, size, &elsewhere) == 0
            {
                libc::sched_setaffinity(0, size, &allowed);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpu;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Every item is done exactly once, whoever takes it, and each run's result comes back.
    #[test]
    fn a_step_does_every_item_once() {
        for _ in 0..200 {
            let next = AtomicUsize::new(0);
            let done: Vec<AtomicUsize> = (0..1000).map(|_| AtomicUsize::new(0)).collect();
            let counts = on_every_core(&|| {
                let mut mine = 0;
                while let Some(item) = done.get(next.fetch_add(1, Ordering::Relaxed)) {
                    item.fetch_add(1, Ordering::Relaxed);
                    mine += 1;
                }
                mine
            });
            assert!(done.iter().all(|d| d.load(Ordering::Relaxed) == 1));
            assert_eq!(counts.iter().sum::<usize>(), 1000);
            assert!(!counts.is_empty() && counts.len() <= available());
        }
    }

    /// Results come back in the order of the items, whichever thread did each.
    #[test]
    fn each_in_order_keeps_the_order_of_the_items() {
        for _ in 0..50 {
            let squares = each_in_order(500, |i, calls: &mut usize| {
                *calls += 1;
                i * i
            });
            assert_eq!(squares, (0..500).map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn join_returns_both_results_and_steps_nest() {
        let (a, b) = join(
            || on_every_core(&|| 1).iter().sum::<i32>(),
            || on_every_core(&|| 2).len(),
        );
        assert!(a >= 1);
        assert!(b >= 1);
    }

    #[test]
    fn a_panic_in_a_step_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            on_every_core(&|| -> usize { panic!("boom") });
        });
        assert!(caught.is_err());
        // The helpers still serve the next step.
        assert_eq!(on_every_core(&|| 7)[0], 7);
    }
}
