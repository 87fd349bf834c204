//! Prints a machine's exact RTP and hit frequency as JSON:
//! `cargo run --release -p croupier-slots --example rtp [CONFIG.json]`
//! (default: the built-in machine). Handy when tuning reel weights.

#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = match std::env::args().nth(1) {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => croupier_slots::Config::default(),
    };
    config.validate()?;
    let rtp = croupier_slots::rtp::exact(&config);
    println!("{}", serde_json::to_string_pretty(&rtp)?);
    Ok(())
}
