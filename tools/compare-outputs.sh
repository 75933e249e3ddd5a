#!/usr/bin/env bash
# Scores every fixture clip and the 12 clips of the accuracy harness with one `mcvideo` binary
# into a folder, so that two binaries' outputs can be diffed file by file.
#
# Usage: tools/compare-outputs.sh run BINARY OUT_DIR
#        tools/compare-outputs.sh diff OUT_DIR_A OUT_DIR_B
#
# `run` writes, for each clip, <name>.score.json (as `mcvideo score --out` writes it),
# <name>.json (the same, pretty-printed with the fields that vary between runs removed),
# <name>.overlay.png and, from binaries that save it, <name>.mean.png; the harness clips are rendered first with BINARY's `mcvideo synth`, with
# the parameters of crates/mcvideo-score/examples/accuracy.rs (seeds 100-111, 320x240, 3 s), and
# their truth files are kept beside them (harness/s<seed>.truth.json), since the renderer is
# part of what is compared.
#
# Fields left out of the comparison (they vary from run to run or between builds):
#   timings_ms  (wall-clock time of each stage)
#   version     (the crate version the binary was built from)
# and clip.path of a harness clip is cut to harness/<file> (the output folder is in it).
# `diff` compares the normalized JSON, the truth files and the overlay PNGs byte for byte and
# lists each file that differs; it exits 1 when any does.
set -euo pipefail
cd "$(dirname "$0")/.."

VARYING_FIELDS='del(.timings_ms, .version) | .clip.path |= sub("^.*/harness/"; "harness/")'

# Seeds 100-111 of the harness's default suite: scale, rate, flow mix, motion and noise by index.
harness_clips() {
    local scales=(0.9 1.2 1.5 1.0 1.35 0.8 1.6) fps=(25 30)
    local i
    for i in $(seq 0 11); do
        local mix=""
        case $((i % 3)) in
            1) mix="--flow-mix 0.03,0.05,0.12,0.80" ;;
            2) mix="--flow-mix 0.25,0.25,0.25,0.25" ;;
        esac
        local motion=1 noise=1
        [ $((i % 4)) -eq 3 ] && motion=3
        [ $((i % 5)) -eq 4 ] && noise=2
        echo "$((100 + i)) ${scales[$((i % 7))]} ${fps[$((i % 2))]} $motion $noise $mix"
    done
}

score_one() {
    local bin=$1 out=$2 name=$3 clip=$4
    shift 4
    local tmp
    tmp=$(mktemp -d)
    "$bin" score "$clip" --out "$tmp" "$@" >/dev/null
    mv "$tmp"/*.score.json "$out/$name.score.json"
    mv "$tmp"/*.overlay.png "$out/$name.overlay.png"
    # The saved mean image (binaries that write one).
    for f in "$tmp"/*.mean.png; do
        if [ -e "$f" ]; then mv "$f" "$out/$name.mean.png"; fi
    done
    rmdir "$tmp"
    jq -S "$VARYING_FIELDS" "$out/$name.score.json" >"$out/$name.json"
}

run() {
    local bin out
    bin=$(realpath "$1")
    out=$2
    mkdir -p "$out/harness"
    score_one "$bin" "$out" synth_clean fixtures/synth/clean.avi --um-per-px 1.2
    score_one "$bin" "$out" synth_degraded fixtures/synth/degraded.avi --um-per-px 1.2
    score_one "$bin" "$out" synth_fps30 fixtures/synth/fps30.avi --um-per-px 1.6
    score_one "$bin" "$out" real_ncflowspeed fixtures/real/ncflowspeed/clip.mkv --um-per-px 0.77
    local seed scale rate motion noise mix
    while read -r seed scale rate motion noise mix; do
        # shellcheck disable=SC2086
        "$bin" synth --out "$out/harness" --name "s$seed" --seed "$seed" --width 320 \
            --height 240 --duration 3 --um-per-px "$scale" --fps "$rate" --motion "$motion" \
            --noise "$noise" $mix >/dev/null
        score_one "$bin" "$out" "harness_s$seed" "$out/harness/s$seed.avi" --um-per-px "$scale"
        rm "$out/harness/s$seed.avi"
    done < <(harness_clips)
    echo "scored $(ls "$out"/*.json | grep -vc score.json) clips into $out"
}

compare() {
    local a=$1 b=$2 differ=0 same=0 f
    for f in "$a"/*.json "$a"/harness/*.truth.json "$a"/*.overlay.png "$a"/*.mean.png; do
        [ -e "$f" ] || continue
        case $f in *.score.json) continue ;; esac
        local rel=${f#"$a"/}
        if cmp -s "$f" "$b/$rel"; then
            same=$((same + 1))
        else
            echo "differs: $rel"
            differ=$((differ + 1))
        fi
    done
    echo "$same identical, $differ different (left out: timings_ms, version; harness clip.path cut)"
    [ "$differ" -eq 0 ]
}

case ${1:-} in
    run) run "$2" "$3" ;;
    diff) compare "$2" "$3" ;;
    *)
        sed -n 2,7p "$0" >&2
        exit 2
        ;;
esac
