#!/usr/bin/env sh
# The threshold simulation study (crates/mcvideo-doseresponse/src/bin/threshold_sim.rs):
# simulated cohorts of n = 66 with a planted breakpoint; bias, RMSE and CI coverage of the GAM
# curvature, segmented and RCS thresholds as a Markdown table on stdout.
# Usage: tools/threshold-sim/run.sh [--cohorts 200] [--boot 1000] [--seed 2026] [--breakpoints 0.71,0.80] [--sigma 0.05]
set -eu
cd "$(dirname "$0")/../.."
exec cargo run --quiet --release -p mcvideo-doseresponse --bin threshold_sim -- "$@"
