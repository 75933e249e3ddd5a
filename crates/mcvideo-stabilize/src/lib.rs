//! Sub-pixel frame registration by phase correlation, stabilized frames and temporal mean image.
