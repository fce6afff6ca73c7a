"""axe-core for the browser tests, fetched from the npm registry (nothing vendored).

`npm pack` downloads the pinned release once into a cache folder outside the repository
(`$ROOST_CACHE_DIR`, else `~/.cache/roost`); its SHA-512 must match the registry's
integrity value pinned here, so a changed tarball fails loudly instead of testing with
something else. To move to a new release: `npm view axe-core@<v> dist.integrity`.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
# The rules of WCAG 2.0/2.1/2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def cache_dir() -> Path:
    root = os.environ.get("ROOST_CACHE_DIR") or Path.home() / ".cache" / "roost"
    return Path(root) / f"axe-core-{AXE_VERSION}"


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def axe_source() -> str:
    """The text of axe.min.js, downloaded with npm on first use."""
    folder = cache_dir()
    script = folder / "axe.min.js"
    if script.exists():
        return script.read_text()
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("ROOST_REQUIRE_BROWSER"):
            pytest.fail("npm is not installed (apt-get install npm): it fetches axe-core")
        pytest.skip("npm is not installed (apt-get install npm); axe-core test skipped")
    folder.mkdir(parents=True, exist_ok=True)
    # Parallel test processes: one downloads, the others wait and then read its file.
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists():
            with tempfile.TemporaryDirectory(dir=folder) as scratch:
                subprocess.run(
                    [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", scratch],
                    check=True,
                    capture_output=True,
                    timeout=300,
                    cwd=scratch,
                )
                tarball = Path(scratch) / f"axe-core-{AXE_VERSION}.tgz"
                found = _integrity(tarball)
                assert found == AXE_INTEGRITY, f"axe-core {AXE_VERSION} tarball is {found}"
                with tarfile.open(tarball) as archive:
                    member = archive.extractfile("package/axe.min.js")
                    assert member is not None
                    partial = Path(scratch) / "axe.min.js"
                    partial.write_bytes(member.read())
                partial.replace(script)  # atomic: a reader sees all of it or nothing
    return script.read_text()


def install_axe(page: Any) -> None:
    """Make `axe` part of every page this browser opens from now on. An init script, not
    an added <script> tag: the Content-Security-Policy rightly refuses inline script."""
    page.context.add_init_script(script=axe_source())


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; each violation with its rule and first targets."""
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        AXE_TAGS,
    )
    return list(result)
