#!/usr/bin/env bash
# Submits an mcvideo archive to SLURM: a job array of N shards, then a merge job that runs
# when every shard has finished successfully.
#   tools/slurm/submit.sh INPUT OUT N [extra mcvideo batch args, e.g. --device microscan]
# INPUT is a manifest CSV or a folder (see `mcvideo batch --help`); OUT must be on a file
# system that every node sees. Results: OUT/merged/{sites,patients,failures}.csv, and each
# shard's clips/ under OUT/shard-K/. Resubmitting the same command resumes.
# Environment: MCVIDEO (the binary, default `mcvideo` on PATH), SHARD_CPUS (CPUs per shard,
# default 8 as in mcvideo-shard.sbatch; lower it on small nodes), and sbatch's own SBATCH_*
# variables (e.g. SBATCH_PARTITION, SBATCH_ACCOUNT) for both jobs.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
INPUT=$(realpath "$1"); OUT=$(realpath -m "$2"); SHARDS=$3; shift 3
case $SHARDS in
  '' | *[!0-9]* | 0) echo "submit.sh: N must be a positive whole number, not '$SHARDS'" >&2; exit 2 ;;
esac
MCVIDEO=${MCVIDEO:-$(command -v mcvideo || true)}
[ -n "$MCVIDEO" ] || { echo "submit.sh: set MCVIDEO=/path/to/mcvideo" >&2; exit 2; }
# The jobs start in OUT, so a relative path given here would not resolve there.
MCVIDEO=$(realpath "$MCVIDEO")
[ -x "$MCVIDEO" ] || { echo "submit.sh: $MCVIDEO is not an executable" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
export MCVIDEO INPUT OUT SHARDS EXTRA_ARGS="$*"
# Given on the command line, --cpus-per-task overrides the #SBATCH line in the script.
cpus=()
[ -z "${SHARD_CPUS:-}" ] || cpus=(--cpus-per-task="$SHARD_CPUS")
array=$(sbatch --parsable --export=ALL --array="1-$SHARDS" --chdir="$OUT" "${cpus[@]}" \
  "$here/mcvideo-shard.sbatch")
merge=$(sbatch --parsable --export=ALL --dependency="afterok:${array%%;*}" --chdir="$OUT" "$here/mcvideo-merge.sbatch")
echo "submitted shards as job $array and the merge as job $merge"
