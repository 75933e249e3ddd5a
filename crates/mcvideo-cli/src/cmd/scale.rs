//! The scale options that every clip command shares: a device preset or an explicit µm per pixel.

/// `--device` and `--um-per-px`, flattened into the clip commands.
#[derive(clap::Args, Debug, Clone)]
pub struct ScaleArgs {
    /// Device preset giving the scale: microscan, cytocam or microsee-v100.
    #[arg(long)]
    pub device: Option<String>,
    /// Scale in micrometres per pixel (overrides the preset).
    #[arg(long)]
    pub um_per_px: Option<f64>,
}
