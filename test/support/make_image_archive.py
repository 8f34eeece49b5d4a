#!/usr/bin/env python3
"""Build image archives (docker-archive or oci-archive) for the load tests,
including hostile and broken ones, from a JSON spec.

Usage: make_image_archive.py SPEC.json   (or - for stdin)

The spec:
  {
    "out": "/path/x.tar",
    "format": "docker" | "oci",            default docker
    "gzip": false,                         gzip the whole archive
    "images": [{
      "layers": [LAYER, ...],
      "config": {...},                     merged over a minimal linux/amd64 config
      "config_raw": "text",                the config bytes as given (no diff_ids filled in)
      "config_pad": N,                     add an "x-pad" string of N bytes to the config
      "wrong_diff_id": false,              give the last layer a diff_id it does not have
      "tags": ["demo:1", ...],             RepoTags (docker) / ref.name annotations (oci)
      "tag_range": {"format": "many/t:{i}", "count": 20000}
    }]
  }
  LAYER: {"base": "/path/rootfs.tar"}      that tar as it is
       | {"files": {"name": SIZE_OR_TEXT}}  a tar of regular files: an int is
                                           that many zero bytes, a string its text

Layers are stored uncompressed. Prints nothing; exits non-zero on a bad spec.
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile


class ZeroReader(io.RawIOBase):
    """`size` zero bytes without holding them in memory."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def layer_tar(spec):
    if "base" in spec:
        with open(spec["base"], "rb") as f:
            return f.read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=tarfile.GNU_FORMAT) as t:
        for name, content in spec["files"].items():
            ti = tarfile.TarInfo(name)
            ti.mode = 0o644
            if isinstance(content, int):
                ti.size = content
                t.addfile(ti, io.BufferedReader(ZeroReader(content)))
            else:
                data = content.encode()
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def image_tags(img):
    tags = list(img.get("tags", []))
    r = img.get("tag_range")
    if r:
        tags += [r["format"].format(i=i) for i in range(r["count"])]
    return tags


def image_blobs(img):
    layers = [layer_tar(l) for l in img.get("layers", [])]
    if "config_raw" in img:
        config = img["config_raw"].encode()
    else:
        diff_ids = [sha(l) for l in layers]
        if img.get("wrong_diff_id") and diff_ids:
            diff_ids[-1] = "sha256:" + "0" * 64
        cfg = {"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        cfg.update(img.get("config", {}))
        if img.get("config_pad"):
            cfg["x-pad"] = "p" * img["config_pad"]
        config = json.dumps(cfg).encode()
    return layers, config


def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))


def docker_archive(t, images):
    manifest = []
    for img in images:
        layers, config = image_blobs(img)
        names = []
        for l in layers:
            name = sha(l)[7:] + "/layer.tar"
            if name not in names:
                add(t, name, l)
            names.append(name)
        cname = sha(config)[7:] + ".json"
        add(t, cname, config)
        manifest.append({"Config": cname, "RepoTags": image_tags(img) or None, "Layers": names})
    add(t, "manifest.json", json.dumps(manifest).encode())


def oci_archive(t, images):
    add(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    entries = []
    written = set()

    def blob(data):
        d = sha(data)
        if d not in written:
            written.add(d)
            add(t, "blobs/sha256/" + d[7:], data)
        return d

    for img in images:
        layers, config = image_blobs(img)
        m = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": blob(l), "size": len(l)} for l in layers],
        }
        mb = json.dumps(m).encode()
        desc = {"mediaType": m["mediaType"], "digest": blob(mb), "size": len(mb)}
        tags = image_tags(img)
        if not tags:
            entries.append(desc)
        for tag in tags:
            entries.append(dict(desc, annotations={"org.opencontainers.image.ref.name": tag}))
    add(t, "index.json", json.dumps({"schemaVersion": 2, "manifests": entries}).encode())


def main():
    src = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])
    spec = json.load(src)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=tarfile.GNU_FORMAT) as t:
        (oci_archive if spec.get("format") == "oci" else docker_archive)(t, spec["images"])
    data = buf.getvalue()
    if spec.get("gzip"):
        data = gzip.compress(data, compresslevel=6)
    with open(spec["out"], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
