//! Image-quality grading after Massey et al. 2013 (MIQS).
