#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build a one-layer image archive from a root filesystem directory, in the
form `ctr images import` (and `docker load`) accept: an OCI image layout
(oci-layout, index.json, blobs/sha256/...) that is also a `docker save`
archive (manifest.json with RepoTags). No registry is involved.

  mkimage.py ROOTFS OUT.tar NAME [--entrypoint JSON] [--cmd JSON]
             [--label K=V]...

NAME is the full reference (docker.io/local/pause:test); it goes into
index.json's io.containerd.image.name and org.opencontainers.image.ref.name
annotations and manifest.json's RepoTags.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(tf, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    info.mode = 0o644
    tf.addfile(info, io.BytesIO(data))
    return "sha256:" + digest, len(data)


def add_bytes(tf, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tf.addfile(info, io.BytesIO(data))


def layer_of(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as lt:
        for name in sorted(os.listdir(rootfs)):
            lt.add(os.path.join(rootfs, name), arcname=name)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rootfs")
    ap.add_argument("out")
    ap.add_argument("name")
    ap.add_argument("--entrypoint", default="null")
    ap.add_argument("--cmd", default='["sh"]')
    ap.add_argument("--label", action="append", default=[])
    a = ap.parse_args()

    if not os.path.isdir(a.rootfs):
        sys.exit("mkimage.py: %s is not a directory" % a.rootfs)
    layer = layer_of(a.rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    labels = dict(kv.split("=", 1) for kv in a.label)
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": json.loads(a.entrypoint),
            "Cmd": json.loads(a.cmd),
            "Labels": labels or None,
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "tests/cri/mkimage.py"}],
    }
    tmp = a.out + ".part"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        layer_digest, layer_size = blob(tf, layer)
        cfg_digest, cfg_size = blob(tf, json.dumps(cfg, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": cfg_digest, "size": cfg_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": layer_digest, "size": layer_size}],
        }
        man_digest, man_size = blob(tf, json.dumps(manifest, sort_keys=True).encode())
        tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": man_digest, "size": man_size,
                "annotations": {"io.containerd.image.name": a.name,
                                "org.opencontainers.image.ref.name": tag},
            }],
        }
        add_bytes(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add_bytes(tf, "index.json", json.dumps(index).encode())
        docker = [{"Config": "blobs/sha256/" + cfg_digest[7:],
                   "RepoTags": [a.name],
                   "Layers": ["blobs/sha256/" + layer_digest[7:]]}]
        add_bytes(tf, "manifest.json", json.dumps(docker).encode())
    os.rename(tmp, a.out)


if __name__ == "__main__":
    main()
