//! Timers (spec §8) without a clock: deadlines are numbers in milliseconds that the shell
//! passes in as `now`, and one queue holds every deadline of a socket so that the browser
//! needs a single `setTimeout` (ARCHITECTURE.md: one deadline source).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Milliseconds on the shell's clock (`Date.now()` in the browser, simulated in tests).
pub type Time = f64;

/// A backoff schedule: `tries → delay in ms` (`reconnectAfterMs`, `rejoinAfterMs`).
pub type Schedule = Box<dyn Fn(u32) -> f64>;

/// phoenix.js's default `reconnectAfterMs` (spec §2.1): 10, 50, 100, 150, 200, 250, 500,
/// 1000, 2000, then 5000 ms forever.
pub fn default_reconnect_after_ms(tries: u32) -> f64 {
    const STEPS: [f64; 9] = [
        10.0, 50.0, 100.0, 150.0, 200.0, 250.0, 500.0, 1000.0, 2000.0,
    ];
    step(&STEPS, tries, 5000.0)
}

/// phoenix.js's default `rejoinAfterMs` (spec §2.1): 1000, 2000, 5000, then 10000 ms.
pub fn default_rejoin_after_ms(tries: u32) -> f64 {
    const STEPS: [f64; 3] = [1000.0, 2000.0, 5000.0];
    step(&STEPS, tries, 10000.0)
}

/// `[…][tries-1] || fallback`: tries start at 1; 0 and anything past the end fall back.
fn step(steps: &[f64], tries: u32, fallback: f64) -> f64 {
    (tries as usize)
        .checked_sub(1)
        .and_then(|i| steps.get(i))
        .copied()
        .unwrap_or(fallback)
}

/// Turns what a user schedule returned into a delay, as `setTimeout` would read it:
/// NaN, negative or infinite delays become 0 ms.
pub fn sanitize_delay(ms: f64) -> f64 {
    if ms.is_finite() && ms > 0.0 {
        ms
    } else {
        0.0
    }
}

/// Identifies one arming of a timer. A timer owner keeps the handle of its current arming;
/// queue entries whose handle no longer matches are stale and skipped (lazy cancellation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerHandle(u64);

/// The `Timer` of phoenix.js (spec §8) as state: `tries` and the armed deadline.
#[derive(Clone, Debug, Default)]
pub struct Backoff {
    /// Incremented when the timer fires, before its callback runs.
    pub tries: u32,
    /// The current arming, if any.
    pub armed: Option<TimerHandle>,
    /// The delay of the last arming since the last reset (decorrelated jitter reads it).
    pub last_delay: f64,
}

impl Backoff {
    /// `reset()`: `tries = 0` and the timer is cleared.
    pub fn reset(&mut self) {
        self.tries = 0;
        self.armed = None;
        self.last_delay = 0.0;
    }

    /// The delay of the next `scheduleTimeout()`: `timerCalc(tries + 1)`.
    pub fn next_delay(&self, schedule: &dyn Fn(u32) -> f64) -> f64 {
        sanitize_delay(schedule(self.tries.saturating_add(1)))
    }
}

struct Entry<K> {
    at: Time,
    seq: u64,
    key: K,
}

impl<K> PartialEq for Entry<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<K> Eq for Entry<K> {}
impl<K> PartialOrd for Entry<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K> Ord for Entry<K> {
    /// Reversed so that the max-heap pops the earliest deadline; equal deadlines pop in the
    /// order they were armed, as `setTimeout` callbacks with equal delays do.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .total_cmp(&self.at)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Every deadline of a socket in one min-heap.
pub struct TimerQueue<K> {
    heap: BinaryHeap<Entry<K>>,
    next_seq: u64,
}

impl<K> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<K: Copy> TimerQueue<K> {
    /// Arms a deadline for `key` and returns the handle its owner must keep.
    pub fn arm(&mut self, at: Time, key: K) -> TimerHandle {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { at, seq, key });
        TimerHandle(seq)
    }

    /// The earliest entry, stale or not, as `(deadline, handle, key)`.
    pub fn peek(&self) -> Option<(Time, TimerHandle, K)> {
        self.heap.peek().map(|e| (e.at, TimerHandle(e.seq), e.key))
    }

    /// Removes the earliest entry.
    pub fn pop(&mut self) -> Option<(Time, TimerHandle, K)> {
        self.heap.pop().map(|e| (e.at, TimerHandle(e.seq), e.key))
    }

    /// Entries in the queue, stale ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no entry is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Drops stale entries in one pass when they outnumber the live ones, so that a socket
    /// that answers many pushes quickly does not keep their cancelled timeouts around.
    pub fn retain(&mut self, mut live: impl FnMut(TimerHandle, K) -> bool) {
        self.heap.retain(|e| live(TimerHandle(e.seq), e.key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_reconnect_schedule_steps_then_stays_at_5s() {
        let got: Vec<f64> = (1..=11).map(default_reconnect_after_ms).collect();
        assert_eq!(
            got,
            [10., 50., 100., 150., 200., 250., 500., 1000., 2000., 5000., 5000.]
        );
    }

    #[test]
    fn default_rejoin_schedule_steps_then_stays_at_10s() {
        let got: Vec<f64> = (1..=5).map(default_rejoin_after_ms).collect();
        assert_eq!(got, [1000., 2000., 5000., 10000., 10000.]);
    }

    #[test]
    fn schedules_fall_back_for_zero_tries() {
        assert_eq!(default_reconnect_after_ms(0), 5000.0);
        assert_eq!(default_rejoin_after_ms(0), 10000.0);
    }

    #[test]
    fn backoff_next_delay_uses_tries_plus_one() {
        let mut b = Backoff::default();
        assert_eq!(b.next_delay(&default_reconnect_after_ms), 10.0);
        b.tries = 3;
        assert_eq!(b.next_delay(&default_reconnect_after_ms), 150.0);
        b.reset();
        assert_eq!(b.tries, 0);
        assert!(b.armed.is_none());
    }

    #[test]
    fn user_delays_that_set_timeout_would_read_as_zero_become_zero() {
        assert_eq!(sanitize_delay(f64::NAN), 0.0);
        assert_eq!(sanitize_delay(-5.0), 0.0);
        assert_eq!(sanitize_delay(f64::INFINITY), 0.0);
        assert_eq!(sanitize_delay(7.5), 7.5);
    }

    #[test]
    fn timer_queue_pops_earliest_first_and_ties_in_arming_order() {
        let mut q = TimerQueue::default();
        q.arm(30.0, 'c');
        q.arm(10.0, 'a');
        q.arm(10.0, 'b');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, _, k)| k)).collect();
        assert_eq!(order, ['a', 'b', 'c']);
    }

    #[test]
    fn timer_queue_retain_drops_stale_entries() {
        let mut q = TimerQueue::default();
        let keep = q.arm(1.0, 1);
        q.arm(2.0, 2);
        q.retain(|h, _| h == keep);
        assert_eq!(q.len(), 1);
        assert_eq!(q.peek().map(|(_, _, k)| k), Some(1));
    }
}
