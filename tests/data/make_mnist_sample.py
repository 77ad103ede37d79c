"""Cut the MNIST sample in tests/data/mnist from the real files.

    python tests/data/make_mnist_sample.py [SOURCE_DIR]   (default: $MNIST_DATA)

The first 1,000 training and the first 1,000 test images with their labels, in the standard
gzip IDX files, so that the MNIST tests run on a fresh clone with no download; `python -m mnist
train` still reads the full set. The same source gives the same bytes (gzip mtime 0), and
tests/test_mnist_data.py checks the sample against the full set where that is present.
"""
from __future__ import annotations

import gzip
import os
import struct
import sys
from pathlib import Path

import torch

from mnist import data

SAMPLE = Path(__file__).resolve().parent / "mnist"
COUNT = 1000


def idx_bytes(tensor) -> bytes:
    """The IDX file of a uint8 tensor: (N, 28, 28) images or (N,) labels."""
    magic = data.IMAGES_MAGIC if tensor.dim() == 3 else data.LABELS_MAGIC
    header = struct.pack(f">I{tensor.dim()}I", magic, *tensor.shape)
    return header + tensor.contiguous().numpy().tobytes()


def main(source: str | None = None) -> None:
    ds = data.load(source or os.environ.get("MNIST_DATA"))
    SAMPLE.mkdir(exist_ok=True)
    tensors = {"train_images": ds.train_images, "train_labels": ds.train_labels,
               "test_images": ds.test_images, "test_labels": ds.test_labels}
    for key, (stem, _) in data.FILES.items():
        raw = idx_bytes(tensors[key][:COUNT].to(torch.uint8))
        (SAMPLE / (stem + ".gz")).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        print(SAMPLE / (stem + ".gz"))


if __name__ == "__main__":
    main(*sys.argv[1:2])
