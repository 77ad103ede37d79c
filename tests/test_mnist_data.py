"""IDX parsing (good and every kind of bad file), data-folder search, augmentation, download."""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import math
import struct
import threading
import tracemalloc
import zlib
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from conftest import MNIST_SAMPLE, mnist_dir

from mnist import data


def idx_images(images: torch.Tensor) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", data.IMAGES_MAGIC, n, rows, cols) + images.numpy().tobytes()


def idx_labels(labels: torch.Tensor) -> bytes:
    return struct.pack(">II", data.LABELS_MAGIC, len(labels)) + labels.to(torch.uint8).numpy().tobytes()


def write_set(root: Path, n_train=6, n_test=4, gz=True, **replace: bytes) -> Path:
    """A tiny, valid MNIST folder; `replace` swaps the bytes of a file by its FILES key."""
    g = torch.Generator().manual_seed(0)
    content = {
        "train_images": idx_images(torch.randint(0, 256, (n_train, 28, 28), dtype=torch.uint8, generator=g)),
        "train_labels": idx_labels(torch.arange(n_train) % 10),
        "test_images": idx_images(torch.randint(0, 256, (n_test, 28, 28), dtype=torch.uint8, generator=g)),
        "test_labels": idx_labels(torch.arange(n_test) % 10),
    }
    content.update(replace)
    root.mkdir(parents=True, exist_ok=True)
    for key, raw in content.items():
        name = data.FILES[key][0]
        if gz:
            (root / (name + ".gz")).write_bytes(gzip.compress(raw, mtime=0))
        else:
            (root / name).write_bytes(raw)
    return root


# --- parsing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [True, False])
def test_small_set_round_trips(tmp_path, gz):
    root = write_set(tmp_path, gz=gz)
    ds = data.load(root)
    assert ds.train_images.shape == (6, 28, 28) and ds.train_images.dtype == torch.uint8
    assert ds.test_labels.tolist() == [0, 1, 2, 3]
    assert ds.train_labels.dtype == torch.int64


def test_parse_idx_shapes():
    images = torch.arange(2 * 3 * 4, dtype=torch.uint8).reshape(2, 3, 4)
    assert torch.equal(data.parse_idx(idx_images(images)), images)
    assert data.parse_idx(idx_labels(torch.tensor([3, 1]))).tolist() == [3, 1]


GOOD_LABELS = idx_labels(torch.arange(6) % 10)
GOOD_IMAGES = idx_images(torch.zeros(6, 28, 28, dtype=torch.uint8))

BAD_FILES = {
    "wrong magic": ("train_images", b"\x00\x00\x08\x04" + GOOD_IMAGES[4:], "wrong magic"),
    "truncated images": ("train_images", GOOD_IMAGES[:-10], "truncated"),
    "truncated header": ("train_labels", GOOD_LABELS[:5], "too short"),
    "trailing bytes": ("train_labels", GOOD_LABELS + b"\x00", "trailing"),
    "label count": ("train_labels", idx_labels(torch.arange(5)), "6 images but 5 labels"),
    "labels as images": ("train_images", GOOD_LABELS, "holds labels"),
    "label not a digit": ("train_labels", idx_labels(torch.tensor([0, 1, 2, 3, 4, 12])), "not a digit"),
    "empty file": ("test_labels", b"", "too short"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_raise_data_error(tmp_path, case):
    key, raw, message = BAD_FILES[case]
    root = write_set(tmp_path, gz=False, **{key: raw})
    with pytest.raises(data.DataError, match=message):
        data.load(root)


def test_corrupt_gzip(tmp_path):
    root = write_set(tmp_path)
    path = root / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])  # cut the deflate stream and its trailer
    with pytest.raises(data.DataError, match="gzip"):
        data.load(root)


def test_missing_file(tmp_path):
    root = write_set(tmp_path)
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DataError, match="missing t10k-labels"):
        data.load(root)


def _bomb(path: Path, header: bytes, zeros: int) -> Path:
    """A gzip file: `header`, then `zeros` zero bytes, written as one deflate block of 1 MiB of
    zeros repeated (its trailer is never reached): a 4 GiB body costs 4 MB of disk."""
    mib = 2**20
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    start = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(mib)) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(bytes(mib)) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # each block stands alone after a full flush
    with open(path, "wb") as f:
        f.write(start)
        f.writelines(block for _ in range(zeros // mib))
        f.write(c.flush())
    return path


@pytest.mark.parametrize("count, message", [
    (10, "trailing bytes"),          # an honest header, then 4 GiB more than it promised
    (5_000_000, "promises"),         # a header that promises 3.9 GB
])
def test_gzip_bomb_is_refused_without_inflating_it(tmp_path, count, message):
    header = struct.pack(">IIII", data.IMAGES_MAGIC, count, 28, 28)
    bomb = _bomb(tmp_path / "train-images-idx3-ubyte.gz", header, 4 * 2**30)
    assert bomb.stat().st_size < 8 * 2**20
    tracemalloc.start()
    try:
        with pytest.raises(data.DataError, match=message):
            data.read_idx(bomb, data.IMAGE_SIZE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # the header's 7,840 bytes and gzip's buffers, not gigabytes


def test_images_of_another_size_are_refused_at_load(tmp_path):
    images = idx_images(torch.zeros(6, 32, 32, dtype=torch.uint8))
    root = write_set(tmp_path, test_images=idx_images(torch.zeros(4, 32, 32, dtype=torch.uint8)))
    with pytest.raises(data.DataError, match="32×32 pixels; MNIST images are 28×28"):
        data.load(root)
    assert data.parse_idx(images).shape == (6, 32, 32)  # the format itself allows any size


def test_data_error_is_value_error():
    assert issubclass(data.DataError, ValueError)


# --- where the files are looked for -------------------------------------------------------------

def test_search_order(tmp_path, monkeypatch):
    given, env, cwd = tmp_path / "given", tmp_path / "env", tmp_path / "cwd"
    for d in (given, env, cwd / "data/MNIST/raw"):
        d.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("MNIST_DATA", str(env))
    assert data.find_data_dir(given) == given
    assert data.find_data_dir() == env
    monkeypatch.delenv("MNIST_DATA")
    assert data.find_data_dir() == Path("data/MNIST/raw")
    with pytest.raises(data.DataError, match="--data-dir"):
        data.find_data_dir(tmp_path / "nowhere")


# --- the real files -----------------------------------------------------------------------------

def test_real_mnist():
    root = mnist_dir()
    ds = data.load(root)
    assert ds.train_images.shape == (60000, 28, 28)
    assert ds.test_images.shape == (10000, 28, 28)
    assert ds.train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert ds.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert torch.bincount(ds.test_labels).tolist()[:3] == [980, 1135, 1032]
    mean = ds.train_images.float().div(255).mean().item()
    assert mean == pytest.approx(data.MEAN, abs=1e-4)


def test_sample_is_the_start_of_the_real_files():
    """tests/data/mnist holds the first 1,000 training and test images of the real set."""
    full, sample = data.load(mnist_dir()), data.load(MNIST_SAMPLE)
    for name in ("train_images", "train_labels", "test_images", "test_labels"):
        part = getattr(sample, name)
        assert len(part) == 1000
        assert torch.equal(part, getattr(full, name)[:1000]), name


def test_sample_is_real_digits():
    """Without the full set: the sample's known first labels and a plausible pixel mean."""
    ds = data.load(MNIST_SAMPLE)
    assert ds.train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert ds.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert min(torch.bincount(ds.test_labels).tolist()) > 60   # every digit is there
    assert ds.train_images.float().div(255).mean().item() == pytest.approx(data.MEAN, abs=0.01)


# --- augmentation -------------------------------------------------------------------------------

def test_augment_is_batched_and_mild():
    x = data.normalize(torch.zeros(64, 28, 28, dtype=torch.uint8))
    x[:, :, 10:18, 12:16] = 2.0  # a bar in the middle
    g = torch.Generator().manual_seed(0)
    y = data.augment(x, generator=g)
    assert y.shape == x.shape
    # background stays background; the bar moves a little but stays mostly in place
    assert y[:, :, :3, :].sub(x[:, :, :3, :]).abs().max() < 1e-5
    def centre(t):  # centre of mass of the bright pixels, (N, 2) in pixels
        w = (t - t.amin()).squeeze(1)
        rows, cols = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
        return torch.stack([(w * rows).sum((1, 2)), (w * cols).sum((1, 2))], 1) / w.sum((1, 2))[:, None]
    moved = (centre(y) - centre(x)).norm(dim=1)
    assert moved.max() < 2 * 2**0.5 + 1.5       # at most the largest shift (plus the rotation)
    assert moved.mean() > 0.5                   # but it does move
    # same generator seed, same result
    assert torch.equal(y, data.augment(x, generator=torch.Generator().manual_seed(0)))
    # zero range is the identity
    assert torch.allclose(data.augment(x, degrees=0, shift=0), x, atol=1e-5)


# --- download against a local server ------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/'srv' on 127.0.0.1 at a free port; yields (folder, base URL)."""
    root = tmp_path / "srv"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _publish(root: Path, good: Path, corrupt: str | None = None) -> dict[str, str]:
    """Copy the tiny set to the server folder; flip one byte of `corrupt` (a file stem)."""
    md5s = {}
    for key, (stem, _) in data.FILES.items():
        raw = gzip.decompress((good / (stem + ".gz")).read_bytes())
        md5s[key] = hashlib.md5(raw).hexdigest()
        if stem == corrupt:
            raw = raw[:-1] + bytes([raw[-1] ^ 0xFF])
        (root / (stem + ".gz")).write_bytes(gzip.compress(raw, mtime=0))
    return md5s


def _with_md5s(monkeypatch, md5s):
    files = {k: (stem, md5s[k]) for k, (stem, _) in data.FILES.items()}
    monkeypatch.setattr(data, "FILES", files)


def test_download_checks_md5(tmp_path, server, monkeypatch):
    srv, url = server
    md5s = _publish(srv, write_set(tmp_path / "good"))
    _with_md5s(monkeypatch, md5s)
    dest = tmp_path / "dest"
    paths = data.download(dest, mirrors=(url,), timeout=5)
    assert len(paths) == 4
    assert data.load(dest).train_images.shape == (6, 28, 28)
    assert not list(dest.glob("*.tmp")) and not list(dest.glob(".*"))


def test_download_refuses_corrupt_file_and_tries_next_mirror(tmp_path, server, monkeypatch):
    srv, url = server
    good = write_set(tmp_path / "good")
    md5s = _publish(srv, good, corrupt="train-labels-idx1-ubyte")
    _with_md5s(monkeypatch, md5s)
    dest = tmp_path / "dest"
    with pytest.raises(data.DataError, match="train-labels.*MD5.*refused"):
        data.download(dest, mirrors=(url,), timeout=5)
    assert not (dest / "train-labels-idx1-ubyte.gz").exists()
    # a second mirror with the right file rescues it
    mirror2 = srv / "mirror2"
    mirror2.mkdir()
    _publish(mirror2, good)
    data.download(dest, mirrors=(url, url + "mirror2/"), timeout=5)
    assert data.load(dest).train_labels.tolist() == [0, 1, 2, 3, 4, 5]


def test_download_unreachable_mirror(tmp_path, monkeypatch):
    with pytest.raises(data.DataError, match="could not download"):
        data.download(tmp_path, mirrors=("http://127.0.0.1:9/",), timeout=2)


def test_augment_copies_pixels_without_blurring():
    """Nearest sampling: every augmented pixel is one of the image's own values or background
    (up to float rounding); bilinear sampling would make new in-between values."""
    digits = data.normalize(data.load(MNIST_SAMPLE).test_images[:32])
    y = data.augment(digits, generator=torch.Generator().manual_seed(3))
    background = torch.tensor([-data.MEAN / data.STD])
    for image, out in zip(digits, y):
        values = torch.cat([image.flatten(), background]).unique()
        distance = (out.flatten()[:, None] - values[None, :]).abs().amin(1)
        assert distance.max() < 1e-5
    assert not torch.equal(y, digits)


def test_augment_shift_alone_moves_whole_pixels():
    """With no rotation each image is an exact translation by -2..2 pixels in each direction."""
    x = data.normalize(data.load(MNIST_SAMPLE).test_images[:16])
    y = data.augment(x, degrees=0, shift=2, generator=torch.Generator().manual_seed(5))
    background = -data.MEAN / data.STD
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2), value=background)
    for image, out in zip(padded, y):
        matches = [(dy, dx) for dy in range(5) for dx in range(5)
                   if torch.allclose(image[:, dy:dy + 28, dx:dx + 28], out, atol=1e-5)]
        assert matches, "not a whole-pixel translation of the input"


def _reference_augment(x, degrees=7.0, shift=2, generator=None):
    """The same random draws through torch's affine_grid and grid_sample(mode="nearest")."""
    n, _, h, w = x.shape
    rand = torch.rand(n, 3, generator=generator)
    angle = (rand[:, 0] * 2 - 1) * math.radians(degrees)
    pixels = torch.floor(rand[:, 1:] * (2 * shift + 1)) - shift
    cos, sin = torch.cos(angle), torch.sin(angle)
    tx, ty = pixels[:, 0] * 2 / w, pixels[:, 1] * 2 / h
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    background = -data.MEAN / data.STD
    return F.grid_sample(x - background, grid, mode="nearest", padding_mode="zeros",
                         align_corners=False) + background


def test_augment_matches_grid_sample():
    """One gather gives what affine_grid + grid_sample(nearest) give, but for the rare pixel
    whose source lies on a rounding tie (at most 1 in 100,000 here)."""
    x = data.normalize(data.load(MNIST_SAMPLE).train_images[:512])
    for seed in range(4):
        ours = data.augment(x, generator=torch.Generator().manual_seed(seed))
        ref = _reference_augment(x, generator=torch.Generator().manual_seed(seed))
        differ = ((ours - ref).abs() > 1e-5).sum().item()
        assert differ <= x.numel() // 100_000


@pytest.mark.parametrize("dx, dy", [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-2, 2)])
def test_shift_moves_whole_pixels(dx, dy):
    """Against torch.roll, with the pixels rolled in from the far side set to background."""
    x = data.normalize(data.load(MNIST_SAMPLE).test_images[:8])
    expected = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
    background = -data.MEAN / data.STD
    if dy:
        rows = slice(0, dy) if dy > 0 else slice(dy, None)
        expected[:, :, rows, :] = background
    if dx:
        cols = slice(0, dx) if dx > 0 else slice(dx, None)
        expected[:, :, :, cols] = background
    assert torch.equal(data.shift(x, dx, dy), expected)
    assert data.shift(x, 0, 0) is x


def test_tta_views_are_distinct_moves_starting_with_the_image():
    for n, views in data.TTA_VIEWS.items():
        assert len(views) == len(set(views)) == n and views[0] == (0, 0)
