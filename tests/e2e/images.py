"""A tiny `docker save`-style image archive built from the host's static busybox, so image tests
need no Docker daemon and no network."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

BUSYBOX = "/bin/busybox"
APPLETS = ["sh", "ls", "cat", "echo", "sleep", "test", "ps", "env", "pwd", "id", "wc"]


def busybox_is_static() -> bool:
    if not os.path.exists(BUSYBOX):
        return False
    with open(BUSYBOX, "rb") as f:
        return b"/lib64/ld-linux" not in f.read(8192)


def _add_dir(tar: tarfile.TarFile, name: str, mode: int = 0o755) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, mode
    tar.addfile(info)


def _add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def layer_tar(extra_files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for d in ["bin", "etc", "proc", "dev", "tmp", "mnt", "mnt/mesos", "mnt/mesos/sandbox", "srv"]:
            _add_dir(tar, d, 0o1777 if d == "tmp" else 0o755)
        with open(BUSYBOX, "rb") as f:
            _add_file(tar, "bin/busybox", f.read(), 0o755)
        for applet in APPLETS:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(info)
        _add_file(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        for path, text in extra_files.items():
            _add_file(tar, path.lstrip("/"), text.encode())
    return out.getvalue()


def build_image(registry: Path, repository: str = "busybox", tag: str = "latest",
                extra_files: dict[str, str] | None = None, config: dict | None = None) -> Path:
    """Writes `<registry>/<repository>:<tag>.tar` and returns its path."""
    layer = layer_tar(extra_files or {})
    diff_id = hashlib.sha256(layer).hexdigest()
    image_config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_GREETING=from-the-image"],
                   "Cmd": ["sh"], **(config or {})},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
    }
    config_bytes = json.dumps(image_config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": [f"{repository}:{tag}"],
                 "Layers": [f"{diff_id}/layer.tar"]}]
    registry.mkdir(parents=True, exist_ok=True)
    archive = registry / f"{repository}:{tag}.tar"
    with tarfile.open(archive, "w") as tar:
        _add_dir(tar, diff_id)
        _add_file(tar, f"{diff_id}/layer.tar", layer)
        _add_file(tar, f"{diff_id}/VERSION", b"1.0")
        _add_file(tar, f"{diff_id}/json", json.dumps({"id": diff_id}).encode())
        _add_file(tar, config_name, config_bytes)
        _add_file(tar, "manifest.json", json.dumps(manifest).encode())
        _add_file(tar, "repositories", json.dumps({repository: {tag: diff_id}}).encode())
    return archive


def install_busybox_hint() -> str:
    return "apt-get install busybox-static (a static /bin/busybox) to run the image tests"


__all__ = ["build_image", "busybox_is_static", "install_busybox_hint", "shutil"]
