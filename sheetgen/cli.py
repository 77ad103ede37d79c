"""The `sheetgen` command: build, plot and verify backprop workbooks.

Exit codes: 0 success, 1 a verified workbook is wrong or a write failed (a full disk), 2 bad input
(options, files). Only this module prints and chooses exit codes; the library raises typed errors.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import DISTRIBUTION
from . import network as net
from .usage import Parser, UsageError

# Written into the working folder, never over the committed output/ (scripts/regenerate_output.py).
DEFAULT_WORKBOOK = Path("backprop.xlsx")
DEFAULT_EXERCISE = Path("exercise.xlsx")  # not backprop.xlsx: that is the full workbook
DEFAULT_PLOT = Path("loss_curves.png")
PLOT_NAME = "loss_curves.png"  # `build` draws it next to the workbook unless --plot says where


EXIT_CODES = {  # each subcommand's --help ends with its exit codes
    "build": "0 written; 1 writing failed part-way (a full disk: the old file is intact); 2 bad "
             "options or an output that cannot be written (nothing is written)",
    "plot": "0 written; 1 writing failed part-way; 2 bad options or output path",
    "verify": "0 every file passes; 1 a workbook is wrong, or a report could not be written; 2 a "
              "file cannot be checked (missing, not an xlsx, no table, too large) or bad options",
}


def version() -> str:
    """The installed distribution's version (pyproject.toml), or 'unknown' outside an install."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def epilog(command: str) -> str:
    return f"exit codes: {EXIT_CODES[command]}; 130 interrupted."


def numbers(text: str) -> list[float]:
    """Parse `0.1,0.2` or `0.1` into floats (argparse `type` for list options)."""
    try:
        return [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def flat(groups: list[list[float]] | None) -> list[float] | None:
    return None if groups is None else [x for g in groups for x in g]


def _listed(values) -> str:
    return " ".join(map(str, values))


def add_network_options(p: argparse.ArgumentParser) -> None:
    from .workbook import PRESETS

    d = net
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="start from a named set of values; options given beside it override it. "
                        "mazur: Matt Mazur's 'A Step by Step Backpropagation Example' (inputs "
                        "0.05 0.10, targets 0.01 0.99, w1..w8 0.15 ... 0.55, biases 0.35 0.60 "
                        "not trained, η = 0.5). xor: a 2-2-1 network reading the four XOR "
                        "examples at every step, one bias per unit, trained (add --mean for "
                        "the mean gradient)")
    p.add_argument("--layers", type=int, nargs="+", metavar="N",
                   help="units per layer: input, up to two hidden layers, output, 1-4 each "
                        "(default 2 2 2)")
    p.add_argument("--activation", choices=net.ACTIVATIONS,
                   help="of every unit (default sigmoid)")
    p.add_argument("--loss", choices=net.LOSSES,
                   help="half_sse: E = ½Σ(t−a)², the course's (default); sse: E = Σ(t−a)²")
    p.add_argument("--iterations", type=int,
                   help=f"gradient-descent rows per learning rate (default {d.ITERATIONS}, "
                        "at most 10000)")
    p.add_argument("--lr", type=numbers, nargs="+", metavar="ETA",
                   help=f"learning rates, one sheet each (default {_listed(d.LEARNING_RATES)})")
    p.add_argument("--inputs", type=numbers, nargs="+", metavar="I",
                   help=f"i1 i2 ... of the one example (default {_listed(d.INPUTS)}; "
                        "0.05, 0.10, 0.15, ... for other shapes)")
    p.add_argument("--targets", type=numbers, nargs="+", metavar="T",
                   help=f"t1 t2 ... (default {_listed(d.TARGETS)}: 0.5 for every output)")
    p.add_argument("--examples", type=Path, metavar="CSV",
                   help="a batch read at every step instead of --inputs/--targets: one row per "
                        "example, its inputs then its targets (a header row is skipped)")
    p.add_argument("--mean", action="store_true", default=None,
                   help="with a batch: descend by the mean of the examples' gradients (default: "
                        "their sum); E_total is the summed loss either way")
    p.add_argument("--weights", type=numbers, nargs="+", metavar="W",
                   help="initial w1 w2 ..., numbered layer by layer, then by the unit fed, then "
                        "by the source (2-2-2: w1 i1→h1, w2 i2→h1, w3 i1→h2, ...; default "
                        f"{_listed(d.WEIGHTS)}; for other shapes each layer's count up by 0.05 "
                        "from 0.15, or 0.40 after the first, times 2/fan-in)")
    p.add_argument("--biases", type=numbers, nargs="+", metavar="B",
                   help="one bias per layer after the input (b1 b2: hidden, output), or one per "
                        "unit (b1 h1, b2 h2, b3 o1, ...) (default none: the classic network)")
    p.add_argument("--train-biases", action="store_true", default=None,
                   help="update the biases by their own gradients too (needs biases)")


def settings_from(args):
    """The settings the options describe: the preset's, then every option given over it."""
    from .workbook import PRESETS, Settings
    from .workbook.examples import read_examples

    given = {"iterations": args.iterations, "learning_rates": flat(args.lr),
             "inputs": flat(args.inputs), "targets": flat(args.targets),
             "weights": flat(args.weights), "biases": flat(args.biases),
             "train_biases": args.train_biases, "activation": args.activation, "loss": args.loss,
             "mean": args.mean, "layers": args.layers}
    given = {k: v for k, v in given.items() if v is not None}
    preset = dict(PRESETS[args.preset]) if args.preset else {}
    if "layers" in given and tuple(given["layers"]) != preset.get("layers", (2, 2, 2)):
        # Another shape: the preset's weights and biases do not fit it.
        preset = {k: v for k, v in preset.items() if k not in ("weights", "biases")}
    one = [k for k in ("inputs", "targets") if k in given]
    if len(one) == 1 and isinstance(preset.get("inputs", (0,))[0], tuple):
        raise UsageError(f"sheetgen: --preset {args.preset} reads a batch of examples: give "
                         f"--examples FILE, or both --inputs and --targets for one example")
    if args.examples is not None or one:
        preset = {k: v for k, v in preset.items() if k not in ("inputs", "targets")}
    if args.examples is not None:
        if "inputs" in given or "targets" in given:
            raise UsageError("sheetgen: --examples gives the inputs and targets: "
                             "leave out --inputs and --targets")
        layers = given.get("layers", preset.get("layers", (2, 2, 2)))
        given["inputs"], given["targets"] = read_examples(args.examples, layers[0], layers[-1])
    return Settings.create(**preset | given)


def default_output(given: Path | None, default: Path) -> Path:
    """`given`, or `default`; its folder is made when it is written (`files.atomic_write`)."""
    return default if given is None else given


def cmd_build(args) -> int:
    from .files import check_output_path
    from .plots import plot_loss_curves
    from .workbook import build, build_exercise, key_path

    settings = settings_from(args)
    workbook = default_output(args.output, DEFAULT_EXERCISE if args.exercise else DEFAULT_WORKBOOK)
    # The exercise comes without the loss-curves PNG unless asked for: it shows the answer.
    default_plot = None if args.exercise else workbook.parent / PLOT_NAME
    plot = default_plot if args.plot is None else args.plot
    # Every output is checked before any is written: bad input leaves nothing behind.
    outputs = {"-o": workbook} | ({"the answer key": key_path(workbook)} if args.exercise else {})
    targets = {check_output_path(path).resolve(): name for name, path in outputs.items()}
    if plot and check_output_path(plot).resolve() in targets:
        raise UsageError(f"sheetgen build: --plot and {targets[check_output_path(plot).resolve()]}"
                         f" both name {plot}")
    start = time.perf_counter()
    rates = len(settings.learning_rates)
    steps = settings.iterations
    size = f"{rates} learning rate{'s' * (rates > 1)} × {steps} iteration{'s' * (steps > 1)}"
    if args.roster:
        return _build_class(args, workbook, settings, start)
    if args.exercise:
        path, key = build_exercise(workbook, settings)
        print(f"wrote the exercise {path} and its answer key {key} ({size}) "
              f"in {time.perf_counter() - start:.2f} s")
    else:
        path = build(workbook, settings)
        print(f"wrote {path} ({size}) in {time.perf_counter() - start:.2f} s")
    if plot:
        print(f"wrote {plot_loss_curves(plot, settings)}")
    return 0


def _build_class(args, workbook: Path, settings, start: float) -> int:
    """`build --exercise --roster CSV`: one exercise and one key per student (issue 19)."""
    from .workbook.roster import RosterError, build_class, read

    if not args.exercise:
        raise UsageError("sheetgen build: --roster makes one exercise per student; it needs "
                         "--exercise")
    try:
        built = build_class(workbook, settings, read(args.roster))
    except RosterError as e:
        raise UsageError(f"sheetgen build: {e}") from None
    print(f"wrote {len(built)} exercises and their answer keys, {built[0][0].name} … "
          f"{built[-1][1].name}, in {workbook.parent} in {time.perf_counter() - start:.2f} s")
    return 0


def cmd_plot(args) -> int:
    from .plots import plot_loss_curves

    settings = settings_from(args)
    print(f"wrote {plot_loss_curves(default_output(args.output, DEFAULT_PLOT), settings)}")
    return 0


def make_parser() -> Parser:
    parser = Parser(prog="sheetgen", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("build", help="write the backprop workbook (live formulas, native charts)",
                       epilog=epilog("build"))
    p.add_argument("-o", "--output", type=Path, metavar="XLSX",
                   help=f"workbook to write (default {DEFAULT_WORKBOOK} in the working folder; "
                        "folders made if missing)")
    p.add_argument("--plot", type=Path, metavar="PNG",
                   help=f"also draw the loss curves with matplotlib (default {PLOT_NAME} in the "
                        "workbook's folder)")
    p.add_argument("--no-plot", dest="plot", action="store_const", const=False,
                   help="do not draw the PNG")
    p.add_argument("--exercise", action="store_true",
                   help="write the exercise (the cells a student writes left empty; default "
                        f"{DEFAULT_EXERCISE}) and its answer key, the full workbook, beside it as "
                        "NAME-key.xlsx; no PNG unless --plot is given")
    p.add_argument("--roster", type=Path, metavar="CSV",
                   help="with --exercise: one exercise and key per student of the CSV (columns "
                        "id, name), NAME-<id>.xlsx and NAME-<id>-key.xlsx, with inputs, targets "
                        "and initial weights drawn from the id (a stable hash) and the id in the "
                        "document properties")
    add_network_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("plot", help="draw the loss curves per learning rate as a PNG",
                       epilog=epilog("plot"))
    p.add_argument("-o", "--output", type=Path, metavar="PNG",
                   help=f"PNG to write (default {DEFAULT_PLOT}; folders made if missing)")
    add_network_options(p)
    p.set_defaults(func=cmd_plot)

    from .verify import command as verify_command

    p = sub.add_parser("verify", help="check workbooks against the NumPy reference",
                       description=verify_command.__doc__.split("\n")[0],
                       epilog=epilog("verify"))
    verify_command.add_arguments(p)
    p.set_defaults(func=verify_command.run)

    from .web import command as web_command

    p = sub.add_parser("web", help="write a static page where students check their workbook in "
                       "the browser", description=web_command.__doc__.split("\n")[0])
    web_command.add_arguments(p)
    p.set_defaults(func=web_command.run)
    return parser


def error(e: Exception) -> None:
    print(f"sheetgen: error: {e}" if not str(e).startswith("sheetgen") else str(e),
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from .files import OutputError, WriteError
    from .libreoffice import LibreOfficeError
    from .workbook import SettingsError

    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, SettingsError, OutputError, LibreOfficeError) as e:
        error(e)
        return 2
    except WriteError as e:  # a full disk: the old file is intact, nothing half-written
        error(e)
        return 1
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM during verify (its code: 143)
        print("sheetgen: interrupted" if not getattr(e, "code", None) else
              "sheetgen: stopped (SIGTERM)", file=sys.stderr)
        return getattr(e, "code", 130)


if __name__ == "__main__":
    sys.exit(main())
