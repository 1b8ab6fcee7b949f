//! The `radius_auth` CLI as an example, so that `cargo run --example radius_auth -- ARGS` keeps working
//! without features. The program is `src/bin/radius_auth.rs`, which
//! `cargo install --path . --features cli` installs as a binary; see its documentation
//! there (and the README) for the flags.

#[path = "../src/bin/radius_auth.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
