//! Video slots: a 5-reel, 3-row, 20-line machine for single-player sessions.
//!
//! Rules implemented:
//! - Five weighted reel strips (integer weights per stop, each reel's stop
//!   drawn with one exact weighted pick); the window shows the stop and the
//!   next two symbols of each reel.
//! - Twenty paylines, paying left to right from reel 1 for 3, 4 or 5 of a
//!   kind, times the bet per line. A wild substitutes for every regular symbol
//!   and pays on its own; a line pays the better of the two readings.
//! - A scatter pays anywhere in the window, times the total bet, and 3 or more
//!   trigger free spins: `award` spins with wins multiplied, re-triggerable,
//!   with at most `cap` free spins awarded per feature. Free spins play out in
//!   the same round as the paid spin, which settles once.
//! - The theoretical RTP and hit frequency are computed exactly
//!   ([`rtp::exact`]): the default machine returns about 96%.
//!
//! Pure: no IO, no clock, no global state. Randomness comes only from the
//! `Draw` the server passes.

pub mod config;
mod game;
pub mod rtp;
pub mod spin;

pub use config::{Config, FreeSpins, Kind, Stop, Symbol};
pub use game::{Action, Engine, Event, Outcome, Pending, Slots, State, View};

croupier_sdk::register!(Slots, Session, math);
