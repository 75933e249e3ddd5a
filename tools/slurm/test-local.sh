#!/usr/bin/env bash
# Integration test of tools/slurm/ against a real single-node SLURM (see local-cluster.sh).
# For a small synthetic archive it submits a 3-shard job array and its merge job twice: first
# with shard 2 failing on purpose (the merge must not run), then the same command again, which
# must resume (shards 1 and 3 skip their clips) and merge. It then checks that the merged
# sites.csv, patients.csv and failures.csv are byte-identical to those of one direct
# `mcvideo batch` run. Prints PASS or FAIL and exits 0 or 1; the cluster is stopped at the
# end whatever happens.
#   tools/slurm/test-local.sh
# Environment: MCVIDEO (default target/release/mcvideo, else target/debug/mcvideo, else a
# release build), TIMEOUT (seconds to wait for each submission, default 600), KEEP=1 to keep
# the work folder, MCVIDEO_SLURM_DIR / MCVIDEO_SLURM_PORT (passed on to local-cluster.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout=${TIMEOUT:-600}
shards=3

if [ -z "${MCVIDEO:-}" ]; then
  if [ -x "$root/target/release/mcvideo" ]; then
    MCVIDEO=$root/target/release/mcvideo
  elif [ -x "$root/target/debug/mcvideo" ]; then
    MCVIDEO=$root/target/debug/mcvideo
  else
    (cd "$root" && cargo build --release -p mcvideo-cli)
    MCVIDEO=$root/target/release/mcvideo
  fi
fi
MCVIDEO=$(realpath "$MCVIDEO")

work=$(mktemp -d /tmp/mcvideo-slurm-test.XXXXXX)
jobs_to_cancel=""
result=1

finish() {
  if [ -n "$jobs_to_cancel" ]; then
    # shellcheck disable=SC2086
    scancel $jobs_to_cancel 2>/dev/null || true
  fi
  "$here/local-cluster.sh" stop || true
  if [ "$result" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  else
    echo "test-local: work folder kept: $work" >&2
  fi
}
trap finish EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
  echo "test-local: $*" >&2
  echo "FAIL"
  exit 1
}

# submit BINARY: runs submit.sh with that mcvideo, waits until the shards and the merge have
# left the queue, and sets array, merge, n_done (shard tasks completed) and merge_state.
submit() {
  local submitted deadline log
  # One CPU per shard, so that the 3 shards fit a 2-CPU machine (2 run at a time).
  submitted=$(MCVIDEO=$1 SHARD_CPUS=1 "$here/submit.sh" "$work/archive/manifest.csv" \
    "$work/out" "$shards" --no-overlay)
  echo "test-local: $submitted"
  array=$(echo "$submitted" | sed -nE 's/.*shards as job ([0-9]+).*/\1/p')
  merge=$(echo "$submitted" | sed -nE 's/.*merge as job ([0-9]+).*/\1/p')
  [ -n "$array" ] && [ -n "$merge" ] || fail "could not read the job ids from submit.sh's output"
  jobs_to_cancel="$array $merge"
  # Poll squeue (no accounting here, so no sacct) until neither job is queued or running.
  deadline=$(($(date +%s) + timeout))
  while [ -n "$(squeue -h -j "$array,$merge" -o '%i' 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] ||
      fail "jobs still queued after ${timeout} s: $(squeue -j "$array,$merge")"
    sleep 1
  done
  jobs_to_cancel=""
  # Finished jobs stay known to scontrol (MinJobAge in local-cluster.sh's slurm.conf).
  n_done=$(scontrol -o show job "$array" | grep -c 'JobState=COMPLETED' || true)
  merge_state=$(scontrol -o show job "$merge" | grep -oE 'JobState=[A-Z_]+' || true)
  echo "test-local: shard tasks:" \
    "$(scontrol -o show job "$array" | grep -oE 'JobState=[A-Z_]+' | sort | uniq -c | tr -s ' \n' ' ')" \
    "merge: ${merge_state:-unknown}"
  for log in "$work/out/"*"-${array}_"*.log "$work/out/"*"-$merge.log"; do
    [ -e "$log" ] || continue
    echo "  $(basename "$log"): $(tail -n 1 "$log")"
  done
}

t0=$(now)
"$here/local-cluster.sh" start
eval "$("$here/local-cluster.sh" env)"
t_cluster=$(now)

"$MCVIDEO" synth-study --out "$work/archive" --patients 3 --seed 5 --sites 2-2 \
  --width 128 --height 96 --duration 1 >/dev/null
clips=$(($(wc -l <"$work/archive/manifest.csv") - 1))
echo "test-local: archive of $clips clips in $work/archive, binary $MCVIDEO"

# Part 1: shard 2 fails (a wrapper stands in for mcvideo there); the merge must not run.
failing=$work/mcvideo-failing-shard-2
cat >"$failing" <<EOF
#!/usr/bin/env bash
for a in "\$@"; do [ "\$a" = 2/$shards ] && { echo "shard 2 fails on purpose" >&2; exit 3; }; done
exec "$MCVIDEO" "\$@"
EOF
chmod +x "$failing"
t_fail=$(now)
submit "$failing"
[ "$n_done" -eq $((shards - 1)) ] ||
  fail "expected $((shards - 1)) of $shards shard tasks to complete, got $n_done"
[ "$merge_state" != JobState=COMPLETED ] || fail "the merge ran although a shard failed"
[ ! -e "$work/out/merged" ] || fail "$work/out/merged exists although a shard failed"

# Part 2: the same command again resumes: shards 1 and 3 skip their clips, shard 2 does its own.
t_submit=$(now)
submit "$MCVIDEO"
t_done=$(now)
[ "$n_done" -eq "$shards" ] || fail "$n_done of $shards shard tasks completed"
[ "$merge_state" = JobState=COMPLETED ] || fail "the merge job did not complete"
for k in 1 3; do
  log=$work/out/mcvideo-shard-${array}_$k.log
  grep -q '(0 scored' "$log" || fail "shard $k did not resume: $(tail -n 1 "$log")"
done

t_ref=$(now)
"$MCVIDEO" batch "$work/archive/manifest.csv" --out "$work/ref" --jobs 1 --no-overlay 2>&1 |
  tail -n 1
t_end=$(now)

for f in sites.csv patients.csv failures.csv; do
  [ -s "$work/out/merged/$f" ] || fail "no $f in $work/out/merged"
  cmp "$work/out/merged/$f" "$work/ref/$f" ||
    fail "$f differs between the merged shards and the direct run"
  echo "test-local: $f identical ($(($(wc -l <"$work/ref/$f") - 1)) rows)"
done

echo "test-local: cluster start $(elapsed "$t0" "$t_cluster") s," \
  "failing submission $(elapsed "$t_fail" "$t_submit") s," \
  "resubmission to merge done $(elapsed "$t_submit" "$t_done") s," \
  "direct batch $(elapsed "$t_ref" "$t_end") s, total $(elapsed "$t0" "$t_end") s"
result=0
echo "PASS"
