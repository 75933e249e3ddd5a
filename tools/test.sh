#!/usr/bin/env bash
# The test command of README.md: installs what is missing, then checks formatting, lints and
# runs every test (unit, integration, doc) of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-system.sh
cargo fmt --all -- --check
# Lints in the same build as the tests: the workspace's own crates are compiled by
# clippy-driver (a rustc with Clippy's lints), as `cargo clippy` does, but in full, so the
# dependencies are built once instead of once for `cargo clippy` (metadata only) and again for
# the tests. `-D warnings` denies rustc's and Clippy's warnings alike.
clippy_driver="$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")/clippy-driver"
if [ ! -x "$clippy_driver" ]; then
  echo "tools/test.sh: clippy-driver not found beside cargo; install it: rustup component add clippy" >&2
  exit 1
fi
export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# Every target, examples and benches included, is compiled and linted ...
cargo test --workspace --locked --all-targets --no-run
# ... and the tests run: unit and integration, then the doc tests.
cargo test --workspace --locked --tests
cargo test --workspace --locked --doc
