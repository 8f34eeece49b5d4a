#!/usr/bin/env python3
"""The hostile layer corpus: tarballs an attacker would put in an image.

Usage: layers.py OUT_DIR BASE_TAR VICTIM_DIR MARKER DEMO_DIFFID

Writes OUT_DIR/<name>.tar for every case and OUT_DIR/cases.json, a list of
{"name", "file", "note", "expect", "runnable"} where expect is "refuse" (garbage that
must fail with one clear line), "either" (hostile but a confined import is
fine) or "accept" (odd but valid), and runnable says the busybox rootfs is
under it (so an accepted image can run `true`). Used by test/e2e/hostile-corpus.test.ts,
which feeds every case to `import` and to `cp - CONTAINER:DIR`.

Every payload is aimed at a host path the test watches: MARKER-<case> (a
file that must never appear), the VICTIM_DIR tree (file, dir/inner, dir
mode 0700: must never change), or the demo image's own layer DEMO_DIFFID
in the store (another image's files: must never change).
"""
import gzip
import io
import json
import os
import sys
import tarfile

PAYLOAD = b"pwned by a hostile layer\n"
UP = "../" * 20

cases = []


class Case:
    def __init__(self, out_dir, name, note, expect="either", compress=None):
        self.name = name
        self.runnable = False
        self.path = os.path.join(out_dir, name + ".tar" + (".gz" if compress == "gzip" else ""))
        self.note = note
        self.expect = expect
        self.compress = compress
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w:", format=tarfile.GNU_FORMAT)

    def base(self, base_tar):
        """Start from the busybox rootfs, so an accepted image still runs."""
        self.runnable = True
        with tarfile.open(base_tar, "r:") as src:
            for m in src.getmembers():
                self.tar.addfile(m, src.extractfile(m) if m.isreg() else None)
        return self

    def add(self, name, kind=tarfile.REGTYPE, data=PAYLOAD, mode=None, link="", pax=None, dev=(0, 0), uid=0, gid=0, mtime=1_600_000_000):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.linkname = link
        ti.uid, ti.gid, ti.mtime = uid, gid, mtime
        ti.devmajor, ti.devminor = dev
        if kind == tarfile.DIRTYPE:
            ti.mode = 0o755 if mode is None else mode
        else:
            ti.mode = 0o644 if mode is None else mode
        if pax:
            ti.pax_headers = dict(pax)
        if kind == tarfile.REGTYPE:
            ti.size = len(data)
            self.tar.addfile(ti, io.BytesIO(data))
        else:
            self.tar.addfile(ti)
        return self

    def pax_entry(self, name, pax, kind=tarfile.REGTYPE, data=PAYLOAD, link=""):
        """An entry in PAX format (tarfile writes the x header for us)."""
        saved = self.tar.format
        self.tar.format = tarfile.PAX_FORMAT
        self.add(name, kind=kind, data=data, link=link, pax=pax)
        self.tar.format = saved
        return self

    def raw(self, data):
        """Bytes appended as they are (hand-made headers)."""
        self.tar.fileobj.write(data)
        self.tar.offset += len(data)
        return self

    def done(self, mangle=None):
        self.tar.close()
        data = self.buf.getvalue()
        if mangle:
            data = mangle(data)
        if self.compress == "gzip":
            data = gzip.compress(data)
        with open(self.path, "wb") as f:
            f.write(data)
        cases.append({"name": self.name, "file": self.path, "note": self.note, "expect": self.expect, "runnable": self.runnable})


def header(name, kind=b"0", size=0, mode=0o644, link=b"", size_field=None, checksum=True, dev=None):
    """A ustar header by hand, for fields tarfile will not write."""
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = size_field if size_field is not None else b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1_600_000_000
    h[156:157] = kind
    h[157:157 + len(link)] = link
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    if dev:
        h[329:337], h[337:345] = dev
    h[148:156] = b"        "
    if checksum:
        h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def header_offset(data, name):
    """Where the header of the entry `name` starts (headers are 512-aligned)."""
    for off in range(0, len(data), 512):
        if data[off:off + 100].rstrip(b"\0") == name:
            return off
    raise SystemExit("no entry %r" % name)


def pad(data):
    return data + b"\0" * (-len(data) % 512)


def main():
    out_dir, base, victim, marker, demo = sys.argv[1:6]
    os.makedirs(out_dir, exist_ok=True)
    vfile = os.path.join(victim, "file")
    vdir = os.path.join(victim, "dir")
    n = [0]

    def case(note, expect="either", compress=None, with_base=True):
        n[0] += 1
        c = Case(out_dir, "c%03d" % n[0], note, expect, compress)
        return c.base(base) if with_base else c

    def mark():
        return (marker + "-c%03d" % (n[0])).lstrip("/")

    # 1. Names that climb out, for every entry type.
    climbs = ["../{m}", UP + "{m}", "./../{m}", "a/../../{m}", "a/b/../../../{m}", "a/./../../" + UP + "{m}",
              "a/..//../" + UP + "{m}", "./" + UP + "./{m}", "bin/" + UP + "{m}", "a/b/c/" + UP + "{m}"]
    kinds = [("file", tarfile.REGTYPE), ("dir", tarfile.DIRTYPE), ("symlink", tarfile.SYMTYPE),
             ("fifo", tarfile.FIFOTYPE), ("hardlink", tarfile.LNKTYPE)]
    for kname, kind in kinds:
        for pat in climbs:
            c = case("a %s named %s" % (kname, pat))
            link = "bin/busybox" if kind == tarfile.LNKTYPE else ("/" if kind == tarfile.SYMTYPE else "")
            c.add(pat.format(m=mark()), kind=kind, link=link).done()

    # 2. Absolute names: confined to the root (Docker strips the leading /).
    for pat in ["/{m}", "//{m}", "/./{m}", "/../{m}", "/a/../../{m}"]:
        c = case("an absolute name %s" % pat)
        c.add(pat.format(m=mark())).done()

    # 3. A symlink planted, then something written through it.
    targets = [("/", "root"), (UP.rstrip("/"), "up"), (vdir, "victim-abs"), ("./" + UP + "." + vdir, "victim-rel"),
               ("/proc/self/root" + vdir, "proc-root")]
    follow = [("a file", lambda c, p: c.add(p + "/x")),
              ("a directory", lambda c, p: c.add(p + "/d", kind=tarfile.DIRTYPE)),
              ("a symlink", lambda c, p: c.add(p + "/s", kind=tarfile.SYMTYPE, link="/")),
              ("a hard link", lambda c, p: c.add(p + "/h", kind=tarfile.LNKTYPE, link="bin/busybox")),
              ("a fifo", lambda c, p: c.add(p + "/f", kind=tarfile.FIFOTYPE)),
              ("a whiteout", lambda c, p: c.add(p + "/.wh.inner")),
              ("an opaque marker", lambda c, p: c.add(p + "/.wh..wh..opq"))]
    for target, tname in targets:
        for fname, f in follow:
            c = case("symlink evil -> %s, then %s through it" % (tname, fname))
            c.add("evil", kind=tarfile.SYMTYPE, link=target)
            f(c, "evil")
            c.done()
    # Through a chain of links, and a link that replaces a directory first.
    c = case("a chain of symlinks a -> b -> victim dir, then a file through a")
    c.add("b", kind=tarfile.SYMTYPE, link=vdir).add("a", kind=tarfile.SYMTYPE, link="b").add("a/x").done()
    c = case("a directory, replaced by a symlink to the victim dir, then a file into it")
    c.add("d", kind=tarfile.DIRTYPE).add("d", kind=tarfile.SYMTYPE, link=vdir).add("d/x").done()
    c = case("a symlink to the victim dir, then the same name as a directory with mode 0777")
    c.add("evil", kind=tarfile.SYMTYPE, link=vdir).add("evil", kind=tarfile.DIRTYPE, mode=0o777).done()
    c = case("a symlink to the victim file, then a regular file of the same name")
    c.add("evil", kind=tarfile.SYMTYPE, link=vfile).add("evil").done()
    c = case("a symlink loop, then a file through it")
    c.add("l1", kind=tarfile.SYMTYPE, link="l2").add("l2", kind=tarfile.SYMTYPE, link="l1").add("l1/x").done()

    # 4. Hard links that reach out.
    for link, what in [(vfile, "the victim file, absolute"), (UP.rstrip("/") + vfile, "the victim file, by .."),
                       ("evil/file", "a path under a planted symlink"), ("../" + demo + "/bin/busybox", "another layer's file"),
                       ("nonexistent", "a missing target"), ("self", "itself"), ("bin", "a directory"), ("", "an empty name")]:
        c = case("a hard link to %s, then data written to it" % what)
        if what.startswith("a path under"):
            c.add("evil", kind=tarfile.SYMTYPE, link=victim)
        c.add("self" if what == "itself" else "hl", kind=tarfile.LNKTYPE, link=link)
        c.add("hl", data=b"overwritten " + PAYLOAD)
        c.done()

    # 5. Another image's layer in the store, by climbing just far enough.
    for pat in ["../{d}/bin/busybox", "../../layers/{d}/bin/busybox", "../../../overlay/layers/{d}/etc/passwd",
                "../../../../storage/overlay/layers/{d}/bin/sh"]:
        c = case("a file at %s (another layer of the store)" % pat)
        c.add(pat.format(d=demo)).done()

    # 6. Names that PAX and GNU headers override.
    c = case("a PAX path record ../MARKER overriding a harmless name")
    c.pax_entry("harmless", {"path": UP + mark()}).done()
    c = case("a PAX linkpath record to the victim file on a hard link")
    c.pax_entry("hl", {"linkpath": vfile}, kind=tarfile.LNKTYPE).done()
    c = case("a PAX linkpath record climbing out, on a symlink, then a file through it")
    c.pax_entry("evil", {"linkpath": UP.rstrip("/") + vdir}, kind=tarfile.SYMTYPE)
    c.add("evil/x").done()
    c = case("a GNU long name climbing out")
    c.add("a/" * 60 + UP * 3 + mark()).done()
    c = case("a GNU long link name (hard link to the victim, by ..)")
    c.add("hl", kind=tarfile.LNKTYPE, link="a/" * 60 + UP * 3 + vfile.lstrip("/")).done()
    c = case("a PAX size record larger than the data that follows", "refuse")
    c.pax_entry("big", {"size": "99999999"}).done()
    c = case("a PAX size record that is negative", "refuse")
    c.pax_entry("neg", {"size": "-5"}).done()
    c = case("a PAX global header with a path record")
    ghdr = tarfile.TarInfo("pax_global_header")
    ghdr.type = tarfile.XGLTYPE
    ghdr.pax_headers = {"path": UP + mark()}
    c.tar.format = tarfile.PAX_FORMAT
    c.tar.addfile(ghdr)
    c.tar.format = tarfile.GNU_FORMAT
    c.add("after-global").done()
    c = case("a PAX header of 8 MiB of comment records")
    c.pax_entry("fat", {"comment": "x" * (8 << 20)}).done()
    c = case("a PAX record whose length field lies", "refuse", with_base=False)
    rec = b"99 path=x\n"
    c.raw(header(b"./PaxHeaders/x", kind=b"x", size=len(rec)) + pad(rec) + header(b"x", size=0)).done()
    c = case("a PAX path record with a NUL byte")
    c.pax_entry("nul", {"path": "a\0/" + UP + mark()}).done()

    # 7. Whiteouts aimed at what they must not touch.
    for name, what in [(".wh..", "the root's parent"), ("a/.wh...", "a's parent"), (UP + ".wh.x", "outside, by .."),
                       (".wh..wh..opq", "the root itself (opaque)"), (".wh.", "an empty name"),
                       ("bin/.wh..wh..opq", "bin (opaque: hides the lower busybox links)"), (".wh.bin", "bin")]:
        c = case("a whiteout %s (%s)" % (name, what))
        c.add(name).done()
    c = case("a whiteout as a directory entry")
    c.add(".wh.etc", kind=tarfile.DIRTYPE).done()
    c = case("a whiteout of a name that climbs: a/.wh.. then a file")
    c.add("a", kind=tarfile.DIRTYPE).add("a/.wh..").add("a/x").done()

    # 8. Extended attributes.
    for key, value, what in [("trusted.overlay.opaque", "y", "a forged overlay opaque flag"),
                             ("trusted.overlay.redirect", "/etc", "a forged overlay redirect"),
                             ("trusted.overlay.metacopy", "", "a forged overlay metacopy"),
                             ("trusted.overlay.origin", "\x00\xfb", "a forged overlay origin"),
                             ("security.capability", "\x01\x00\x00\x02\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00", "file capabilities (kept: containers need them)"),
                             ("user.big", "x" * 65536, "a 64 KiB value"),
                             ("", "x", "an empty name"),
                             ("user." + "n" * 300, "x", "a 300-byte name"),
                             ("security.selinux", "system_u:object_r:shadow_t:s0", "an SELinux label")]:
        c = case("an xattr: %s" % what)
        c.pax_entry("xattr-file", {"SCHILY.xattr." + key: value}).done()
    c = case("2,000 xattrs on one file")
    c.pax_entry("many-xattrs", {"SCHILY.xattr.user.k%d" % i: "v" for i in range(2000)}).done()

    # 9. Broken or absurd structure.
    base_bytes = open(base, "rb").read()
    # (The archive itself ends there: no end-of-archive blocks after.)
    c = case("a header cut in half", "refuse", with_base=False)
    c.done(mangle=lambda d: header(b"x", size=100)[:300])
    c = case("data cut short inside a file", "refuse", with_base=False)
    c.done(mangle=lambda d: header(b"x", size=100_000) + b"y" * 5000)
    c = case("the rootfs cut short in the middle of busybox", "refuse")
    c.done(mangle=lambda d: d[: header_offset(d, b"./bin/busybox") + 512 + 100_000])
    c = case("a bad header checksum", "refuse", with_base=False)
    c.raw(header(b"x", size=0, checksum=False) + b"\0" * 1024).done()
    c = case("a size field that is not a number", "refuse", with_base=False)
    c.raw(header(b"x", size_field=b"zzzzzzzzzzz\0") + b"\0" * 1024).done()
    c = case("a base-256 size of a petabyte", "refuse", with_base=False)
    c.raw(header(b"x", size_field=b"\x80" + b"\0" * 4 + b"\x04\0\0\0\0\0\0") + b"\0" * 1024).done()
    c = case("garbage after the end-of-archive blocks")
    c.done(mangle=lambda d: d + os.urandom(4096))
    c = case("nothing but zero blocks", "refuse", with_base=False)
    c.raw(b"\0" * 10240).done()
    c = case("an empty file", "refuse", with_base=False)
    c.done(mangle=lambda d: b"")
    c = case("random bytes", "refuse", with_base=False)
    c.done(mangle=lambda d: os.urandom(20_000))
    c = case("a GNU sparse file claiming 1 TiB", "either")
    sp = tarfile.TarInfo("sparse")
    sp.type = tarfile.GNUTYPE_SPARSE
    c.tar.addfile(sp)
    c.done()
    c = case("a name component of 300 bytes")
    c.add("n" * 300).done()
    c = case("a path of 6,000 bytes")
    c.add("/".join(["d" * 50] * 120) + "/f").done()
    c = case("directories 600 deep")
    c.add("/".join(["d"] * 600) + "/f").done()
    c = case("the same file twice (the second wins)", "accept")
    c.add("twice", data=b"one\n").add("twice", data=b"two\n").done()
    c = case("a file, then a directory of the same name, then a file inside", "accept")
    c.add("x").add("x", kind=tarfile.DIRTYPE).add("x/y").done()
    c = case("a directory with content, then a file of the same name")
    c.add("y", kind=tarfile.DIRTYPE).add("y/z").add("y").done()
    c = case("bin/busybox replaced by a hard link to itself")
    c.add("bin/busybox", kind=tarfile.LNKTYPE, link="bin/busybox").done()
    c = case("uid and gid 4294967295, mode 07777, mtime before 1970", "accept")
    c.add("odd", mode=0o7777, uid=4294967295, gid=4294967295, mtime=-100).done()
    c = case("a directory mode 0000 with content under it", "accept")
    c.add("locked", kind=tarfile.DIRTYPE, mode=0).add("locked/inside").done()
    c = case("10,000 empty files", "accept")
    for i in range(10_000):
        c.add("many/f%05d" % i, data=b"")
    c.done()
    c = case("an unknown entry type 'Z'", "either", with_base=False)
    c.raw(header(b"weird", kind=b"Z") + b"\0" * 1024).done()
    c = case("a socket-like type byte '7' (contiguous file)", "either", with_base=False)
    c.raw(header(b"contig", kind=b"7", size=5) + pad(b"hello") + b"\0" * 1024).done()

    # 10. Device nodes an image may carry (kept; the devices cgroup guards them).
    for name, dev, what in [("dev-evil/vda", (254, 0), "the host's disk"), ("dev-evil/mem", (1, 1), "/dev/mem"),
                            ("dev-evil/kmsg", (1, 11), "/dev/kmsg"), ("dev-evil/sda", (8, 0), "a SCSI disk")]:
        kind = tarfile.BLKTYPE if what in ("the host's disk", "a SCSI disk") else tarfile.CHRTYPE
        c = case("a device node for %s" % what)
        c.add(name, kind=kind, dev=dev, mode=0o666).done()

    # 11. Compression.
    c = case("gzip of a hostile layer (a climbing name)", compress="gzip")
    c.add(UP + mark()).done()
    c = case("gzip cut short", "refuse", compress=None)
    c.done(mangle=lambda d: gzip.compress(d)[: len(gzip.compress(d)) // 2])
    c = case("gzip with trailing garbage", compress=None)
    c.done(mangle=lambda d: gzip.compress(d) + b"garbage" * 100)
    c = case("two concatenated gzip members (valid)", "accept", compress=None)
    c.done(mangle=lambda d: gzip.compress(d[: len(d) // 1024 * 512]) + gzip.compress(d[len(d) // 1024 * 512:]))
    c = case("gzip of random bytes", "refuse", with_base=False)
    c.done(mangle=lambda d: gzip.compress(os.urandom(10_000)))
    c = case("gzip with a corrupted CRC", "refuse", compress=None)
    c.done(mangle=lambda d: (lambda g: g[:-8] + bytes([g[-8] ^ 0xFF]) + g[-7:])(gzip.compress(d)))
    c = case("a gzip bomb: 200 MiB of zeros in one file", "either", with_base=False)
    c.done(mangle=lambda d: gzip.compress(header(b"bomb", size=200 << 20) + b"\0" * (200 << 20) + b"\0" * 1024, 9))
    c = case("bzip2 magic (unsupported)", "refuse", with_base=False)
    c.done(mangle=lambda d: b"BZh91AY&SY" + os.urandom(1000))
    c = case("xz magic (unsupported)", "refuse", with_base=False)
    c.done(mangle=lambda d: b"\xfd7zXZ\x00" + os.urandom(1000))
    c = case("zstd magic with garbage after it", "refuse", with_base=False)
    c.done(mangle=lambda d: b"\x28\xb5\x2f\xfd" + os.urandom(1000))

    # 12. Files the engine binds over or mounts on: aimed at the host.
    for name, link in [("etc/hosts", UP.rstrip("/") + vfile), ("etc/resolv.conf", vfile), ("etc/hostname", "/proc/self/root" + vfile),
                       ("etc", vdir), ("dev", vdir), ("proc", vdir), ("sys", UP.rstrip("/") + vdir), ("tmp", vdir)]:
        c = case("%s is a symlink to the victim" % name)
        c.add(name, kind=tarfile.SYMTYPE, link=link).done()
    c = case("etc/hostname is a directory")
    c.add("etc/hostname", kind=tarfile.DIRTYPE).done()
    c = case("etc/hosts is a FIFO (a bind over it must not hang)")
    c.add("etc/hosts", kind=tarfile.FIFOTYPE).done()

    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
