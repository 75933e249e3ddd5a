//! The scale options that every clip command shares: a device preset or an explicit µm per pixel.

/// `--device` and `--um-per-px`, flattened into the clip commands.
#[derive(clap::Args, Debug, Clone)]
pub struct ScaleArgs {
    /// Device preset giving the scale: microscan, cytocam or microsee-v100.
    #[arg(long)]
    pub device: Option<String>,
    /// Scale in micrometres per pixel (overrides the preset).
    #[arg(long, value_parser = super::numbers::um_per_px)]
    pub um_per_px: Option<f64>,
}

impl ScaleArgs {
    /// Lays the options given over a parameter file's scale: a device given on the command
    /// line replaces the file's scale too, so the file's `um_per_px` cannot override it.
    pub fn apply(&self, params: &mut mcvideo_score::ScoreParams) {
        if self.device.is_some() {
            params.device = self.device.clone();
            params.um_per_px = None;
        }
        if self.um_per_px.is_some() {
            params.um_per_px = self.um_per_px;
        }
    }
}
