//! `--fields`: how the clip commands read interlaced video (whole frames or split fields).

/// How interlaced video is read.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fields {
    /// Each frame whole, its two fields woven together.
    #[default]
    Frames,
    /// Each field an image of its own at full height, at twice the frame rate; progressive
    /// clips are read as they are.
    Split,
}

impl Fields {
    /// The decoder's setting.
    pub fn mode(self) -> mcvideo_score::FieldMode {
        match self {
            Fields::Frames => mcvideo_score::FieldMode::Frames,
            Fields::Split => mcvideo_score::FieldMode::Split,
        }
    }
}
