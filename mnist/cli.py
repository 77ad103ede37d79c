"""`python -m mnist train | summary | export LOG | download`.

Only this module prints for the user and picks exit codes: a bad option or bad data gives one
line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mnist import model as mmodel
from sheetgen.usage import Parser

DEFAULT_WORKBOOK = "backprop.xlsx"  # in the working folder, as `sheetgen build` writes it


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return value


class _DefaultsFormatter(argparse.HelpFormatter):
    """Append "(default: X)" to an option's help, unless the help already names its default or
    there is none to show (None, False)."""

    def _get_help_string(self, action):
        help = action.help or ""
        if "default" in help or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return help
        return help + " (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    fmt = _DefaultsFormatter
    parser = Parser(prog="python -m mnist", description=__doc__.splitlines()[0],
                     formatter_class=fmt)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    models = ", ".join(mmodel.MODELS)

    t = sub.add_parser("train", help="train a model, write its log and the MNIST sheet",
                       formatter_class=fmt,
                       description="Options left at 'recipe' take the model's own recipe ("
                                   + "; ".join(f"{name}: {r.describe()}"
                                               for name, (_, r) in mmodel.MODELS.items()) + ").")
    t.add_argument("--model", default="compact", help=f"network: {models}")
    t.add_argument("--epochs", type=_positive_int, default=None, help="epochs (default: recipe)")
    t.add_argument("--batch-size", type=_positive_int, default=None, help="batch size (default: recipe)")
    t.add_argument("--lr", type=_positive_float, default=None,
                   help="learning rate; the peak for onecycle (default: recipe)")
    t.add_argument("--schedule", choices=["onecycle", "step", "constant"], default=None,
                   help="learning-rate schedule (default: recipe)")
    t.add_argument("--optimizer", choices=["sgd", "adam"], default=None, help="optimizer (default: recipe)")
    t.add_argument("--weight-decay", type=float, default=None, help="weight decay (default: recipe)")
    t.add_argument("--ema", type=float, default=None,
                   help="evaluate an exponential moving average of the weights with this decay, "
                        "0 for none (default: recipe)")
    t.add_argument("--tta", type=int, choices=[1, 3, 5, 9], default=None,
                   help="test accuracy from predictions averaged over this many views, the image "
                        "and its one-pixel moves; 1 for none (default: recipe)")
    t.add_argument("--no-augment", dest="augment", action="store_const", const=False, default=None,
                   help="train without random rotation and shift")
    t.add_argument("--seed", type=int, default=1, help="random seed")
    t.add_argument("--threads", type=_positive_int, default=2, help="CPU threads (torch.set_num_threads)")
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto: cuda when available, else cpu")
    t.add_argument("--limit", type=_positive_int, default=None,
                   help="train on the first N training images only (quick tries)")
    t.add_argument("--data-dir", default=None,
                   help="folder of the four IDX files (default: $MNIST_DATA, then ./data/MNIST/raw)")
    t.add_argument("--out", default=None,
                   help="JSON log path (default: mnist_<model>_seed<seed>.json; folders made if missing)")
    t.add_argument("--no-channels-last", dest="channels_last", action="store_false",
                   help="keep the default NCHW memory format")
    t.add_argument("--workbook", default=DEFAULT_WORKBOOK,
                   help="workbook to write the MNIST sheet into (built first when missing)")
    t.add_argument("--no-workbook", action="store_true", help="do not write the MNIST sheet")
    t.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")

    s = sub.add_parser("summary", help="print a model's layer table", formatter_class=fmt)
    s.add_argument("--model", default="compact", help=f"network: {models}")

    e = sub.add_parser("export", help="write the MNIST sheet from a saved JSON log",
                       formatter_class=fmt)
    e.add_argument("log", help="JSON log written by `train`")
    e.add_argument("--workbook", default=DEFAULT_WORKBOOK,
                   help="workbook to write the MNIST sheet into (built first when missing)")

    d = sub.add_parser("download", help="fetch the four MNIST files and check their MD5",
                       formatter_class=fmt)
    d.add_argument("--dest", default="data/MNIST/raw", help="folder to write into")
    d.add_argument("--mirror", action="append", default=None,
                   help="base URL to try (repeatable; default: the usual public mirrors)")
    d.add_argument("--force", action="store_true", help="download even files already present")
    return parser


def _train(args) -> int:
    from mnist import train
    workbook = None if args.no_workbook else Path(args.workbook)
    if workbook is not None:  # a folder, a damaged workbook: refused before minutes of training
        from mnist.export import check_target
        check_target(workbook)
    cfg = train.Config(model=args.model, epochs=args.epochs, batch_size=args.batch_size,
                       lr=args.lr, schedule=args.schedule, optimizer=args.optimizer,
                       weight_decay=args.weight_decay, ema=args.ema, tta=args.tta,
                       augment=args.augment, seed=args.seed,
                       threads=args.threads, device=args.device, limit=args.limit,
                       data_dir=args.data_dir, out=args.out, channels_last=args.channels_last,
                       progress=not args.quiet)
    log = train.run(cfg)
    print(f"best {log['best_acc']:.2f}% at epoch {log['best_epoch']}, final "
          f"{log['final_acc']:.2f}%, {log['wall_seconds']:.1f} s; log {log['log_path']}")
    if note := train.quick_try_note(log):
        print(note)
    if workbook is not None:
        from mnist import export
        export.export(log, workbook)
        print(f"wrote sheet {export.SHEET} into {workbook}")
    return 0


def _export(args) -> int:
    from mnist import export
    path = Path(args.log)
    try:
        log = json.loads(path.read_text())
    except FileNotFoundError:
        return _fail(f"log {path} not found")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return _fail(f"log {path} is not JSON: {e}")
    export.export(log, Path(args.workbook))
    print(f"wrote sheet {export.SHEET} into {args.workbook}")
    return 0


def _download(args) -> int:
    from mnist import data
    mirrors = tuple(args.mirror) if args.mirror else data.MIRRORS
    for p in data.download(args.dest, mirrors=mirrors, force=args.force):
        print(p)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)  # bad options raise UsageError, a ValueError
        if args.command == "summary":
            print(mmodel.format_summary(mmodel.summary(mmodel.create(args.model))))
            return 0
        return {"train": _train, "export": _export, "download": _download}[args.command](args)
    except (ValueError, OSError) as e:  # DataError, ModelError, ConfigError, OutputError, ...
        return _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    except SystemExit as e:  # argparse's --help
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        return _fail("interrupted")
