//! Reconnect jitter (issue #11, opt-in): phoenix.js reconnects every client on the same
//! deterministic schedule (10 ms, 50 ms, …, spec §2.1), so a server deploy brings all of
//! them back within the same few milliseconds (phoenix #4045, #5942). With jitter on, each
//! client draws its delay at random under the same schedule, so the delays never exceed
//! what phoenix.js would wait.

/// `reconnectJitter`: how reconnect delays are randomized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Jitter {
    /// phoenix.js's behaviour: exactly `reconnectAfterMs(tries)`.
    #[default]
    None,
    /// "Full jitter": uniform in `[0, reconnectAfterMs(tries))`.
    Full,
    /// "Decorrelated jitter": uniform in `[first, 3 × previous delay]`, capped at
    /// `reconnectAfterMs(tries)`, where `first` is `reconnectAfterMs(1)`. Delays grow
    /// with the attempts without the clients falling back into step.
    Decorrelated,
}

/// A source of random numbers in `[0, 1)`: `Math.random` in the browser, seeded in tests.
pub type Random = Box<dyn FnMut() -> f64>;

/// A small deterministic generator (xorshift64*) for the engine's default `Random`, so
/// native runs are reproducible. The browser shell passes `Math.random` instead.
pub fn seeded(seed: u64) -> Random {
    let mut state = seed | 1;
    Box::new(move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// The delay to wait before the next reconnect: `scheduled` is `reconnectAfterMs(tries)`,
/// `first` is `reconnectAfterMs(1)`, `previous` the delay used last time in this cycle (0
/// when none), `r` a random number in `[0, 1)`.
pub fn jittered(jitter: Jitter, scheduled: f64, first: f64, previous: f64, r: f64) -> f64 {
    let r = if (0.0..1.0).contains(&r) { r } else { 0.0 };
    match jitter {
        Jitter::None => scheduled,
        Jitter::Full => scheduled * r,
        Jitter::Decorrelated => {
            let lo = first.min(scheduled).max(0.0);
            let prev = if previous > 0.0 { previous } else { lo };
            let hi = (prev * 3.0).min(scheduled).max(lo);
            lo + r * (hi - lo)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_jitter_keeps_the_schedule() {
        assert_eq!(jittered(Jitter::None, 5000.0, 10.0, 0.0, 0.7), 5000.0);
    }

    #[test]
    fn full_jitter_scales_the_scheduled_delay() {
        assert_eq!(jittered(Jitter::Full, 1000.0, 10.0, 0.0, 0.25), 250.0);
        assert_eq!(jittered(Jitter::Full, 1000.0, 10.0, 0.0, 0.0), 0.0);
    }

    #[test]
    fn decorrelated_jitter_stays_between_the_first_delay_and_three_times_the_last() {
        // previous 100 → [10, 300], capped by the schedule's 5000.
        assert_eq!(
            jittered(Jitter::Decorrelated, 5000.0, 10.0, 100.0, 0.0),
            10.0
        );
        assert_eq!(
            jittered(Jitter::Decorrelated, 5000.0, 10.0, 100.0, 0.5),
            155.0
        );
        // capped by the schedule
        let capped = jittered(Jitter::Decorrelated, 200.0, 10.0, 100.0, 0.999_999);
        assert!((199.9..200.0).contains(&capped), "{capped}");
        // the first attempt has nothing to decorrelate from
        assert_eq!(jittered(Jitter::Decorrelated, 10.0, 10.0, 0.0, 0.5), 10.0);
    }

    #[test]
    fn out_of_range_random_numbers_read_as_zero() {
        assert_eq!(jittered(Jitter::Full, 1000.0, 10.0, 0.0, f64::NAN), 0.0);
        assert_eq!(jittered(Jitter::Full, 1000.0, 10.0, 0.0, 1.5), 0.0);
    }

    #[test]
    fn the_seeded_generator_stays_in_range_and_varies() {
        let mut r = seeded(42);
        let xs: Vec<f64> = (0..1000).map(|_| r()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
    }
}
