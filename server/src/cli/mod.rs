//! One module per `croupier` subcommand. Each takes its parsed arguments and
//! the settings, and returns `anyhow::Result` for the binary edge to print.

pub mod admin;
pub mod pii;
pub mod rng;
pub mod sandbox_pay;
pub mod serve;
pub mod simulate;
pub mod verify;

/// A single-threaded runtime for a subcommand's database work.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}
