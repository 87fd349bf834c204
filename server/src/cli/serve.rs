//! `croupier serve` runs the server until SIGTERM/SIGINT; `croupier migrate`
//! applies the database migrations and exits (serve applies them too).

use anyhow::Context;
use clap::Args;
use croupier_server::app::{self, Application};
use croupier_server::settings::Settings;
use croupier_server::store;

/// `croupier serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 = any free port); overrides server.port.
    #[arg(long)]
    port: Option<u16>,
    /// Dev mode: demo tables on short timers, a demo operator and funded
    /// demo players with passwords printed at start. Refused unless
    /// server.host is a loopback address.
    #[arg(long)]
    dev: bool,
    /// With --dev: a table of this game too (`GAME-table`, underscores as
    /// hyphens, with the game's default config), beside the demo tables;
    /// repeatable. A studio's new game is on a table as soon as it is
    /// registered.
    #[arg(long = "table", value_name = "GAME", requires = "dev")]
    tables: Vec<String>,
}

/// Builds and runs the server.
///
/// # Errors
/// Startup failed (database, cache, port) or the server stopped with an error.
pub fn serve(args: ServeArgs, mut settings: Settings) -> anyhow::Result<()> {
    if let Some(port) = args.port {
        settings.server.port = port;
    }
    if args.dev {
        croupier_server::dev::prepare(&mut settings, &args.tables)?;
    }
    croupier_server::telemetry::init(settings.server.log_format);
    raise_file_limit();
    actix_web::rt::System::new().block_on(async move {
        // Before the slow start, so a signal meanwhile still stops it.
        let shutdown = app::signalled().context("installing the signal handlers")?;
        let app = Application::build(settings).await?;
        let demo = if args.dev {
            Some(croupier_server::dev::seed(app.state().store.as_ref(), app.state().now_ms()).await?)
        } else {
            None
        };
        let server = &app.state().settings.server;
        let (listener, host) = (app::bind(server)?, server.host.clone());
        let port = listener.local_addr()?.port();
        let backend = app.state().store.backend();
        tracing::info!(port, ?backend, "listening");
        println!("croupier: listening on http://{host}:{port} ({backend:?} database)");
        if let Some(accounts) = demo {
            print!("{}", croupier_server::dev::banner(&format!("http://{host}:{port}"), &accounts));
        }
        app.run(listener, shutdown).await
    })
}

/// Every connection is a file descriptor: lift the soft open-file limit to
/// the hard one, so a node holds as many connections as the system lets it.
fn raise_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(limit, "open-file limit"),
        Err(e) => tracing::warn!(%e, "could not raise the open-file limit"),
    }
}

/// Applies migrations and reports the backend.
///
/// # Errors
/// The database is unreachable or a migration fails.
pub fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = store::open(&settings.database).await?;
        println!("croupier: migrations applied ({:?} database)", store.backend());
        Ok(())
    })
}
