#!/usr/bin/env bash
# The test command of README.md: installs what is missing, then checks formatting, lints and
# runs every test (unit, integration, doc) of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-system.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
