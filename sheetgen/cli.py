"""The `sheetgen` command: build, plot and verify backprop workbooks.

Exit codes: 0 success, 1 a verified workbook is wrong, 2 bad input (options, files).
Only this module prints and chooses exit codes; the library raises typed errors.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import network as net

DEFAULT_WORKBOOK = Path("output/backprop.xlsx")
DEFAULT_PLOT = Path("output/loss_curves.png")


class UsageError(ValueError):
    """Bad command-line input: reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2 (argparse's own default is two lines)."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def numbers(text: str) -> list[float]:
    """Parse `0.1,0.2` or `0.1` into floats (argparse `type` for list options)."""
    try:
        return [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def flat(groups: list[list[float]] | None) -> list[float] | None:
    return None if groups is None else [x for g in groups for x in g]


def add_network_options(p: argparse.ArgumentParser) -> None:
    d = net
    p.add_argument("--iterations", type=int, default=d.ITERATIONS,
                   help=f"gradient-descent rows per learning rate (default {d.ITERATIONS}, at most 10000)")
    p.add_argument("--lr", type=numbers, nargs="+", metavar="ETA",
                   help="learning rates, one sheet each (default %s)" % " ".join(map(str, d.LEARNING_RATES)))
    p.add_argument("--inputs", type=numbers, nargs="+", metavar="I",
                   help="i1 i2 (default %s)" % " ".join(map(str, d.INPUTS)))
    p.add_argument("--targets", type=numbers, nargs="+", metavar="T",
                   help="t1 t2 (default %s)" % " ".join(map(str, d.TARGETS)))
    p.add_argument("--weights", type=numbers, nargs="+", metavar="W",
                   help="initial w1..w8 (default %s)" % " ".join(map(str, d.WEIGHTS)))


def settings_from(args):
    from .workbook import Settings

    given = dict(iterations=args.iterations, learning_rates=flat(args.lr), inputs=flat(args.inputs),
                 targets=flat(args.targets), weights=flat(args.weights))
    return Settings.create(**{k: v for k, v in given.items() if v is not None})


def cmd_build(args) -> int:
    from .plots import plot_loss_curves
    from .workbook import build

    settings = settings_from(args)
    start = time.perf_counter()
    path = build(args.output, settings)
    print(f"wrote {path} ({len(settings.learning_rates)} learning rates × {settings.iterations} "
          f"iterations) in {time.perf_counter() - start:.2f} s")
    if args.plot:
        print(f"wrote {plot_loss_curves(args.plot, settings)}")
    return 0


def cmd_plot(args) -> int:
    from .plots import plot_loss_curves

    print(f"wrote {plot_loss_curves(args.output, settings_from(args))}")
    return 0


def make_parser() -> Parser:
    parser = Parser(prog="sheetgen", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("build", help="write the backprop workbook (live formulas, native charts)")
    p.add_argument("-o", "--output", type=Path, default=DEFAULT_WORKBOOK,
                   help=f"workbook to write (default {DEFAULT_WORKBOOK})")
    p.add_argument("--plot", type=Path, default=DEFAULT_PLOT, metavar="PNG",
                   help=f"also draw the loss curves with matplotlib (default {DEFAULT_PLOT})")
    p.add_argument("--no-plot", dest="plot", action="store_const", const=None,
                   help="do not draw the PNG")
    add_network_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("plot", help="draw the loss curves per learning rate as a PNG")
    p.add_argument("-o", "--output", type=Path, default=DEFAULT_PLOT,
                   help=f"PNG to write (default {DEFAULT_PLOT})")
    add_network_options(p)
    p.set_defaults(func=cmd_plot)

    from .verify import command as verify_command

    p = sub.add_parser("verify", help="check workbooks against the NumPy reference",
                       description=verify_command.__doc__.split("\n")[0])
    verify_command.add_arguments(p)
    p.set_defaults(func=verify_command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .files import OutputError
    from .libreoffice import LibreOfficeError
    from .workbook import SettingsError

    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, SettingsError, OutputError, LibreOfficeError) as e:
        print(f"sheetgen: error: {e}" if not str(e).startswith("sheetgen") else str(e),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sheetgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
