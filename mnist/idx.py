"""MNIST's four IDX files -> uint8 NumPy arrays held in memory; no torch.

The IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian header, then raw bytes.
    images: magic 0x00000803, count, rows, cols, then count*rows*cols pixels
    labels: magic 0x00000801, count, then count labels
Files may be gzip-compressed (``.gz``) or raw. `mnist.data` wraps these arrays as torch tensors
for the CNN; the from-scratch NumPy models (`mnist.numpy_train`) use them as they are.
"""
from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

# Mean and standard deviation of the training pixels scaled to [0, 1] (the usual constants).
MEAN, STD = 0.1307, 0.3081

# Standard file names and the MD5 of each uncompressed file.
FILES = {
    "train_images": ("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    "train_labels": ("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    "test_images": ("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    "test_labels": ("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
}

DEFAULT_DIR = Path("data/MNIST/raw")


class DataError(ValueError):
    """An MNIST file is missing, truncated or not what it claims to be."""


@dataclass(frozen=True)
class Arrays:
    """The whole dataset as arrays: images uint8 (N, 28, 28), labels int64 (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    root: Path


# ---------------------------------------------------------------------------------------------
# Reading IDX files: the header first, then exactly the bytes it promises

IMAGE_SIZE = (28, 28)
MAX_BYTES = 256 * 2**20  # a header promising more is refused unread (MNIST's largest: 47 MB)


def _open(path: Path) -> BinaryIO:
    """`path` as a binary stream, inflated on the fly when it starts with the gzip magic."""
    try:
        with open(path, "rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        return gzip.open(path, "rb") if compressed else open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not an IDX file") from None


def _read(stream: BinaryIO, size: int, name: str) -> bytes:
    try:
        return stream.read(size)
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(f"{name}: corrupt or truncated gzip data ({e})") from None


def _header(stream: BinaryIO, name: str) -> tuple[int, tuple[int, ...]]:
    """(magic, shape) from the IDX header at the start of `stream`."""
    head = _read(stream, 8, name)
    if len(head) < 8:
        raise DataError(f"{name}: {len(head)} bytes is too short for an IDX header")
    magic, count = struct.unpack(">II", head)
    if magic == IMAGES_MAGIC:
        dims = _read(stream, 8, name)
        if len(dims) < 8:
            raise DataError(f"{name}: truncated image header")
        return magic, (count, *struct.unpack(">II", dims))
    if magic == LABELS_MAGIC:
        return magic, (count,)
    raise DataError(f"{name}: wrong magic number 0x{magic:08x} "
                    f"(want 0x{IMAGES_MAGIC:08x} images or 0x{LABELS_MAGIC:08x} labels)")


def read_stream(stream: BinaryIO, name: str = "<bytes>", image_size: tuple[int, int] | None = None
                ) -> np.ndarray:
    """Parse an IDX stream into a uint8 array: (N, rows, cols) for images, (N,) for labels.

    The header is read and checked first (magic, item count, and `image_size` when given); then
    exactly the bytes it promises are read, plus one to prove nothing follows. A gzip stream is
    thus never inflated past what the header announced, whatever it would inflate to.
    """
    magic, shape = _header(stream, name)
    if image_size is not None and magic == IMAGES_MAGIC and shape[1:] != image_size:
        raise DataError(f"{name}: images are {shape[1]}×{shape[2]} pixels; "
                        f"MNIST images are {image_size[0]}×{image_size[1]}")
    want = math.prod(shape)
    if want > MAX_BYTES:
        raise DataError(f"{name}: header {shape} promises {want:,} bytes, more than the "
                        f"{MAX_BYTES:,} this loader accepts")
    body = bytearray(_read(stream, want, name))  # writable, so the array owns its memory
    offset = 16 if magic == IMAGES_MAGIC else 8
    if len(body) < want:
        raise DataError(f"{name}: truncated: {offset + len(body)} bytes, header {shape} "
                        f"needs {offset + want}")
    if _read(stream, 1, name):
        raise DataError(f"{name}: has trailing bytes after the {offset + want} "
                        f"its header {shape} promises")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape) if want else \
        np.zeros(shape, dtype=np.uint8)


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes (uncompressed) into a uint8 array."""
    return read_stream(io.BytesIO(data), name)


def read_idx(path: str | os.PathLike, image_size: tuple[int, int] | None = None) -> np.ndarray:
    """Read one IDX file, gzip-compressed or raw; images must be `image_size` when given."""
    path = Path(path)
    with _open(path) as stream:
        return read_stream(stream, str(path), image_size)


def _idx_bytes(stream: BinaryIO, name: str) -> bytes:
    """The uncompressed bytes of a valid IDX stream (header checked first), for its MD5."""
    array = read_stream(stream, name)
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _find_file(root: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (root / name).is_file():
            return root / name
    raise DataError(f"{root}: missing {stem}(.gz)")


def _pair(root: Path, images_key: str, labels_key: str) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(_find_file(root, FILES[images_key][0]), IMAGE_SIZE)
    labels = read_idx(_find_file(root, FILES[labels_key][0]), IMAGE_SIZE)
    if images.ndim != 3:
        raise DataError(f"{root}: {FILES[images_key][0]} holds labels, not images")
    if labels.ndim != 1:
        raise DataError(f"{root}: {FILES[labels_key][0]} holds images, not labels")
    if len(images) != len(labels):
        raise DataError(f"{root}: {len(images)} images but {len(labels)} labels")
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"{root}: label {int(labels.max())} is not a digit")
    return images, labels.astype(np.int64)


def find_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder to read: `data_dir` if given, else $MNIST_DATA, else ./data/MNIST/raw."""
    if data_dir is not None:
        where, root = "--data-dir", Path(data_dir)
    elif os.environ.get("MNIST_DATA"):
        where, root = "$MNIST_DATA", Path(os.environ["MNIST_DATA"])
    else:
        where, root = "default", DEFAULT_DIR
    if not root.is_dir():
        raise DataError(f"MNIST folder {root} ({where}) does not exist; "
                        f"run `python -m mnist download` or pass --data-dir")
    return root


def load(data_dir: str | os.PathLike | None = None) -> Arrays:
    """Load all four files from the folder chosen by `find_data_dir`, as NumPy arrays."""
    root = find_data_dir(data_dir)
    train = _pair(root, "train_images", "train_labels")
    test = _pair(root, "test_images", "test_labels")
    return Arrays(*train, *test, root)
