//! One module per `croupier` subcommand. Each takes its parsed arguments and
//! the settings, and returns `anyhow::Result` for the binary edge to print.

pub mod admin;
pub mod rng;
pub mod serve;
pub mod simulate;
