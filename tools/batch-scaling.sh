#!/usr/bin/env bash
# Batch throughput with --jobs 1 against --jobs 2 on N small synthetic clips (default 60).
# Usage: tools/batch-scaling.sh [MCVIDEO_BINARY] [CLIPS] [WORK_DIR]
# Build the binary first: CARGO_TARGET_DIR=/work/tr cargo build --release -p mcvideo-cli
# Prints one table row per job count: seconds, clips/s and the speed-up over one job.
set -euo pipefail
bin=${1:-/work/tr/release/mcvideo}
clips=${2:-60}
work=${3:-$(mktemp -d)}
archive="$work/archive"
if [ ! -f "$archive/.complete-$clips" ]; then
  rm -rf "$archive"
  for i in $(seq 1 "$clips"); do
    mkdir -p "$archive/P$i/D1"
    "$bin" synth --out "$archive/P$i/D1" --name S1 --seed "$i" \
      --width 320 --height 240 --fps 25 --duration 2 --um-per-px 1.2 >/dev/null
    rm -f "$archive/P$i/D1/S1.truth.json"
  done
  touch "$archive/.complete-$clips"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| jobs | clips | seconds | clips/s | speed-up |"
echo "| --- | --- | --- | --- | --- |"
base=""
for jobs in 1 2; do
  out="$work/out-$jobs"
  rm -rf "$out"
  start=$(date +%s.%N)
  "$bin" batch "$archive" --out "$out" --um-per-px 1.2 --no-overlay --jobs "$jobs" 2>/dev/null
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  [ -z "$base" ] && base=$secs
  printf '| %d | %d | %.1f | %.2f | %.2fx |\n' "$jobs" "$clips" "$secs" \
    "$(echo "$clips / $secs" | bc -l)" "$(echo "$base / $secs" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
