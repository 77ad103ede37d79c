"""numpy as the page installs it: the files of the checked wheel, its modules compiled where
Node is there (`bytecode.py`), in one gzipped tar.

Pyodide's own installer unzips a wheel with Python's zipfile, inside the page, which took about
0.4 s of the page's start on a 2-core machine. The page instead has the browser inflate this
archive (natively, with `DecompressionStream`), writes its files into Pyodide's file system
(`untar` in app.js) and links numpy's shared libraries as Pyodide's installer does. The page
fetches the archive with the sha256 `sheetgen web` recorded (`integrity`), so the browser refuses
any other bytes, as Pyodide refuses a wheel whose sha256 is not in its lock.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
import zipfile

ARCHIVE = "numpy.tar.gz"
SITE_PACKAGES = "/lib/python3.12/site-packages/"  # where Pyodide installs a wheel


def archive(wheel: bytes) -> tuple[bytes, dict]:
    """The site's numpy archive made from the files of `wheel` (a zip of numpy's installed
    files), and what the page needs to install it: the archive's name, its sha256 as a
    subresource integrity string, and the shared libraries to link, in the wheel's order."""
    tar, libs = io.BytesIO(), []
    with zipfile.ZipFile(io.BytesIO(wheel)) as z, \
            tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as out:
        for info in z.infolist():
            if info.is_dir():
                continue
            entry = tarfile.TarInfo(info.filename)  # mode 0o644, time 0: the same bytes each time
            entry.size = info.file_size
            out.addfile(entry, io.BytesIO(z.read(info)))
            if info.filename.endswith(".so"):
                libs.append(SITE_PACKAGES + info.filename)
    data = gzip.compress(tar.getvalue(), mtime=0)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return data, {"archive": ARCHIVE, "integrity": f"sha256-{digest}", "root": SITE_PACKAGES,
                  "libs": libs}
