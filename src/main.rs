//! The `sciatica-bot` binary: all work is in the library; see `sciatica_bot::cli`.

fn main() -> std::process::ExitCode {
    sciatica_bot::cli::main()
}
