//! The reference fan-out server for the chat figure ([`croupier_load::reference`]):
//! `fanout [PORT]` listens on 127.0.0.1 (port 0: any free one), prints
//! `listening on 127.0.0.1:PORT`, and serves until killed. Drive it with
//! `croupier-load chat --reference --url http://127.0.0.1:PORT`.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().with_context(|| format!("{arg:?} is not a port"))?,
        None => 0,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.context("binding 127.0.0.1")?;
    println!("listening on {}", listener.local_addr()?);
    croupier_load::reference::serve(listener).await.context("accepting")?;
    Ok(())
}
