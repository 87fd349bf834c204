//! The theoretical RTP of a rule set under total-dependent basic strategy.
//!
//! Blackjack's return has no closed form; it is taken from the published
//! effects of rule variations (the "baseline plus adjustments" method used in
//! the literature, e.g. The Color of Blackjack's table, consistent with the
//! Wizard of Odds house-edge calculator to within a few hundredths of a
//! percent). Baseline: one deck, S17, double on any two cards, one card to
//! split aces, no surrender: player edge -0.02%. The default table (six decks,
//! S17, double after split, resplit to four hands, no resplitting aces, no
//! surrender) thus has a house edge of 0.42%: RTP 99.58%. The simulator's
//! basic-strategy player checks this figure to within its confidence interval.

use crate::rules::{Config, Surrender};

/// Player edge of one rule set, in percent of the initial bet.
pub fn player_edge_percent(c: &Config) -> f64 {
    let decks = match c.decks {
        1 => 0.0,
        2 => -0.32,
        3 => -0.43,
        4 => -0.48,
        5 => -0.51,
        6 => -0.53,
        7 => -0.54,
        _ => -0.55,
    };
    let mut edge = -0.02 + decks;
    if c.dealer_hits_soft_17 {
        edge -= 0.20;
    }
    if c.double_after_split {
        edge += 0.13;
    }
    if c.resplit_aces {
        edge += 0.06;
    }
    if c.surrender == Surrender::Late {
        edge += 0.06;
    }
    edge -= match c.max_hands {
        1 => 0.45,
        2 => 0.03,
        3 => 0.01,
        _ => 0.0,
    };
    edge
}

/// RTP under basic strategy, as a fraction of the amount initially bet.
pub fn basic_strategy_rtp(c: &Config) -> f64 {
    1.0 + player_edge_percent(c) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_return_99_58_percent() {
        assert!((basic_strategy_rtp(&Config::default()) - 0.9958).abs() < 1e-12);
        let h17 = Config { dealer_hits_soft_17: true, ..Config::default() };
        assert!((basic_strategy_rtp(&h17) - 0.9938).abs() < 1e-12);
    }
}
