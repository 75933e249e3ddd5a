#!/usr/bin/env bash
# End-to-end accuracy harness: renders a suite of synthetic clips (seeds, scales 0.8-1.6 um/px,
# 25 and 30 fps, flow mixes, motion, noise), scores each with the full pipeline, and prints
# the errors against the exact truth as a Markdown table (crates/mcvideo-score/examples/accuracy.rs).
# Usage: tools/accuracy.sh [--clips 12] [--size 320x240] [--duration 3] [--first-seed 100]
#        [--params FILE.toml] [--only 101,107] [--keep DIR] [--diagnose merges,quadrants]
#        [--regime default|low-snr]  (low-snr: the real clip's regime, SynthParams::low_snr)
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release -p mcvideo-score --example accuracy -- "$@"
