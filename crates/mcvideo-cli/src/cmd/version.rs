//! `mcvideo version`: the program version.

/// Prints the program version.
pub fn run() -> anyhow::Result<()> {
    println!("mcvideo {}", env!("CARGO_PKG_VERSION"));
    Ok(())
}
