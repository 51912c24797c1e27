#!/usr/bin/env bash
# The README's editing pictures: a motif drawn with the pencil, then the default model's "Fill around selection"
# (build/tests/ui/fm_studio_screenshot under Xvfb). Writes docs/editing-motif.png and docs/editing-fill.png.
set -euo pipefail
cd "$(dirname "$0")/.."
OMP_NUM_THREADS=2 xvfb-run -a -s "-screen 0 1400x900x24" build/tests/ui/fm_studio_screenshot docs/editing-motif.png docs/editing-fill.png
echo "wrote docs/editing-motif.png and docs/editing-fill.png"
