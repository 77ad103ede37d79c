"""Text from outside (file names, sheet names) made safe to print on one line of a report.

A name may hold a newline (which would start a forged report line), other control characters,
or bytes that are not UTF-8 (a file name on Linux, which Python carries as lone surrogates and
cannot print). `printable` shows each of them as a backslash escape: `\\n`, `\\x1b`, `\\xff`.
"""
from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(m: re.Match) -> str:
    ch = m.group(0)
    if "\udc80" <= ch <= "\udcff":  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{ord(ch) - 0xDC00:02x}"
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def printable(text: str) -> str:
    """`text` with control characters, line separators and undecodable bytes escaped."""
    return _UNPRINTABLE.sub(_escape, str(text))
