#!/usr/bin/env python3
"""Build a docker-archive for the volume tests: the busybox rootfs plus
/srv/app owned by 1000:1000 (mode 0750) holding a file owned by 1001:1002
(mode 0640), a sub-directory and a symlink to /etc/shadow, with the image
config declaring VOLUME /srv/app; and /srv/links/a with a hard link b.

Usage: make_volume_image.py OUT BASE_TAR REF
"""
import hashlib
import io
import json
import sys
import tarfile

out, base, ref = sys.argv[1:4]

layer = io.BytesIO()
with tarfile.open(base) as src, tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as dst:
    for m in src.getmembers():
        dst.addfile(m, src.extractfile(m) if m.isfile() else None)

    def add(name, kind, mode, uid, gid, data=b"", target=""):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, 0
        if kind == tarfile.SYMTYPE:
            ti.linkname = target
        ti.size = len(data) if kind == tarfile.REGTYPE else 0
        dst.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

    add("./srv", tarfile.DIRTYPE, 0o755, 0, 0)
    add("./srv/app", tarfile.DIRTYPE, 0o750, 1000, 1000)
    add("./srv/app/data.txt", tarfile.REGTYPE, 0o640, 1001, 1002, b"image data\n")
    add("./srv/app/sub", tarfile.DIRTYPE, 0o700, 1000, 1000)
    add("./srv/app/sub/deep.txt", tarfile.REGTYPE, 0o600, 1000, 1000, b"deep\n")
    add("./srv/app/link", tarfile.SYMTYPE, 0o777, 0, 0, target="/etc/shadow")
    add("./srv/links", tarfile.DIRTYPE, 0o755, 0, 0)
    add("./srv/links/a", tarfile.REGTYPE, 0o644, 0, 0, b"linked\n")
    hard = tarfile.TarInfo("./srv/links/b")
    hard.type, hard.linkname, hard.mode, hard.mtime = tarfile.LNKTYPE, "./srv/links/a", 0o644, 0
    dst.addfile(hard)

blob = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(blob).hexdigest()
config = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"Cmd": ["sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Volumes": {"/srv/app": {}}},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
}
config_bytes = json.dumps(config).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
manifest = [{"Config": config_name, "RepoTags": [ref], "Layers": ["layer.tar"]}]

with tarfile.open(out, "w") as t:
    for name, data in (("layer.tar", blob), (config_name, config_bytes), ("manifest.json", json.dumps(manifest).encode())):
        ti = tarfile.TarInfo(name)
        ti.size, ti.mode = len(data), 0o644
        t.addfile(ti, io.BytesIO(data))
