//! `croupier sandbox-pay` and `croupier sandbox-kyc`: run the sandbox
//! payment provider (`croupier_server::payments::sandbox_server`) or the
//! sandbox identity provider (`croupier_server::kyc::sandbox_server`) as a
//! process of its own, with the API key and webhook secret the server uses
//! (`CROUPIER__PAYMENTS__…` or `CROUPIER__KYC__…`: `API_KEY`,
//! `WEBHOOK_SECRET`), until SIGTERM or SIGINT. For development and tests
//! only: they move no real money and verify no one.

use actix_web::dev::Server;
use anyhow::{Context, bail};
use clap::Args;
use croupier_server::kyc::sandbox_server::{self as kyc_server, KycSandboxConfig};
use croupier_server::payments::sandbox_server::{self, SandboxConfig};
use croupier_server::settings::Settings;

/// `croupier sandbox-pay`, `croupier sandbox-kyc`
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free one; default: 8090 for payments, 8091
    /// for identity).
    #[arg(long)]
    port: Option<u16>,
    /// Where webhooks go, e.g. http://127.0.0.1:8080/v1/payments/sandbox/webhook
    /// (or /v1/kyc/sandbox/webhook).
    #[arg(long)]
    webhook_url: String,
}

/// Runs `croupier sandbox-pay`.
///
/// # Errors
/// No key or secret set, a bad webhook URL, or a port that cannot be bound.
pub fn run(args: SandboxArgs, settings: &Settings) -> anyhow::Result<()> {
    let payments = &settings.payments;
    if payments.api_key.0.is_empty() || payments.webhook_secret.0.is_empty() {
        bail!("set CROUPIER__PAYMENTS__API_KEY and CROUPIER__PAYMENTS__WEBHOOK_SECRET (the server's own)");
    }
    let config = SandboxConfig {
        api_key: payments.api_key.0.clone(),
        webhook_secret: payments.webhook_secret.0.clone().into_bytes(),
        webhook_url: args.webhook_url.clone(),
    };
    serve(args, 8090, "payment", move |listener| sandbox_server::serve(config, listener))
}

/// Runs `croupier sandbox-kyc`.
///
/// # Errors
/// No key or secret set, a bad webhook URL, or a port that cannot be bound.
pub fn run_kyc(args: SandboxArgs, settings: &Settings) -> anyhow::Result<()> {
    let kyc = &settings.kyc;
    if kyc.api_key.0.is_empty() || kyc.webhook_secret.0.is_empty() {
        bail!("set CROUPIER__KYC__API_KEY and CROUPIER__KYC__WEBHOOK_SECRET (the server's own)");
    }
    let config = KycSandboxConfig {
        api_key: kyc.api_key.0.clone(),
        webhook_secret: kyc.webhook_secret.0.clone().into_bytes(),
        webhook_url: args.webhook_url.clone(),
    };
    serve(args, 8091, "identity", move |listener| kyc_server::serve(config, listener))
}

fn serve(
    args: SandboxArgs,
    default_port: u16,
    what: &str,
    start: impl FnOnce(std::net::TcpListener) -> anyhow::Result<Server>,
) -> anyhow::Result<()> {
    url::Url::parse(&args.webhook_url).with_context(|| format!("--webhook-url {:?}", args.webhook_url))?;
    let port = args.port.unwrap_or(default_port);
    let listener = std::net::TcpListener::bind((args.host.as_str(), port))
        .with_context(|| format!("binding {}:{port}", args.host))?;
    let port = listener.local_addr()?.port();
    actix_web::rt::System::new().block_on(async move {
        let server = start(listener)?;
        println!("croupier: sandbox {what} provider on http://{}:{port}", args.host);
        server.await.context("the sandbox stopped with an error")
    })
}
