//! Writes the wire types' JSON Schemas (`croupier_server::schema`) into a
//! folder, one file per document: `scripts/generate-types` runs it into
//! `clients/typescript/schema/` before it turns them into TypeScript.

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: schemas DIR");
        return std::process::ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("schemas: creating {}: {e}", dir.display());
        return std::process::ExitCode::FAILURE;
    }
    for document in croupier_server::schema::documents() {
        let path = dir.join(format!("{}.json", document.name));
        if let Err(e) = std::fs::write(&path, croupier_server::schema::file_text(&document)) {
            eprintln!("schemas: writing {}: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
        println!("schemas: wrote {}", path.display());
    }
    std::process::ExitCode::SUCCESS
}
