#!/usr/bin/env bash
# The main job of README.md on a bundled clip: installs what is missing, builds the release
# binary, and runs it on fixtures/synth/ (a synthetic sidestream-dark-field clip with truth).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-system.sh
cargo build --release --locked -p mcvideo-cli
BIN=target/release/mcvideo
CLIP=$(ls fixtures/synth/*.avi | head -n 1)
echo "== mcvideo probe $CLIP"
"$BIN" probe "$CLIP"
OUT=$(mktemp -d)
echo "== mcvideo synth --out $OUT --seed 7 (a fresh clip with ground truth)"
"$BIN" synth --out "$OUT" --seed 7 --name demo
"$BIN" probe "$OUT/demo.avi"
