//! The `explain` CLI as an example, so that `cargo run --example explain -- ARGS` keeps working
//! without features. The program is `src/bin/explain.rs`, which
//! `cargo install --path . --features cli` installs as a binary; see its documentation
//! there (and the README) for the flags.

#[path = "../src/bin/explain.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
