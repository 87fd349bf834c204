//! `croupier sandbox-pay`: runs the sandbox payment provider
//! (`croupier_server::payments::sandbox_server`) as a process of its own,
//! with the API key and webhook secret the server uses
//! (`CROUPIER__PAYMENTS__API_KEY`, `CROUPIER__PAYMENTS__WEBHOOK_SECRET`),
//! until SIGTERM or SIGINT. For development and tests only: it moves no
//! real money.

use anyhow::{Context, bail};
use clap::Args;
use croupier_server::payments::sandbox_server::{self, SandboxConfig};
use croupier_server::settings::Settings;

/// `croupier sandbox-pay`
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free one).
    #[arg(long, default_value_t = 8090)]
    port: u16,
    /// Where webhooks go, e.g. http://127.0.0.1:8080/v1/payments/sandbox/webhook.
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
    url::Url::parse(&args.webhook_url).with_context(|| format!("--webhook-url {:?}", args.webhook_url))?;
    let config = SandboxConfig {
        api_key: payments.api_key.0.clone(),
        webhook_secret: payments.webhook_secret.0.clone().into_bytes(),
        webhook_url: args.webhook_url,
    };
    let listener = std::net::TcpListener::bind((args.host.as_str(), args.port))
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let port = listener.local_addr()?.port();
    actix_web::rt::System::new().block_on(async move {
        let server = sandbox_server::serve(config, listener)?;
        println!("croupier: sandbox payment provider on http://{}:{port}", args.host);
        server.await.context("the sandbox stopped with an error")
    })
}
