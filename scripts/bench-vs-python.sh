#!/usr/bin/env bash
# Times the Python original (../shared/peer/run_peer.py, as its README sets it up) and this build (scripts/bench.sh)
# one after the other on this machine, so that every ratio in docs/PERFORMANCE.md comes from one session:
#   scripts/bench-vs-python.sh [OUT_DIR]      # default build/bench-session: peer.log, peer.json, ours.jsonl, machine.txt
# Needs the original unpacked in /tmp/peer/fractalmidi_v1 (PEER_REPO) and Debian's python3-torch. Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench-session}
repo=${PEER_REPO:-/tmp/peer/fractalmidi_v1}
peer=../shared/peer/run_peer.py
[ -f "$peer" ] || { echo "no $peer beside the checkout" >&2; exit 2; }
[ -d "$repo/models" ] || { echo "no Python original in $repo (../shared/peer/README.md says how to unpack it)" >&2; exit 2; }
mkdir -p "$out"
{ date -u; grep -m1 "model name" /proc/cpuinfo; nproc; grep -o -w -E "avx512_bf16|amx_bf16" /proc/cpuinfo | sort -u | tr '\n' ' '; echo;
  dpkg-query -W -f='${Package} ${Version}\n' libtorch-dev python3-torch libopenblas0-openmp 2>/dev/null; } | tee "$out/machine.txt"
/usr/bin/python3 "$peer" --repo "$repo" --configs default,small --no512 2>&1 | tee "$out/peer.log"
tail -n 1 "$out/peer.log" > "$out/peer.json"
scripts/bench.sh "$out/ours.jsonl"
echo "wrote $out/{machine.txt,peer.log,peer.json,ours.jsonl}"
