//! Decoding of microscopy clips (any FFmpeg format, image-sequence folders) into 8-bit grayscale frames.
