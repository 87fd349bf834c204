//! Rebuilds the server when the web client it embeds (`clients/web/site`,
//! served by `http::site`) changes: the embedding macro reads the folder but
//! does not tell cargo to watch it.

fn main() {
    println!("cargo:rerun-if-changed=../clients/web/site");
}
