"""Check many files in parallel, one process per file, so a crash costs only that file.

A pool (concurrent.futures) breaks as a whole when one worker dies, killed by the kernel for
memory or by a signal, and loses every other file's result. Here each file gets its own forked
process that sends its `FileResult` back through a pipe; a process that ends without sending one
becomes one error line for its file.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from multiprocessing.connection import wait
from pathlib import Path

from . import FileResult


def check_all(paths: list[Path], options: dict, jobs: int, check, done=None) -> list[FileResult]:
    """`check(path, options) -> FileResult` for every path, `jobs` at a time, in input order;
    `done(result)`, if given, is called in this process as each file finishes."""
    done = done or (lambda result: None)
    if jobs <= 1 or len(paths) <= 1:
        return [_done(done, check(path, options)) for path in paths]
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    results: list[FileResult | None] = [None] * len(paths)
    todo = list(enumerate(paths))[::-1]
    running: dict = {}  # process sentinel -> (process, index, receiving end)
    while todo or running:
        while todo and len(running) < jobs:
            k, path = todo.pop()
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_work, args=(check, path, options, send), daemon=True)
            process.start()
            send.close()
            running[process.sentinel] = (process, k, receive)
        ready = wait([*running, *(entry[2] for entry in running.values())])
        for sentinel, (process, k, receive) in list(running.items()):
            if receive in ready or sentinel in ready:
                results[k] = _done(done, _collect(process, receive, paths[k], options))
                del running[sentinel]
    return results


def _done(done, result: FileResult) -> FileResult:
    done(result)
    return result


def _work(check, path: Path, options: dict, send) -> None:
    send.send(check(path, options))
    send.close()


def _collect(process, receive, path: Path, options: dict) -> FileResult:
    """The worker's result, or an error result when it ended without one."""
    try:
        result = receive.recv()
    except (EOFError, OSError):
        result = None
    process.join()
    receive.close()
    if result is not None:
        return result
    code = process.exitcode
    how = (
        f"killed by signal {-code} ({signal.Signals(-code).name})"
        if code is not None and code < 0
        else f"exit status {code}"
    )
    return FileResult(
        str(path),
        "error",
        f"the check of this file crashed ({how}); the other files were checked",
        engine=options.get("engine", "builtin"),
    )
