#!/usr/bin/env bash
# Build the busybox test image (a rootfs tarball for `tsrun import`) from
# Debian's busybox-static. Nothing comes from the network.
#
#   test/support/build-rootfs.sh            # prints the path of the cached tarball
#   BUSYBOX=/path/to/busybox OUT=x.tar test/support/build-rootfs.sh
#
# The tarball is cached under test/.cache/, keyed by the hash of the busybox
# binary and by RECIPE (bump it whenever the layout below changes).
set -euo pipefail

RECIPE=2
BUSYBOX=${BUSYBOX:-/bin/busybox}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TSRUN_TEST_CACHE:-$(dirname "$here")/.cache}

if [ ! -x "$BUSYBOX" ]; then
  echo "build-rootfs: $BUSYBOX not found; install Debian's busybox-static (apt-get install -y busybox-static)" >&2
  exit 1
fi
if command -v file >/dev/null && ! file -L "$BUSYBOX" | grep -q 'statically linked'; then
  echo "build-rootfs: $BUSYBOX is not statically linked; install busybox-static" >&2
  exit 1
fi

hash=$(sha256sum "$BUSYBOX" | cut -c1-16)
out=${OUT:-$cache/busybox-rootfs-r$RECIPE-$hash.tar}
if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$(dirname "$out")"

stage=$(mktemp -d /tmp/tsrun-rootfs.XXXXXX)
trap 'rm -rf "$stage" "$out.tmp.$$"' EXIT

umask 022
chmod 0755 "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,tmp,home,var/tmp,proc,sys,dev,run}
chmod 0700 "$stage/root"
chmod 1777 "$stage/tmp" "$stage/var/tmp"
cp "$BUSYBOX" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"

# One symlink per applet, where busybox says it belongs (bin/sh, usr/bin/awk, ...).
while IFS= read -r applet; do
  case "$applet" in
    */*) ;;            # bin/ls, usr/sbin/chroot, ...
    *) continue ;;     # linuxrc and the like: not wanted at /
  esac
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$stage/$(dirname "$applet")"
  ln -sf /bin/busybox "$stage/$applet"
done < <("$BUSYBOX" --list-full)

cat > "$stage/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$stage/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
chmod 0644 "$stage/etc/passwd" "$stage/etc/group"

# Deterministic archive: same busybox -> same bytes.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$stage" -cf "$out.tmp.$$" .
mv -f "$out.tmp.$$" "$out"
echo "$out"
