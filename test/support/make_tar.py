#!/usr/bin/env python3
"""Build hostile (or broken) tarballs for the import tests.

Usage: make_tar.py OUT KIND [BASE_TAR] [TARGET]

KIND:
  text           a text file, not a tar at all
  gzip-text      gzip of a text file (valid gzip, not a tar inside)
  truncated      the first 700 bytes of BASE_TAR (a header cut short)
  dotdot         BASE_TAR + a file at ../../../..TARGET
  dotdot-dir     BASE_TAR + a file at bin/../../../../..TARGET
  absolute       BASE_TAR + a file named TARGET (an absolute path)
  symlink-root   BASE_TAR + symlink evil -> / , then a file evil/TARGET
  symlink-up     BASE_TAR + symlink up -> ../../../../../../../.. , then a file up/TARGET
  symlink-file   BASE_TAR + symlink victim -> TARGET, then a regular file victim (write through?)
  symlink-chmod  BASE_TAR + symlink victim -> TARGET, then a directory entry victim mode 0777
  hardlink-abs   BASE_TAR + hard link hl -> TARGET (absolute host path)
  hardlink-up    BASE_TAR + hard link hl -> ../../../../..TARGET
  hardlink-write BASE_TAR + hard link hl -> TARGET, then a regular file hl (write through?)
  setuid-devices BASE_TAR + /opt/busybox-suid (bin/busybox, mode 04755, root),
                 /opt/loop-control (char 10:237, 0666), /opt/null (char 1:3, 0666)

TARGET is an absolute host path (e.g. /tmp/tsrun-pwned-abc). The payload of
every file written is PAYLOAD below, so a test can recognise it.
"""
import gzip
import io
import sys
import tarfile

PAYLOAD = b"pwned by a hostile tar\n"
UP = "../" * 16


def copy_base(out, base):
    with tarfile.open(base, "r:") as src:
        for m in src.getmembers():
            f = src.extractfile(m) if m.isreg() else None
            out.addfile(m, f)


def add_file(out, name, data=PAYLOAD, mode=0o644):
    ti = tarfile.TarInfo(name)  # written as given: no stripping of '/' or '..'
    ti.size = len(data)
    ti.mode = mode
    out.addfile(ti, io.BytesIO(data))


def add_symlink(out, name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    ti.mode = 0o777
    out.addfile(ti)


def add_hardlink(out, name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.LNKTYPE
    ti.linkname = target
    ti.mode = 0o644
    out.addfile(ti)


def add_dir(out, name, mode=0o777):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = mode
    out.addfile(ti)


def add_setuid_and_devices(out, base):
    """What an image may legitimately hold and a host user must never reach."""
    with tarfile.open(base, "r:") as src:
        names = src.getnames()
        bb = src.getmember("./bin/busybox" if "./bin/busybox" in names else "bin/busybox")
        data = src.extractfile(bb).read()
    add_dir(out, "opt", 0o755)
    add_file(out, "opt/busybox-suid", data, mode=0o4755)
    for name, major, minor in (("opt/loop-control", 10, 237), ("opt/null", 1, 3)):
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.CHRTYPE
        ti.devmajor, ti.devminor = major, minor
        ti.mode = 0o666
        out.addfile(ti)


def main():
    out_path, kind = sys.argv[1], sys.argv[2]
    base = sys.argv[3] if len(sys.argv) > 3 else None
    target = sys.argv[4] if len(sys.argv) > 4 else None

    if kind == "text":
        with open(out_path, "wb") as f:
            f.write(b"this is not a tar archive, just some text\n" * 200)
        return
    if kind == "gzip-text":
        with open(out_path, "wb") as f:
            f.write(gzip.compress(b"this is not a tar archive either\n" * 200))
        return
    if kind == "truncated":
        with open(base, "rb") as f:
            data = f.read(700)
        with open(out_path, "wb") as f:
            f.write(data)
        return

    if kind == "setuid-devices":
        with tarfile.open(out_path, "w:", format=tarfile.GNU_FORMAT) as out:
            copy_base(out, base)
            add_setuid_and_devices(out, base)
        return

    rel = target.lstrip("/")
    with tarfile.open(out_path, "w:", format=tarfile.GNU_FORMAT) as out:
        copy_base(out, base)
        if kind == "dotdot":
            add_file(out, UP + rel)
        elif kind == "dotdot-dir":
            add_file(out, "bin/" + UP + rel)
        elif kind == "absolute":
            add_file(out, target)
        elif kind == "symlink-root":
            add_symlink(out, "evil", "/")
            add_file(out, "evil/" + rel)
        elif kind == "symlink-up":
            add_symlink(out, "up", UP.rstrip("/"))
            add_file(out, "up/" + rel)
        elif kind == "symlink-file":
            add_symlink(out, "victim", target)
            add_file(out, "victim")
        elif kind == "symlink-chmod":
            add_symlink(out, "victim", target)
            add_dir(out, "victim", 0o777)
        elif kind == "hardlink-abs":
            add_hardlink(out, "hl", target)
        elif kind == "hardlink-up":
            add_hardlink(out, "hl", UP + rel)
        elif kind == "hardlink-write":
            add_hardlink(out, "hl", target)
            add_file(out, "hl")
        else:
            sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
