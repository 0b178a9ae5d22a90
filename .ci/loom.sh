#!/usr/bin/env bash
# Cross-check the seed's counter programs with loom (see loom-check/).
# A separate target dir keeps `--cfg loom` from invalidating the main build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom" cargo test --release -p loom-check
