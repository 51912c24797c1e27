#!/usr/bin/env bash
# Copies the header-only libraries (CLI11, nlohmann-json, stb) into third_party/include and GoogleTest's source into
# third_party/googletest (both git-ignored), so that core, model, the CLI and the CUDA tests build on a machine without
# Debian's packages (the CUDA machines: scripts/gpu-check.sh): carry the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p third_party/include/stb
cp -r /usr/include/CLI third_party/include/
cp -r /usr/include/nlohmann third_party/include/
cp /usr/include/stb/stb_image_write.h /usr/include/stb/stb_image.h third_party/include/stb/
rm -rf third_party/googletest && cp -r /usr/src/googletest third_party/googletest   # libgtest-dev
echo "third_party ready ($(du -sh third_party | cut -f1))"
