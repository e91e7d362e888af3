"""A worker process of :mod:`gdviz.core.parallel`: ``python -m gdviz.core.worker``.

It reads ``(fn, tasks)`` pairs, pickled, from stdin, and for each writes ``(True, [fn(*task) for
task in tasks])`` (or ``(False, the exception)``) to stdout, until stdin ends.
"""

from __future__ import annotations

import pickle
import sys


def serve() -> None:
    """The loop: one answer per request, in order."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers' pipe
    while True:
        try:
            fn, tasks = pickle.load(requests)
        except EOFError:
            return
        try:
            answer: tuple[bool, object] = (True, [fn(*task) for task in tasks])
        except Exception as error:  # sent back, raised by the caller
            answer = (False, error if _picklable(error) else RuntimeError(repr(error)))
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


def _picklable(value: object) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:
        return False
    return True


if __name__ == "__main__":
    serve()
