"""Remake the committed output/ folder: the workbook, its loss curves and its MNIST sheet.

    python scripts/regenerate_output.py            # needs the [mnist] extra (the export reads torch's log format)

`sheetgen build` writes into the working folder, so it never touches output/; this script is the
one command that does. It builds output/backprop.xlsx and output/loss_curves.png with the default
settings, then writes the MNIST sheet into the workbook from the committed training log
(output/mnist_compact_seed1.json), as `python -m mnist train` did when the run was made. No
training runs. `--out DIR` writes elsewhere (the tests compare that with output/).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = "mnist_compact_seed1.json"


def regenerate(out: Path, log: Path) -> list[Path]:
    """Build the workbook and loss curves in `out` and export `log` into the workbook."""
    from mnist import export
    from sheetgen.plots import plot_loss_curves
    from sheetgen.workbook import Settings, build

    settings = Settings.create()
    workbook = build(out / "backprop.xlsx", settings)
    curves = plot_loss_curves(out / "loss_curves.png", settings)
    export.export(json.loads(log.read_text()), workbook)
    return [workbook, curves]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "output",
                        help="folder to write into (default: the repository's output/)")
    parser.add_argument("--log", type=Path, default=ROOT / "output" / LOG,
                        help=f"training log for the MNIST sheet (default: output/{LOG})")
    args = parser.parse_args(argv)
    try:
        for path in regenerate(args.out, args.log):
            print(f"wrote {path}")
    except (OSError, ValueError) as e:
        print(f"regenerate_output: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
