#!/usr/bin/env bash
# Installs the system packages mcvideo needs to build and test, when they are missing:
# FFmpeg development libraries (for ffmpeg-next), clang/libclang (bindgen), pkg-config,
# the ffmpeg CLI (benchmarks compare against it) and Chromium (the report test opens
# report.html headless). Debian/Ubuntu only; run as root or with sudo available.
set -euo pipefail

need=()
pkg-config --exists libavcodec libavformat libavutil libswscale 2>/dev/null \
  || need+=(libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v clang >/dev/null || need+=(clang)
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || need+=(libclang-dev)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v chromium >/dev/null || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup-system: cargo not found; install the Rust toolchain with rustup (https://rustup.rs)" >&2
  exit 1
fi
