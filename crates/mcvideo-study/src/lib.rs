//! mcvideo-study: the dose-response study of Dai et al. 2026 as one run (config → tables, figures, report).
