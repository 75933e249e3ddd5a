//! Writing 8-bit grayscale frames as video clips or numbered image folders (FFmpeg through ffmpeg-next).
//!
//! [`VideoWriter`] encodes [`image::GrayImage`] frames into one of the [`VideoFormat`]s:
//! lossless FFV1 or rawvideo in AVI (pixel-exact round trip), MJPEG and DV in AVI, H.264
//! (libx264, yuv420p, CRF 18) and MPEG-4 Part 2 in MP4/MOV, FFV1 in Matroska.
//! [`write_png_folder`] and [`write_tiff_folder`] write numbered frame files instead.
//!
//! Every output is written aside (`<path>.partial`, `<name>.partial`) and renamed when complete,
//! so a file is either whole or absent, even if the process dies midway.
//!
//! Gray frames go into YUV formats as the luma plane unchanged, with neutral chroma (128):
//! a decoder that keeps the luma plane (as `mcvideo-decode` does) gets the gray values back
//! without any colour conversion or range scaling.

mod error;
mod folder;
mod format;
mod mha;
mod writer;

pub use error::EncodeError;
pub use folder::{write_png_folder, write_tiff_folder};
pub use format::VideoFormat;
pub use mha::MhaWriter;
pub use writer::VideoWriter;

/// Initialises FFmpeg once and silences its log (our errors carry the file and the problem).
pub(crate) fn init_ffmpeg() -> Result<(), ffmpeg_next::Error> {
    static INIT: std::sync::OnceLock<Result<(), ffmpeg_next::Error>> = std::sync::OnceLock::new();
    *INIT.get_or_init(|| {
        ffmpeg_next::init()?;
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
        Ok(())
    })
}
