#!/usr/bin/env bash
# The test command of README.md: installs what is missing, then checks formatting, lints and
# runs every test (unit, integration, doc) of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-system.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Unit, integration and doc tests; the examples are already compiled by clippy --all-targets,
# so `--tests` spares linking them again.
cargo test --workspace --locked --tests
cargo test --workspace --locked --doc
