use std::process::ExitCode;

use clap::Parser;

// Workers allocate each event's text and the writer frees it: glibc's
// allocator serializes such cross-thread frees on an arena lock, mimalloc
// does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = factline::cli::Cli::parse();
    match factline::app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("factline: {e}");
            ExitCode::from(2)
        }
    }
}
