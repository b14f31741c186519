"""Executes one notebook headless through nbclient and writes the executed copy.

Run by python-env/notebook.ts with python-env/.venv's python; fetches nothing. Knows nbclient and
nbformat, not the kernel: the kernel is whatever kernelspec --kernel names (default: tspy).

Usage: python run_notebook.py INPUT.ipynb OUTPUT.ipynb [--kernel NAME] [--timeout SECONDS] [--path DIR]
Exit status: 0 all cells ran; 1 a cell failed, timed out or the kernel died (the partially
executed notebook is still written); 2 usage error or unreadable notebook; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """Drops ANSI colours (from IPython-style tracebacks) unless stderr is a terminal."""
    return text if sys.stderr.isatty() else ANSI.sub("", text)


def log(line: str) -> None:
    print(f"tspy: {line}", flush=True)


class ProgressClient(NotebookClient):
    """A NotebookClient that prints one line before and after each code cell it runs."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self._runnable = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell_index not in self._runnable:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        n = self._runnable.index(cell_index) + 1
        first = cell.source.strip().splitlines()[0][:60]
        log(f"cell {n}/{len(self._runnable)} (#{cell_index}): {first}")
        t0 = time.monotonic()
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except BaseException:
            log(f"cell {n}/{len(self._runnable)} failed after {time.monotonic() - t0:.1f} s")
            raise
        log(f"cell {n}/{len(self._runnable)} done in {time.monotonic() - t0:.1f} s")
        return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run_notebook.py", description="Execute a notebook headless with nbclient.")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--kernel", default="tspy", help="kernelspec name (default: tspy)")
    ap.add_argument("--timeout", type=float, default=900, help="per-cell timeout in seconds (default: 900)")
    ap.add_argument("--path", help="the kernel's working folder (default: the input's folder)")
    args = ap.parse_args(argv)

    try:
        nb = nbformat.read(args.input, as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable notebook is a usage error
        print(f"tspy: cannot read notebook {args.input}: {e}", file=sys.stderr)
        return 2

    client = ProgressClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        startup_timeout=120,
        resources={"metadata": {"path": args.path or os.path.dirname(os.path.abspath(args.input))}},
    )
    log(f"executing {args.input} with kernel {args.kernel}")
    t0 = time.monotonic()
    status = 0
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"tspy: a cell failed in {args.input}:\n{plain(str(e))}", file=sys.stderr)
        status = 1
    except (CellTimeoutError, DeadKernelError) as e:
        print(f"tspy: {type(e).__name__} while executing {args.input}: {e}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("tspy: interrupted", file=sys.stderr)
        status = 130
    except Exception as e:  # noqa: BLE001 - e.g. no such kernelspec, kernel failed to start
        print(f"tspy: could not execute {args.input}: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    finally:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        nbformat.write(nb, args.output)
    verdict = "executed" if status == 0 else "partially executed"
    log(f"{verdict} notebook written to {args.output} ({time.monotonic() - t0:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
