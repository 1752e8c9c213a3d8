use std::process::ExitCode;

use clap::Parser;

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
