#!/usr/bin/env bash
# The Python package: build the wheel with maturin, install it into a fresh virtual environment
# with pytest, and run the Python tests (python/tests) against it.
set -euo pipefail
cd "$(dirname "$0")/.."
target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
python3 -m venv "$target/py-build"
"$target/py-build/bin/pip" install -q 'maturin>=1.5,<2'
rm -rf "$target/wheels"
"$target/py-build/bin/maturin" build --release --locked -o "$target/wheels"
rm -rf "$target/py-test"
python3 -m venv "$target/py-test"
"$target/py-test/bin/pip" install -q "$target"/wheels/gilcheck-*.whl pytest
# From a directory outside the checkout, so that `import gilcheck` is the installed package.
cd "$target/py-test"
"$target/py-test/bin/pytest" -q -p no:cacheprovider "$OLDPWD/python/tests"
