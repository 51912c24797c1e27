#!/usr/bin/env bash
# Copies the header-only libraries (CLI11, nlohmann-json, stb) into third_party/include (git-ignored), so that
# core, model and the CLI build on a machine without Debian's packages (the CUDA machines): carry the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p third_party/include/stb
cp -r /usr/include/CLI third_party/include/
cp -r /usr/include/nlohmann third_party/include/
cp /usr/include/stb/stb_image_write.h /usr/include/stb/stb_image.h third_party/include/stb/
echo "third_party/include ready ($(du -sh third_party/include | cut -f1))"
