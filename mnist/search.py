"""The course report's grid search, reproduced: 96 settings of the 784-100-10 sigmoid MLP.

    dropout {0, 0.1, 0.2, 0.4} × batch {128, 256} × momentum {0.125, 0.25, 0.5} × lr {1e-2 … 1e-5}

`trial(setting)` trains one setting and returns a plain dict; it is all a distributed engine needs
(`optuna_objective` wraps it for Optuna, see the README). On one machine `search()` runs the
trials over a pool of processes, appends each finished one to a JSONL file (skipped on a rerun),
and writes a CSV and markdown table and a PNG of the test accuracy of every setting.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from pathlib import Path

from mnist import idx
from mnist import numpy_train as nt
from sheetgen.files import atomic_write

GRID = {"dropout": (0.0, 0.1, 0.2, 0.4), "batch_size": (128, 256),
        "momentum": (0.125, 0.25, 0.5), "lr": (1e-2, 1e-3, 1e-4, 1e-5)}
REPORT_BEST = {"dropout": 0.1, "batch_size": 256, "momentum": 0.25, "lr": 1e-3}
REPORT_TEST_ACC = 91.75      # the report's best test accuracy (%), after up to 50 epochs
MODEL = {"model": "mlp", "hidden": (100,), "activation": "sigmoid", "schedule": "constant"}
TABLE_COLUMNS = ["dropout", "batch_size", "momentum", "lr", "epochs_run", "final_acc",
                 "best_acc", "best_epoch", "final_train_acc", "train_seconds", "train_cpu_seconds"]
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_data_cache: dict = {}


def settings(grid: dict = GRID) -> list[dict]:
    """Every combination of the grid, in a fixed order (dropout slowest, lr fastest)."""
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def trial(setting: dict, epochs: int = 20, patience: int | None = 5, seed: int = 1,
          data_dir: str | None = None, limit: int | None = None, threads: int = 1) -> dict:
    """Train the report's MLP with `setting` (dropout, batch_size, momentum, lr) for at most
    `epochs`, stopping once the test accuracy has flattened (`patience`, see numpy_train.Config).
    Returns the setting, the run's parameters and its results (JSON-ready)."""
    cfg = nt.Config(**MODEL, **setting, epochs=epochs, patience=patience, seed=seed,
                    threads=threads, data_dir=data_dir, limit=limit, progress=False).resolved()
    with nt.limit_threads(threads):
        fit = nt.fit(cfg, _load(data_dir))
    last = fit["epochs"][-1]
    return {**setting, **run_params(epochs, patience, seed, limit),
            "epochs_run": len(fit["epochs"]), "final_acc": last["test_acc"],
            "best_acc": fit["best"]["test_acc"], "best_epoch": fit["best"]["epoch"],
            "final_train_acc": last["train_acc"], "train_seconds": fit["train_seconds"],
            "train_cpu_seconds": fit["train_cpu_seconds"],
            "curve": [round(e["test_acc"], 2) for e in fit["epochs"]]}


def optuna_objective(optuna_trial, **trial_options) -> float:
    """An Optuna objective over GRID: `study.optimize(lambda t: optuna_objective(t, epochs=20))`.
    Uses only `suggest_categorical` and `set_user_attr`, so Optuna is not imported here."""
    setting = {name: optuna_trial.suggest_categorical(name, list(values))
               for name, values in GRID.items()}
    result = trial(setting, **trial_options)
    optuna_trial.set_user_attr("result", result)
    return result["final_acc"]


def run_params(epochs: int, patience: int | None, seed: int, limit: int | None) -> dict:
    return {"max_epochs": epochs, "patience": patience, "seed": seed, "limit": limit}


def key(result_or_setting: dict, params: dict) -> str:
    """What makes two trials the same: the setting and the run's parameters."""
    return json.dumps({k: result_or_setting[k] for k in GRID} | params, sort_keys=True)


def _load(data_dir):
    if data_dir not in _data_cache:
        _data_cache[data_dir] = idx.load(data_dir)
    return _data_cache[data_dir]


def _work(job):
    setting, options = job
    return trial(setting, **options)


def read_done(path: Path) -> list[dict]:
    """The finished trials in `path`; a line cut short by an interrupted run is dropped (and the
    file rewritten without it, so later appends start on a fresh line)."""
    if not path.is_file():
        return []
    done, dropped = [], False
    for line in path.read_text().splitlines():
        try:
            done.append(json.loads(line))
        except json.JSONDecodeError:
            dropped = True
    if dropped or not path.read_text().endswith("\n"):
        with atomic_write(path, "w") as f:
            f.write("".join(json.dumps(r) + "\n" for r in done))
    return done


def append(path: Path, result: dict) -> None:
    with open(path, "a") as f:
        f.write(json.dumps(result) + "\n")
        f.flush()
        os.fsync(f.fileno())


def search(out_dir: Path, jobs: int = 1, epochs: int = 20, patience: int | None = 5,
           seed: int = 1, data_dir: str | None = None, limit: int | None = None, grid: dict = GRID,
           report=None) -> list[dict]:
    """Run every setting of `grid` not already in out_dir/results.jsonl, `jobs` at a time, one
    BLAS thread each. `report(result, finished, total)` is called as each trial ends. Returns
    the results of the whole grid in grid order (`search_report` writes the table and plot)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise nt.ConfigError(f"output folder {out_dir} does not exist")
    idx.find_data_dir(data_dir)                  # a missing data folder fails here, once
    path = out_dir / "results.jsonl"
    params = run_params(epochs, patience, seed, limit)
    done = {key(r, params): r for r in read_done(path) if all(r.get(k) == v for k, v in params.items())}
    todo = [s for s in settings(grid) if key(s, params) not in done]
    options = {"epochs": epochs, "patience": patience, "seed": seed, "data_dir": data_dir,
               "limit": limit}
    finished = len(settings(grid)) - len(todo)
    for result in _results(todo, options, jobs):
        append(path, result)
        done[key(result, params)] = result
        finished += 1
        if report:
            report(result, finished, len(settings(grid)))
    return [done[key(s, params)] for s in settings(grid)]


def _results(todo: list[dict], options: dict, jobs: int):
    """Finished trials as they come: in this process for one job, else from a pool of fresh
    ('spawn') processes whose BLAS is held to one thread before NumPy is imported."""
    if jobs == 1 or len(todo) <= 1:
        yield from (trial(s, **options) for s in todo)
        return
    saved = {v: os.environ.get(v) for v in THREAD_VARS}
    os.environ.update({v: "1" for v in THREAD_VARS})
    try:
        pool = multiprocessing.get_context("spawn").Pool(min(jobs, len(todo)))
    finally:
        for v, value in saved.items():
            if value is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = value
    with pool:
        yield from pool.imap_unordered(_work, [(s, options) for s in todo])
