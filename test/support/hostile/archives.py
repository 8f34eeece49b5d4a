#!/usr/bin/env python3
"""The hostile image-archive corpus: what `tsrun load` may be handed.

Usage: archives.py OUT_DIR GOOD_DOCKER_ARCHIVE VICTIM_DIR MARKER

GOOD_DOCKER_ARCHIVE is `tsrun save` of the demo image (docker-archive). From
it this builds docker-archive and oci-archive variants whose manifest,
index, member names, links, digests and JSON are hostile, and writes
OUT_DIR/cases.json: [{"name", "file", "note", "expect"}] with expect
"refuse" (one clear line, nothing stored) or "either" (hostile but harmless
if loaded). Used by test/e2e/hostile-archive-corpus.test.ts.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

cases = []


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read_good(path):
    """The demo image as parts: config bytes, layer tar bytes, diff_id."""
    with tarfile.open(path) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        config = t.extractfile(manifest[0]["Config"]).read()
        layer = t.extractfile(manifest[0]["Layers"][0]).read()
    return config, layer


class Archive:
    """A tar written member by member, names and types as given."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w:", format=tarfile.GNU_FORMAT)

    def file(self, name, data):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mode = 0o644
        self.tar.addfile(ti, io.BytesIO(data))
        return self

    def link(self, name, target, hard=False):
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def dir(self, name):
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        self.tar.addfile(ti)
        return self

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def main():
    out_dir, good, victim, marker = sys.argv[1:5]
    os.makedirs(out_dir, exist_ok=True)
    config, layer = read_good(good)
    diff = sha(layer)
    cfg_name = sha(config) + ".json"
    vfile = os.path.join(victim, "file")
    n = [0]

    def add(note, data, expect="refuse", ext=".tar"):
        n[0] += 1
        name = "a%03d" % n[0]
        path = os.path.join(out_dir, name + ext)
        with open(path, "wb") as f:
            f.write(data)
        cases.append({"name": name, "file": path, "note": note, "expect": expect})

    def docker(manifest=None, members=None, extra=None, tags=("hostile/arch:1",)):
        """A docker-archive; members default to the good config and layer."""
        a = Archive()
        m = manifest if manifest is not None else [{"Config": cfg_name, "RepoTags": list(tags), "Layers": [diff + "/layer.tar"]}]
        for name, data in (members if members is not None else [(cfg_name, config), (diff + "/layer.tar", layer)]):
            a.file(name, data)
        for fn in extra or []:
            fn(a)
        a.file("manifest.json", m if isinstance(m, bytes) else json.dumps(m).encode())
        return a.bytes()

    def oci(index=None, blobs=None, layout=b'{"imageLayoutVersion":"1.0.0"}', extra=None):
        """An oci-archive: index.json, oci-layout and blobs/sha256/*."""
        cfg_d = "sha256:" + sha(config)
        lay_d = "sha256:" + diff
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d, "size": len(config)},
                               "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": lay_d, "size": len(layer)}]}).encode()
        man_d = "sha256:" + sha(manifest)
        idx = index if index is not None else {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d, "size": len(manifest),
                                                                                  "annotations": {"org.opencontainers.image.ref.name": "hostile/oci:1"}}]}
        a = Archive()
        if layout is not None:
            a.file("oci-layout", layout)
        a.dir("blobs").dir("blobs/sha256")
        for d, data in (blobs if blobs is not None else [(cfg_d, config), (lay_d, layer), (man_d, manifest)]):
            a.file("blobs/" + d.replace(":", "/"), data)
        for fn in extra or []:
            fn(a)
        a.file("index.json", idx if isinstance(idx, bytes) else json.dumps(idx).encode())
        return a.bytes(), manifest, man_d

    # docker-archive: where the manifest points.
    for cfg, what in [("../../../../../" + vfile.lstrip("/"), "Config climbing to the victim file"), (vfile, "Config an absolute host path"),
                      ("/etc/shadow", "Config the host's /etc/shadow"), ("missing.json", "Config a missing member"), ("", "Config empty")]:
        add(what, docker(manifest=[{"Config": cfg, "RepoTags": ["hostile/arch:1"], "Layers": [diff + "/layer.tar"]}]))
    for lay, what in [("../../../../" + vfile.lstrip("/"), "a layer path climbing out"), (vfile, "a layer an absolute host path"),
                      ("missing/layer.tar", "a missing layer"), (diff, "a layer that is a directory member")]:
        add(what, docker(manifest=[{"Config": cfg_name, "RepoTags": ["hostile/arch:1"], "Layers": [lay]}], extra=[lambda a: a.dir(diff)]))
    # Members that are links.
    a = Archive()
    a.file(cfg_name, config).file(diff + "/layer.tar", layer).link("manifest.json", vfile)
    add("manifest.json is a symlink to the victim file", a.bytes())
    add("the config member is a symlink to /etc/shadow", docker(members=[(diff + "/layer.tar", layer)], extra=[lambda a: a.link(cfg_name, "/etc/shadow")]))
    add("the layer member is a hard link to the victim file", docker(members=[(cfg_name, config)], extra=[lambda a: a.link(diff + "/layer.tar", vfile, hard=True)]))
    add("the layer member is a symlink climbing out", docker(members=[(cfg_name, config)], extra=[lambda a: a.link(diff + "/layer.tar", "../../../../" + vfile.lstrip("/"))]))
    # Members whose content lies.
    add("a config whose diff_ids do not match the layer", docker(members=[(cfg_name, config.replace(diff.encode(), b"0" * 64)), (diff + "/layer.tar", layer)]))
    tampered = bytearray(layer)
    tampered[len(tampered) // 2] ^= 0xFF
    add("a layer with one byte flipped", docker(members=[(cfg_name, config), (diff + "/layer.tar", bytes(tampered))]))
    add("a layer member twice, the second tampered", docker(members=[(cfg_name, config), (diff + "/layer.tar", layer), (diff + "/layer.tar", bytes(tampered))]))
    add("a layer that is not a tar", docker(members=[(cfg_name, config), (diff + "/layer.tar", os.urandom(30_000))]))
    # The manifest itself.
    for data, what in [(b"not json at all", "manifest.json not JSON"), (b"{}", "manifest.json an object"), (b"[]", "manifest.json empty"),
                       (b"[" * 100_000 + b"]" * 100_000, "manifest.json nested 100,000 deep"),
                       (json.dumps([{"Config": cfg_name, "Layers": [diff + "/layer.tar"] * 20_000}]).encode(), "20,000 layers"),
                       (json.dumps([{"Config": 7, "Layers": "x"}]).encode(), "fields of the wrong types"),
                       ]:
        add(what, docker(manifest=data))
    add("an 8 MiB tag (warned and dropped, or refused)",
        docker(manifest=b'[{"Config":"' + cfg_name.encode() + b'","Layers":["' + diff.encode() + b'/layer.tar"],"RepoTags":["' + b"a" * (8 << 20) + b':1"]}]'), expect="either")
    add("no manifest.json at all", Archive().file(cfg_name, config).bytes())
    add("RepoTags that are not references (warned, loaded untagged)",
        docker(tags=("UPPER/Case:1", "a:b:c", "../../etc:1", "x@sha256:zz")), expect="either")
    def with_config(c):
        return docker(manifest=[{"Config": sha(c) + ".json", "RepoTags": ["hostile/arch:1"], "Layers": [diff + "/layer.tar"]}],
                      members=[(sha(c) + ".json", c), (diff + "/layer.tar", layer)])

    assert config.rstrip().endswith(b"}")
    add("a config nested 100,000 levels deep", with_config(config.rstrip()[:-1] + b',"deep":' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    add("a config of 64 MiB (one huge label)", with_config(config.rstrip()[:-1] + b',"huge":"' + b"x" * (64 << 20) + b'"}'))
    big_env = json.loads(config)
    big_env.setdefault("config", {})["Env"] = ["V%d=x" % i for i in range(200_000)]
    add("a config with 200,000 Env entries", with_config(json.dumps(big_env).encode()))
    add("gzip of a docker-archive whose Config climbs out",
        gzip.compress(docker(manifest=[{"Config": "../../../../" + vfile.lstrip("/"), "RepoTags": ["hostile/arch:1"], "Layers": [diff + "/layer.tar"]}])), ext=".tar.gz")
    add("a gzip archive cut short", gzip.compress(docker())[:50_000], ext=".tar.gz")

    # oci-archive.
    data, manifest, man_d = oci()
    for digest, what in [("sha256:../../../../" + vfile.lstrip("/"), "a manifest digest climbing out"), ("sha256:" + "A" * 64, "an upper-case digest"),
                         ("sha256:abc", "a short digest"), ("sha512:" + "0" * 128, "a sha512 digest"), ("md5:" + "0" * 32, "an md5 digest"),
                         ("sha256:" + "0" * 64, "a digest of a missing blob")]:
        idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": len(manifest),
                                                  "annotations": {"org.opencontainers.image.ref.name": "hostile/oci:1"}}]}
        add("oci: " + what, oci(index=idx)[0])
    add("oci: a blob that does not match its digest", oci(blobs=[("sha256:" + sha(config), config[:-2] + b" }"), ("sha256:" + diff, layer), (man_d, manifest)])[0])
    add("oci: a blob member that is a symlink to the victim", oci(blobs=[("sha256:" + diff, layer), (man_d, manifest)], extra=[lambda a: a.link("blobs/sha256/" + sha(config), vfile)])[0])
    add("oci: index.json is not JSON", oci(index=b"{{{{")[0])
    add("oci: no oci-layout file", oci(layout=None)[0], expect="either")
    add("oci: an unknown layout version", oci(layout=b'{"imageLayoutVersion":"99.0.0"}')[0])
    loop = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
    loop_bytes = json.dumps(loop).encode()
    # An index that names itself cannot be hashed; two that name each other can't either, so
    # the loop is made of an index naming its own digest in a second level.
    inner = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + sha(loop_bytes), "size": len(loop_bytes)}]}
    inner_bytes = json.dumps(inner).encode()
    chain = inner_bytes
    blobs = [("sha256:" + sha(loop_bytes), loop_bytes), ("sha256:" + sha(inner_bytes), inner_bytes)]
    for _ in range(200):
        wrap = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + sha(chain), "size": len(chain)}]}
        chain = json.dumps(wrap).encode()
        blobs.append(("sha256:" + sha(chain), chain))
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + sha(chain), "size": len(chain),
                                              "annotations": {"org.opencontainers.image.ref.name": "hostile/oci:1"}}]}
    add("oci: indexes nested 200 deep", oci(index=idx, blobs=blobs)[0])
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d, "size": len(manifest) + 1000,
                                              "annotations": {"org.opencontainers.image.ref.name": "hostile/oci:1"}}]}
    add("oci: a descriptor size that lies", oci(index=idx)[0])
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d, "size": len(manifest),
                                              "annotations": {"org.opencontainers.image.ref.name": "hostile/oci:%d" % i}} for i in range(3)] +
           [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d, "size": len(manifest),
             "annotations": {"org.opencontainers.image.ref.name": "../../../" + marker.lstrip("/") + ":1"}}]}
    add("oci: a ref.name that climbs out (warned, not a path)", oci(index=idx)[0], expect="either")

    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
