//! Typed settings, loaded from `config/default.toml` (built in) or `--config`.
//!
//! Validated at load: an unknown key or a bad value is an error naming it.
//! Settings never hold secrets; those come from the environment.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use croupier_rng::ReseedPolicy;
use serde::Deserialize;

/// The built-in defaults, so the binary works from any directory.
const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// All settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The certified RNG's schedule.
    pub rng: RngSettings,
    /// `croupier simulate`.
    pub simulate: SimulateSettings,
}

/// `[rng]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RngSettings {
    /// Draws between reseeds (0 = never by count).
    pub reseed_after_draws: u64,
    /// Seconds between reseeds (0 = never by age).
    pub reseed_after_secs: u64,
    /// Background cycling bound in words (0 = off).
    pub cycle_max_words: u32,
    /// Tick interval in milliseconds.
    pub tick_ms: u64,
}

impl RngSettings {
    /// The generator policy these settings describe.
    pub fn policy(&self) -> ReseedPolicy {
        ReseedPolicy {
            max_draws: (self.reseed_after_draws > 0).then_some(self.reseed_after_draws),
            max_age: (self.reseed_after_secs > 0).then(|| Duration::from_secs(self.reseed_after_secs)),
            cycle_max_words: self.cycle_max_words,
        }
    }
}

/// `[simulate]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateSettings {
    /// Worker threads (0 = one per core).
    pub threads: usize,
}

impl Settings {
    /// Loads `path`, or the built-in defaults when `None`.
    ///
    /// # Errors
    /// An unreadable file, bad TOML, an unknown key or an invalid value.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (text, origin) = match path {
            Some(p) => (
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
                p.display().to_string(),
            ),
            None => (DEFAULT_TOML.to_owned(), "built-in config/default.toml".to_owned()),
        };
        let settings: Settings = toml::from_str(&text).with_context(|| format!("invalid settings in {origin}"))?;
        settings.validate().with_context(|| format!("invalid settings in {origin}"))?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.rng.tick_ms == 0 {
            bail!("rng.tick_ms must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_defaults_load() {
        let s = Settings::load(None).unwrap();
        assert_eq!(s.rng.policy(), ReseedPolicy::default());
    }

    #[test]
    fn unknown_key_is_named() {
        let dir = std::env::temp_dir().join(format!("croupier-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        let text = DEFAULT_TOML.replace("tick_ms = 250", "tick_ms = 250\nbogus_key = 1");
        std::fs::write(&path, text).unwrap();
        let err = format!("{:#}", Settings::load(Some(&path)).unwrap_err());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("bogus_key"), "{err}");
    }
}
