"""`python -m mnist train | summary | export LOG | download | search`.

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
NUMPY_MODELS = ("mlp", "linear")   # mnist.numpy_train.MODELS, named here so the CLI loads fast


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
    models = ", ".join(mmodel.MODELS) + "; from scratch in NumPy: " + ", ".join(NUMPY_MODELS)

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
    _numpy_options(t)
    t.add_argument("--seed", type=int, default=1, help="random seed")
    t.add_argument("--threads", type=_positive_int, default=None,
                   help="CPU threads (default: 2 for the CNNs, torch.set_num_threads; 1 for the "
                        "NumPy models, whose small products gain little from a second thread and "
                        "lose much when the other core is busy)")
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

    _search_parser(sub, fmt)

    d = sub.add_parser("download", help="fetch the four MNIST files and check their MD5",
                       formatter_class=fmt)
    d.add_argument("--dest", default="data/MNIST/raw", help="folder to write into")
    d.add_argument("--mirror", action="append", default=None,
                   help="base URL to try (repeatable; default: the usual public mirrors)")
    d.add_argument("--force", action="store_true", help="download even files already present")
    return parser


def _numpy_options(t) -> None:
    """The options of the from-scratch NumPy models (--model mlp | linear)."""
    g = t.add_argument_group("NumPy models (mlp, linear)")
    g.add_argument("--hidden", type=_positive_int, nargs="+", default=None, metavar="N",
                   help="hidden layer sizes of mlp (default: recipe, 100)")
    g.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], default=None,
                   help="hidden activation (default: recipe, sigmoid)")
    g.add_argument("--dropout", type=float, default=None,
                   help="dropout probability after each hidden layer (default: recipe, 0)")
    g.add_argument("--momentum", type=float, default=None, help="SGD momentum (default: recipe)")
    g.add_argument("--augment", dest="augment", action="store_const", const=True, default=None,
                   help="train on images moved by up to 2 pixels (NumPy models; default: recipe)")


def _search_parser(sub, fmt) -> None:
    from mnist.search import GRID
    grid = " × ".join(f"{k} {{{', '.join(f'{v:g}' for v in vs)}}}" for k, vs in GRID.items())
    s = sub.add_parser("search", formatter_class=fmt,
                       help="the course report's 96-setting grid for the 784-100-10 sigmoid MLP",
                       description=f"Train every setting of {grid} (NumPy, constant learning "
                                   "rate), keep each finished one in OUT/results.jsonl (skipped "
                                   "on a rerun), write OUT/results.csv, results.md, accuracy.png.")
    s.add_argument("-j", "--jobs", type=_positive_int, default=2, help="processes in parallel")
    s.add_argument("--epochs", type=_positive_int, default=20, help="most epochs per setting")
    s.add_argument("--patience", type=_positive_int, default=5,
                   help="stop a setting when its best test accuracy rose less than 0.05 points "
                        "in this many epochs")
    s.add_argument("--seed", type=int, default=1, help="random seed")
    s.add_argument("--limit", type=_positive_int, default=None,
                   help="train on the first N training images only (quick tries)")
    s.add_argument("--data-dir", default=None,
                   help="folder of the four IDX files (default: $MNIST_DATA, then ./data/MNIST/raw)")
    s.add_argument("--out", default="mnist_search",
                   help="folder for results, made if missing (default: ./mnist_search)")
    s.add_argument("--quiet", action="store_true", help="no line per finished setting")


def _search(args) -> int:
    from mnist import search, search_report
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return _fail(f"cannot make the folder {out}: {e.strerror or e}")

    def report(r, finished, total):
        if not args.quiet:
            print(f"[{finished}/{total}] dropout {r['dropout']:g} batch {r['batch_size']} "
                  f"momentum {r['momentum']:g} lr {r['lr']:g}: {r['final_acc']:.2f}% after "
                  f"{r['epochs_run']} epochs, {r['train_seconds']:.0f} s", flush=True)

    results = search.search(out, args.jobs, args.epochs, args.patience, args.seed,
                            args.data_dir, args.limit, report=report)
    paths = search_report.write_outputs(results, out)
    best = max(results, key=lambda r: r["final_acc"])
    print(f"best: dropout {best['dropout']:g} batch {best['batch_size']} momentum "
          f"{best['momentum']:g} lr {best['lr']:g}: {best['final_acc']:.2f}%; wrote "
          + ", ".join(str(p) for p in paths.values()))
    return 0


CNN_ONLY = ("optimizer", "ema", "tta")
NUMPY_ONLY = ("hidden", "activation", "dropout", "momentum")


def _train_numpy(args) -> dict:
    from mnist import numpy_train
    given = [o for o in CNN_ONLY if getattr(args, o) is not None]
    if given or args.device == "cuda":
        raise ValueError(f"--{(given or ['device'])[0]} applies to the CNN models, not {args.model}")
    cfg = numpy_train.Config(model=args.model, hidden=args.hidden, activation=args.activation,
                             dropout=args.dropout, epochs=args.epochs, batch_size=args.batch_size,
                             lr=args.lr, momentum=args.momentum, schedule=args.schedule,
                             weight_decay=args.weight_decay, augment=args.augment,
                             seed=args.seed, threads=args.threads or 1, limit=args.limit,
                             data_dir=args.data_dir, out=args.out, progress=not args.quiet)
    return numpy_train.run(cfg)


def _train(args) -> int:
    workbook = None if args.no_workbook else Path(args.workbook)
    if workbook is not None:  # a folder, a damaged workbook: refused before minutes of training
        from mnist.export import check_target
        check_target(workbook)
    note = None
    if args.model in NUMPY_MODELS:
        log = _train_numpy(args)
    else:
        given = [o for o in NUMPY_ONLY if getattr(args, o) is not None]
        if given:
            return _fail(f"--{given[0]} applies to the NumPy models ({', '.join(NUMPY_MODELS)}), "
                         f"not {args.model}")
        from mnist import train
        log = train.run(_cnn_config(args, train))
        note = train.quick_try_note(log)
    print(f"best {log['best_acc']:.2f}% at epoch {log['best_epoch']}, final "
          f"{log['final_acc']:.2f}%, {log['wall_seconds']:.1f} s; log {log['log_path']}")
    if note:
        print(note)
    if workbook is not None:
        from mnist import export
        export.export(log, workbook)
        print(f"wrote sheet {export.SHEET} into {workbook}")
    return 0


def _cnn_config(args, train):
    return train.Config(model=args.model, epochs=args.epochs, batch_size=args.batch_size,
                       lr=args.lr, schedule=args.schedule, optimizer=args.optimizer,
                       weight_decay=args.weight_decay, ema=args.ema, tta=args.tta,
                       augment=args.augment, seed=args.seed,
                       threads=args.threads or train.Config.threads, device=args.device,
                       limit=args.limit,
                       data_dir=args.data_dir, out=args.out, channels_last=args.channels_last,
                       progress=not args.quiet)


def _summary(model: str) -> list[dict]:
    if model in NUMPY_MODELS:
        from mnist import numpy_train
        from sheetgen.nn.model import summary
        return summary(numpy_train.build(numpy_train.Config(model=model).resolved()), 784)
    return mmodel.summary(mmodel.create(model))


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
            print(mmodel.format_summary(_summary(args.model)))
            return 0
        return {"train": _train, "export": _export, "download": _download,
                "search": _search}[args.command](args)
    except (ValueError, OSError) as e:  # DataError, ModelError, ConfigError, OutputError, ...
        return _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    except SystemExit as e:  # argparse's --help
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        return _fail("interrupted")
