//! The `wired_8021x` CLI as an example, so that `cargo run --example wired_8021x -- ARGS` keeps working
//! without features. The program is `src/bin/wired_8021x.rs`, which
//! `cargo install --path . --features cli` installs as a binary; see its documentation
//! there (and the README) for the flags.

#[path = "../src/bin/wired_8021x.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
