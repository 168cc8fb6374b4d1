//! The `csmarket` binary: a thin shell over `csmarket::cli`.

fn main() {
    std::process::exit(csmarket::cli::main());
}
