#!/usr/bin/env bash
# The main job of README.md on a bundled clip: installs what is missing (FFmpeg development
# libraries, clang, pkg-config), builds the release binary, checks and scores the bundled
# synthetic clip fixtures/synth/clean.avi, and compares the result with the clip's exact truth.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-system.sh
cargo build --release --locked -p mcvideo-cli
BIN=target/release/mcvideo
CLIP=fixtures/synth/clean.avi
OUT=${OUT:-out/demo}
mkdir -p "$OUT"
echo "== mcvideo inspect $CLIP --um-per-px 1.2"
"$BIN" inspect "$CLIP" --um-per-px 1.2
echo
echo "== mcvideo score $CLIP --um-per-px 1.2 --out $OUT"
"$BIN" score "$CLIP" --um-per-px 1.2 --out "$OUT"
echo
echo "== the clip's exact truth (fixtures/synth/clean.truth.json)"
awk '/"metrics": \{/{on=1} on&&/"(tvd_mm_per_mm2|pvd_mm_per_mm2|ppv_pct|ppv_count_pct|mfi|de_backer_per_mm)"/{print "  " $0} on&&/^  \}/{on=0}' fixtures/synth/clean.truth.json
echo
echo "wrote $OUT/fixtures_synth_clean.score.json, .overlay.png and .mean.png"
