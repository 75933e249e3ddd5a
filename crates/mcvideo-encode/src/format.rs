//! The container/codec pairs a [`crate::VideoWriter`] can produce.

/// A container and codec for [`crate::VideoWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoFormat {
    /// FFV1 (level 3, intra-only, slice CRCs) in AVI, gray8: lossless. The default clip format.
    Ffv1Avi,
    /// Uncompressed gray8 (`Y800`) in AVI: lossless.
    RawvideoAvi,
    /// Uncompressed bgr24 in AVI, the gray value in all three channels: lossless.
    RawvideoBgrAvi,
    /// Motion JPEG (yuvj420p, quality 2) in AVI: lossy.
    MjpegAvi,
    /// DV in AVI: lossy, fixed 720x576 at 25 frames/s (PAL, yuv420p) or 720x480 at
    /// 29.97 frames/s (NTSC, yuv411p). Smaller frames are centred on a black frame, larger
    /// ones shrunk (aspect kept) and then centred.
    DvAvi,
    /// H.264 (libx264, yuv420p, CRF 18, preset fast) in MP4 with the index at the front: lossy.
    H264Mp4,
    /// MPEG-4 Part 2 (yuv420p, qscale 2) in MP4: lossy.
    Mpeg4Mp4,
    /// H.264 as [`VideoFormat::H264Mp4`], in a QuickTime MOV.
    H264Mov,
    /// FFV1 as [`VideoFormat::Ffv1Avi`], in Matroska: lossless.
    Ffv1Mkv,
    /// MetaImage (`.mha`), raw 8-bit frames after a text header: CytoCam's export format,
    /// written without FFmpeg (see [`crate::MhaWriter`]); lossless.
    Mha,
    /// MetaImage with the frames as one zlib stream (`CompressedData = True`); lossless.
    MhaZlib,
}

impl VideoFormat {
    /// Every format FFmpeg writes and reads, for tests and tools that exercise them all.
    pub const ALL: [VideoFormat; 9] = [
        VideoFormat::Ffv1Avi,
        VideoFormat::RawvideoAvi,
        VideoFormat::RawvideoBgrAvi,
        VideoFormat::MjpegAvi,
        VideoFormat::DvAvi,
        VideoFormat::H264Mp4,
        VideoFormat::Mpeg4Mp4,
        VideoFormat::H264Mov,
        VideoFormat::Ffv1Mkv,
    ];

    /// The MetaImage formats, written and read without FFmpeg.
    pub const METAIMAGE: [VideoFormat; 2] = [VideoFormat::Mha, VideoFormat::MhaZlib];

    /// The usual file extension, without the dot.
    ///
    /// ```
    /// use mcvideo_encode::VideoFormat;
    /// assert_eq!(VideoFormat::Ffv1Avi.extension(), "avi");
    /// assert_eq!(VideoFormat::H264Mov.extension(), "mov");
    /// ```
    pub fn extension(self) -> &'static str {
        match self {
            VideoFormat::Ffv1Avi
            | VideoFormat::RawvideoAvi
            | VideoFormat::RawvideoBgrAvi
            | VideoFormat::MjpegAvi
            | VideoFormat::DvAvi => "avi",
            VideoFormat::H264Mp4 | VideoFormat::Mpeg4Mp4 => "mp4",
            VideoFormat::H264Mov => "mov",
            VideoFormat::Ffv1Mkv => "mkv",
            VideoFormat::Mha | VideoFormat::MhaZlib => "mha",
        }
    }

    /// Whether decoding gives back exactly the written pixels.
    ///
    /// ```
    /// use mcvideo_encode::VideoFormat;
    /// assert!(VideoFormat::Ffv1Avi.is_lossless());
    /// assert!(!VideoFormat::H264Mp4.is_lossless());
    /// ```
    pub fn is_lossless(self) -> bool {
        matches!(
            self,
            VideoFormat::Ffv1Avi
                | VideoFormat::RawvideoAvi
                | VideoFormat::RawvideoBgrAvi
                | VideoFormat::Ffv1Mkv
                | VideoFormat::Mha
                | VideoFormat::MhaZlib
        )
    }

    /// A short name such as `"ffv1-avi"`, used in messages and on command lines.
    ///
    /// ```
    /// use mcvideo_encode::VideoFormat;
    /// assert_eq!(VideoFormat::H264Mp4.name(), "h264-mp4");
    /// assert_eq!(VideoFormat::from_name("h264-mp4"), Some(VideoFormat::H264Mp4));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            VideoFormat::Ffv1Avi => "ffv1-avi",
            VideoFormat::RawvideoAvi => "rawvideo-avi",
            VideoFormat::RawvideoBgrAvi => "rawvideo-bgr-avi",
            VideoFormat::MjpegAvi => "mjpeg-avi",
            VideoFormat::DvAvi => "dv-avi",
            VideoFormat::H264Mp4 => "h264-mp4",
            VideoFormat::Mpeg4Mp4 => "mpeg4-mp4",
            VideoFormat::H264Mov => "h264-mov",
            VideoFormat::Ffv1Mkv => "ffv1-mkv",
            VideoFormat::Mha => "mha",
            VideoFormat::MhaZlib => "mha-zlib",
        }
    }

    /// The format whose [`VideoFormat::name`] is `name`.
    pub fn from_name(name: &str) -> Option<VideoFormat> {
        VideoFormat::ALL
            .into_iter()
            .chain(VideoFormat::METAIMAGE)
            .find(|f| f.name() == name)
    }

    /// FFmpeg's muxer name.
    pub(crate) fn muxer(self) -> &'static str {
        match self.extension() {
            "avi" => "avi",
            "mp4" => "mp4",
            "mov" => "mov",
            _ => "matroska",
        }
    }
}
