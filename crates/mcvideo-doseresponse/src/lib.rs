//! Statistics II: GAM (REML) curvature thresholds, segmented regression and restricted cubic splines.
