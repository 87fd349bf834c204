//! Time as the server reads it: one [`Clock`] in the dependencies, so
//! nothing below the binary asks the operating system for the date. The
//! system clock in production; in tests, a clock that moves with tokio's
//! (paused, it moves only when the test advances it), so timers and the
//! timestamps they write can be tested without waiting. Durations and
//! deadlines use `tokio::time::Instant`, which pauses with it.

/// Milliseconds since the Unix epoch, as the server writes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some((ms, at))`: `ms` at tokio's `at`.
    origin: Option<(i64, tokio::time::Instant)>,
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self { origin: None }
    }

    /// A clock that reads `start_ms` now and moves with tokio's time.
    pub fn following_tokio(start_ms: i64) -> Self {
        Self { origin: Some((start_ms, tokio::time::Instant::now())) }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match self.origin {
            None => system_ms(),
            Some((ms, at)) => {
                let since = i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX);
                ms.saturating_add(since)
            }
        }
    }
}

/// The system's wall clock in milliseconds since the Unix epoch (0 for a
/// clock set before 1970, which no timestamp here can mean).
fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_following_clock_moves_only_with_tokio_time() {
        let clock = Clock::following_tokio(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(clock.now_ms(), 1_250);
    }

    #[test]
    fn the_system_clock_reads_the_date() {
        // 2020-01-01 in ms: any machine running this is later.
        assert!(Clock::system().now_ms() > 1_577_836_800_000);
    }
}
