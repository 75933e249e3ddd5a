#!/usr/bin/env bash
# Acceptance tier: the README's accuracy targets asserted on the measurement suites, in a
# release build (the tests are #[ignore]d so that `cargo test --workspace` stays fast).
# Every suite runs even when an earlier one fails; the exit status is non-zero when any
# target is missed. Known shortfalls fail here by design (docs/accuracy.md, "Acceptance tier").
# Usage: tools/acceptance.sh [SUITE...]   (default: all; suites: stabilize quality flow
#        vessels end-to-end low-snr real-clip cytocam fuzz)
# Rough durations on the project's 2-core machine, release build already made (the first
# build takes about 10 minutes more): stabilize 1.5-5 min, quality 1.5 min, flow 25 s,
# vessels 1.5 min, end-to-end 7 min (288 clips), low-snr 1 min, real-clip 5 s, cytocam 1 min,
# fuzz 7 min (every damaged clip, table, manifest and study config; the test command runs a share).
set -uo pipefail
cd "$(dirname "$0")/.."

# name  package  test-target  test-name (module path inside the crate's one test binary)
SUITES=(
  "stabilize mcvideo-stabilize stabilize accuracy::accuracy_table"
  "quality mcvideo-quality grading confusion_table"
  "flow mcvideo-flow flow synth_accuracy::accuracy_table"
  "vessels mcvideo-vessels vessels acceptance::vessel_targets_on_63_clips"
  "end-to-end mcvideo-score score acceptance::end_to_end_targets_on_288_clips"
  "low-snr mcvideo-score score acceptance::low_snr_regime_targets_on_36_clips"
  "real-clip mcvideo-score score acceptance::real_clip_small_vessels_read_flowing"
  "cytocam mcvideo-score score acceptance::cytocam_sized_clip_keeps_tvd_and_segment_length"
  "fuzz mcvideo-cli cli fuzz_inputs::every_damaged_input_fails_cleanly"
)

wanted=("$@")
names=" $(for suite in "${SUITES[@]}"; do printf '%s ' "${suite%% *}"; done)"
for name in "${wanted[@]}"; do
  if [[ "$names" != *" $name "* ]]; then
    echo "tools/acceptance.sh: unknown suite '$name'; suites:$names" >&2
    exit 2
  fi
done
failed=()
for suite in "${SUITES[@]}"; do
  read -r name package target test <<<"$suite"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  echo "== $name ($package, --test $target, $test)"
  start=$(date +%s)
  if cargo test --quiet --release -p "$package" --test "$target" -- --ignored --exact "$test" --nocapture; then
    echo "== $name: passed in $(( $(date +%s) - start )) s"
  else
    echo "== $name: FAILED in $(( $(date +%s) - start )) s"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "targets missed in: ${failed[*]}"
  exit 1
fi
echo "all acceptance targets met"
