"""Check many files in parallel, one process per file, so a crash costs only that file.

A pool (concurrent.futures) breaks as a whole when one worker dies, killed by the kernel for
memory or by a signal, and loses every other file's result. Here each file gets its own forked
process that sends its `FileResult` back through a pipe; a process that ends without sending one
becomes one error line for its file.

Ctrl-C (SIGINT, sent to every process of the terminal's group) and SIGTERM (turned into
`Stopped` by the command) end the workers quietly: each runs its `finally` blocks and exits
without a traceback, the parent ends the ones still running and raises KeyboardInterrupt once.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import sys
from multiprocessing.connection import wait
from pathlib import Path

from . import FileResult


class Stopped(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled as Ctrl-C is, exit code 128 + signal."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.code = 128 + signum


def check_all(paths: list[Path], options: dict, jobs: int, check, done=None) -> list[FileResult]:
    """`check(path, options) -> FileResult` for every path, `jobs` at a time, in input order;
    `done(result)`, if given, is called in this process as each file finishes."""
    done = done or (lambda result: None)
    if jobs <= 1 or len(paths) <= 1:
        return [_done(done, check(path, options)) for path in paths]
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    running: dict = {}  # process sentinel -> (process, index, receiving end)
    try:
        return _run(ctx, paths, options, jobs, check, running, done)
    finally:  # Ctrl-C, SIGTERM or an error here: no worker outlives the command
        for process, _, receive in running.values():
            if process.is_alive():
                process.terminate()
        for process, _, receive in running.values():
            process.join(30)  # time to kill LibreOffice and remove its folders
            if process.is_alive():
                process.kill()
                process.join()
            receive.close()


def _run(ctx, paths, options, jobs, check, running, done) -> list[FileResult]:
    results: list[FileResult | None] = [None] * len(paths)
    todo = list(enumerate(paths))[::-1]
    while todo or running:
        while todo and len(running) < jobs:
            k, path = todo.pop()
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_work, args=(check, path, options, send), daemon=True)
            # Workers ignore Ctrl-C from their birth on: the parent alone hears it and ends them.
            old = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                process.start()
            finally:
                signal.signal(signal.SIGINT, old)
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
    try:
        send.send(check(path, options))
        send.close()
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM: cleaned up on the way here, no traceback
        sys.exit(getattr(e, "code", 130))


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
