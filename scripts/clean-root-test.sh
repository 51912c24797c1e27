#!/usr/bin/env bash
# Runs the README's test command (or another) in a fresh Debian root, so that nothing installed on this machine can
# hide a missing install step:
#
#   scripts/clean-root-test.sh bookworm|trixie [command ...]      # as root; default command: scripts/test.sh
#
# Makes a minbase root with mmdebstrap (installed here when missing), copies the checkout (tracked and untracked
# files that git does not ignore, so no build/) to /src/main in it and ../shared to /src/shared, mounts /proc,
# /sys and /dev, and runs the command from /src/main under chroot with a clean environment. Only the downloaded
# .deb files and the ccache directory survive between runs (FM_CI_CACHE, default /var/cache/fractalmidi-ci/<release>);
# installed packages never do. Everything is unmounted and the root removed on every exit path (FM_KEEP_ROOT=1
# keeps the root for a look inside; it is unmounted all the same).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:-}
case "$suite" in
  bookworm|trixie) shift ;;
  *) echo "usage: $0 bookworm|trixie [command ...]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || set -- scripts/test.sh
if [ "$(id -u)" -ne 0 ]; then echo "clean-root-test: needs root (mmdebstrap, mount, chroot)" >&2; exit 2; fi
log() { echo "== clean root $suite: $* ($(( SECONDS / 60 )) min $(( SECONDS % 60 )) s)"; }

if ! command -v mmdebstrap >/dev/null; then
  log "installing mmdebstrap on this machine"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
fi

cache=${FM_CI_CACHE:-/var/cache/fractalmidi-ci}/$suite
mkdir -p "$cache/archives/partial" "$cache/ccache"
root=$(mktemp -d "/var/tmp/fractalmidi-root-$suite.XXXXXX")
mounts=()
cleanup() {
  local status=$? i
  for (( i=${#mounts[@]}-1; i>=0; i-- )); do
    umount -R "${mounts[i]}" 2>/dev/null || umount -R -l "${mounts[i]}" || status=1
  done
  if findmnt -rn -o TARGET | grep -q "^$root/"; then
    echo "clean-root-test: something is still mounted under $root; leaving it" >&2; exit 1
  fi
  if [ "${FM_KEEP_ROOT:-0}" = 1 ]; then echo "clean-root-test: kept $root" >&2
  else rm -rf --one-file-system "$root"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bind() {   # bind SOURCE TARGET-IN-ROOT [options]
  mkdir -p "$root$2"
  mount --rbind "$1" "$root$2"
  mount --make-rslave "$root$2"
  mounts+=("$root$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$root$2"; fi
}

log "mmdebstrap --variant=minbase into $root"
mirror=http://deb.debian.org/debian
mmdebstrap --quiet --variant=minbase "$suite" "$root" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb http://deb.debian.org/debian-security $suite-security main"

log "copy the checkout and ../shared"
mkdir -p "$root/src/main"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat --printf '%n\0' 2>/dev/null \
   | tar --null -T - -cf -) | tar -C "$root/src/main" -xf -
cp -a "$here/.git" "$root/src/main/.git"
if [ -d "$here/../shared" ]; then mkdir -p "$root/src/shared" && cp -a "$here/../shared/." "$root/src/shared/"
else echo "clean-root-test: no ../shared beside the checkout; tests that need its data will skip" >&2; fi

mount -t proc proc "$root/proc"; mounts+=("$root/proc")
mount -t sysfs sysfs "$root/sys"; mounts+=("$root/sys")
bind /dev /dev
bind "$cache/archives" /var/cache/apt/archives
bind "$cache/ccache" /var/cache/ccache

log "run: $*"
status=0
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CCACHE_DIR=/var/cache/ccache \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c 'cd /src/main && exec "$@"' bash "$@" || status=$?
if [ "$status" -eq 0 ]; then log "passed"; else log "FAILED (exit $status)"; fi
exit "$status"
