"""Teaching at scale: N simulated students run notebooks at the same time on one machine.

Each student is one process that executes the chosen notebooks in order with nbclient, in its own
kernel, as "Run All" would. While they run, the script samples the resident memory (RSS) of every
student's kernel; it reports, per N, the wall time per notebook (median and slowest over students),
the peak RSS per kernel, and the sum of all kernels' peaks (what the server must hold at once).

    python bench/bench_classroom.py [--students 1 5 10] [--notebooks 02 05]

The figures are as noisy as the machine: on a shared machine other jobs take cores too.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"


def _rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB, from /proc (Linux); None when it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def student(paths: list[str], queue) -> None:
    """Execute each notebook in a fresh kernel; report (name, seconds, kernel pid) through ``queue``."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("PYTHONPATH", str(REPO_ROOT))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
        start = time.perf_counter()
        with client.setup_kernel():
            queue.put(("kernel", os.getpid(), client.km.provisioner.pid if client.km.provisioner else None))
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        queue.put(("done", os.getpid(), Path(path).stem, time.perf_counter() - start))


def run_class(n: int, paths: list[str]) -> dict:
    """Start ``n`` students at once; sample their kernels' RSS every 0.2 s until all finish."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=student, args=(paths, queue)) for _ in range(n)]
    start = time.perf_counter()
    for process in processes:
        process.start()
    kernels: set[int] = set()
    peak: dict[int, float] = {}
    total_peak = 0.0
    seconds: dict[str, list[float]] = {}
    while any(process.is_alive() for process in processes) or not queue.empty():
        while not queue.empty():
            message = queue.get()
            if message[0] == "kernel" and message[2] is not None:
                kernels.add(message[2])
            elif message[0] == "done":
                seconds.setdefault(message[2], []).append(message[3])
        now = 0.0
        for pid in kernels:
            rss = _rss_mb(pid)
            if rss is not None:
                peak[pid] = max(peak.get(pid, 0.0), rss)
                now += rss
        total_peak = max(total_peak, now)
        time.sleep(0.2)
    for process in processes:
        process.join()
    return {"n": n, "wall": time.perf_counter() - start, "seconds": seconds, "peak_per_kernel": list(peak.values()),
            "total_peak": total_peak}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 5, 10], help="class sizes (default 1 5 10)")
    parser.add_argument("--notebooks", nargs="+", default=["02", "05"],
                        help="notebooks each student runs, by number (default 02 05)")
    args = parser.parse_args(argv)
    paths = []
    for number in args.notebooks:
        matches = sorted(NOTEBOOK_DIR.glob(f"{number}*.ipynb"))
        if not matches:
            parser.error(f"no notebook notebooks/{number}*.ipynb; give numbers such as 02 05")
        paths.append(str(matches[0]))
    os.environ["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    cores = os.cpu_count() or 1
    print(f"{len(paths)} notebooks per student ({', '.join(Path(p).stem for p in paths)}); "
          f"python {platform.python_version()}, {cores} cores, load average {os.getloadavg()[0]:.1f} at start")
    print()
    header = "| students | wall (s) | " + " | ".join(f"{Path(p).stem[:14]} median / max (s)" for p in paths)
    print(header + " | peak RSS per kernel (MB), median / max | all kernels at once (MB) |")
    print("|" + "---:|" * (3 + len(paths) + 1))
    for n in args.students:
        result = run_class(n, paths)
        times = [result["seconds"][Path(p).stem] for p in paths]
        cells = [f"{statistics.median(t):.1f} / {max(t):.1f}" for t in times]
        per_kernel = result["peak_per_kernel"] or [float("nan")]
        print(f"| {n} | {result['wall']:.1f} | " + " | ".join(cells)
              + f" | {statistics.median(per_kernel):.0f} / {max(per_kernel):.0f} | {result['total_peak']:.0f} |",
              flush=True)
    print()
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other jobs on this machine count too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
