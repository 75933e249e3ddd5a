#!/usr/bin/env bash
# The whole chain on a synthetic study: synth-study -> batch -> analyze (videos) and
# analyze (truth) -> compare (crates/mcvideo-synth-study/examples/compare.rs), with the wall
# time and peak memory of every step and the clips per second of the batch.
#
# Usage: tools/synth-study-demo.sh [--out DIR] [--patients 20] [--sites 3-5] [--seed 1]
#          [--width 320] [--height 240] [--duration 3] [--jobs N] [--bootstrap 1000]
#          [--no-build] [--all-sites]
#   --no-build   use the release mcvideo and compare example as they are (in CARGO_TARGET_DIR or target/)
#   --all-sites  also analyze patients.csv averaged over every scored site (quality ignored),
#                to tell measurement error from quality gating
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

OUT=""
PATIENTS=20
SITES=3-5
SEED=1
WIDTH=320
HEIGHT=240
DURATION=3
JOBS=$(nproc)
BOOTSTRAP=1000
BUILD=1
ALL_SITES=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$2; shift 2 ;;
        --patients) PATIENTS=$2; shift 2 ;;
        --sites) SITES=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --width) WIDTH=$2; shift 2 ;;
        --height) HEIGHT=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --bootstrap) BOOTSTRAP=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --all-sites) ALL_SITES=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
OUT=${OUT:-$(mktemp -d /tmp/synth-study.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ "$BUILD" = 1 ]; then
    cargo build --release -p mcvideo-cli
    cargo build --release -p mcvideo-synth-study --example compare
fi
# The builds are looked for where cargo puts them (CARGO_TARGET_DIR, else target/);
# MCVIDEO_BIN / COMPARE_BIN point at other builds (e.g. target/debug) with --no-build.
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${MCVIDEO_BIN:-$TARGET_DIR/release/mcvideo}
COMPARE=${COMPARE_BIN:-$TARGET_DIR/release/examples/compare}
for f in "$BIN" "$COMPARE"; do
    [ -x "$f" ] || { echo "missing $f (run without --no-build)" >&2; exit 1; }
done

# /usr/bin/time -v gives the peak resident memory; fall back to bash's time without it.
TIMEV=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null; then TIMEV=/usr/bin/time; fi
SUMMARY=$OUT/timings.tsv
printf 'step\twall_s\tpeak_rss_mb\n' > "$SUMMARY"

# step NAME CMD...: runs CMD, its output to $OUT/logs/NAME.log, and records time and memory.
step() {
    local name=$1; shift
    mkdir -p "$OUT/logs"
    local log=$OUT/logs/$name.log
    echo "== $name: $*"
    local start end wall rss
    start=$(date +%s.%N)
    if [ -n "$TIMEV" ]; then
        "$TIMEV" -v -o "$OUT/logs/$name.time" "$@" > "$log" 2>&1 || { tail -20 "$log"; echo "$name failed (log: $log)" >&2; exit 1; }
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/logs/$name.time")
    else
        "$@" > "$log" 2>&1 || { tail -20 "$log"; echo "$name failed (log: $log)" >&2; exit 1; }
        rss="?"
    fi
    end=$(date +%s.%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
    printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" >> "$SUMMARY"
    tail -4 "$log" | sed 's/^/   /'
    echo "   -> $wall s, peak $rss MB"
}

STUDY=$OUT/study
step synth-study "$BIN" synth-study --out "$STUDY" --patients "$PATIENTS" --seed "$SEED" \
    --sites "$SITES" --width "$WIDTH" --height "$HEIGHT" --duration "$DURATION"
sed -i "s/^bootstrap = .*/bootstrap = $BOOTSTRAP/" "$STUDY/study.toml" "$STUDY/study_truth.toml"
step batch "$BIN" batch "$STUDY/manifest.csv" --out "$STUDY/batch" --jobs "$JOBS"
step analyze-videos "$BIN" analyze --config "$STUDY/study.toml" --out "$OUT/analysis_videos"
step analyze-truth "$BIN" analyze --config "$STUDY/study_truth.toml" --out "$OUT/analysis_truth"
COMPARE_ARGS=(--videos "$OUT/analysis_videos/analysis.json" --truth "$OUT/analysis_truth/analysis.json"
              --json "$OUT/compare.json")
if [ "$ALL_SITES" = 1 ]; then
    COMPARE_ARGS+=(--all-sites-patients "$STUDY/patients_all_sites.csv")
fi
step compare "$COMPARE" "$STUDY" "${COMPARE_ARGS[@]}"
if [ "$ALL_SITES" = 1 ]; then
    sed 's#^batch = .*#batch = "patients_all_sites.csv"#' "$STUDY/study.toml" > "$STUDY/study_all_sites.toml"
    step analyze-all-sites "$BIN" analyze --config "$STUDY/study_all_sites.toml" --out "$OUT/analysis_all_sites"
    "$COMPARE" "$STUDY" --videos "$OUT/analysis_all_sites/analysis.json" \
        --truth "$OUT/analysis_truth/analysis.json" > "$OUT/compare_all_sites.md"
fi

CLIPS=$(($(wc -l < "$STUDY/manifest.csv") - 1))
BATCH_S=$(awk -F'\t' '$1=="batch" {print $2}' "$SUMMARY")
TOTAL_S=$(awk -F'\t' 'NR>1 {s+=$2} END {printf "%.1f", s}' "$SUMMARY")
PEAK_MB=$(awk -F'\t' 'NR>1 && $3!="?" && $3>m {m=$3} END {print m+0}' "$SUMMARY")
echo
echo "## Chain: $PATIENTS patients, sites $SITES, ${WIDTH}x${HEIGHT}, ${DURATION} s clips, $CLIPS clips, $JOBS jobs on $(nproc) cores"
echo
echo "| step | wall (s) | peak memory (MB) |"
echo "| --- | ---: | ---: |"
awk -F'\t' 'NR>1 {printf "| %s | %s | %s |\n", $1, $2, $3}' "$SUMMARY"
echo "| whole chain | $TOTAL_S | $PEAK_MB |"
echo
echo "batch: $CLIPS clips in $BATCH_S s = $(awk -v n="$CLIPS" -v s="$BATCH_S" 'BEGIN {printf "%.2f", n / s}') clips/s"
echo
cat "$OUT/logs/compare.log"
if [ "$ALL_SITES" = 1 ]; then
    echo
    echo "## Thresholds with every site averaged (quality ignored)"
    sed -n '/GAM thresholds/,$p' "$OUT/compare_all_sites.md"
fi
echo
echo "report: $OUT/analysis_videos/report.html   figures: $OUT/analysis_videos/*.svg"
