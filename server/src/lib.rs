//! The Croupier server as a library, so the `croupier` binary and the
//! integration tests build the very same [`app::Application`].
//!
//! - [`app`]: the application, built from settings and run until stopped;
//! - [`state`]: what every request handler reaches, and the graceful stop;
//! - [`clock`]: the time, passed in;
//! - [`clients`]: the outbound queues and registry of connected players;
//! - [`dev`]: dev mode's demo tables and accounts;
//! - [`schema`]: JSON Schemas of the wire types, for the TypeScript SDK;
//! - [`settings`]: layered, validated settings;
//! - [`store`]: the database behind one trait (Postgres, SQLite);
//! - [`cache`]: Redis or the in-process stand-in;
//! - [`auth`]: password hashes and tokens; [`mfa`]: the second factor;
//! - [`roles`]: what each role may do; [`address`]: who a request came from;
//! - [`throttle`]: the login throttle;
//! - [`pii`]: personal data sealed at rest; [`notify`]: mail;
//! - [`payments`]: payment providers and the sandbox one; [`kyc`]: identity
//!   verification providers and the sandbox one; [`aml`]: the
//!   anti-money-laundering rules;
//! - [`http`]: the HTTP API;
//! - [`metrics`], [`telemetry`]: Prometheus and logs;
//! - [`games`]: the registry of games this server deals;
//! - [`ws`]: real-time play over `/v1/ws`.

pub mod address;
pub mod aml;
pub mod app;
pub mod auth;
pub mod cache;
pub mod clients;
pub mod clock;
pub mod dev;
pub mod games;
pub mod group;
pub mod http;
pub mod kyc;
pub mod limits;
pub mod metrics;
pub mod mfa;
pub mod notify;
pub mod payments;
pub mod pii;
pub mod play;
pub mod protect;
pub mod roles;
pub mod schema;
pub mod settings;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod throttle;
pub mod ws;
