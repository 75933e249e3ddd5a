//! Synthetic sidestream-dark-field clips with exact ground truth.
