#!/usr/bin/env python3
"""CPU time per thread group of running JVMs over a span of training versions (Linux /proc only).

Used by scripts/cluster-vs-local --cpu. Waits until METRICS (a run's metrics.csv) has FROM rows,
reads every thread's CPU time (utime + stime, in clock ticks) of the JVMs PIDS, waits until it has TO
rows, reads them again, and prints ms of CPU per version (training round) for each JVM and thread
group. Threads are grouped by the 15-character names Linux keeps (recur-compute, recur-link-reader,
vert.x-eventloop, C2 CompilerThread, hz.*, ...). Ticks are 10 ms, so figures under ~0.05 ms per
round over a few hundred rounds are noise.

usage: thread_cpu.py METRICS FROM TO LABEL=PID...
"""
import os
import sys
import time

GROUPS = [("recur-compute", "compute"), ("recur-link-read", "link read"), ("recur-link-writ", "link write"),
          ("vert.x-eventloo", "event loop"), ("C2 CompilerThre", "JIT C2"), ("C1 CompilerThre", "JIT C1"),
          ("hz.", "Hazelcast"), ("G1 ", "GC"), ("GC Thread", "GC"), ("recur-metrics", "metrics")]
NAMES = list(dict.fromkeys(g for _, g in GROUPS)) + ["other"]  # in order, each once


def group(comm):
    for prefix, g in GROUPS:
        if comm.startswith(prefix):
            return g
    return "other"


def rows(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f) - 1  # the header
    except OSError:
        return 0


def sample(pid):
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue  # the thread ended
        comm = s[s.index("(") + 1:s.rindex(")")]
        fields = s[s.rindex(")") + 2:].split()
        out[tid] = (comm, int(fields[11]) + int(fields[12]))
    return out


def main():
    if len(sys.argv) < 5:
        sys.exit("usage: thread_cpu.py METRICS FROM TO LABEL=PID...")
    metrics, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    jvms = [a.split("=", 1) for a in sys.argv[4:]]
    while rows(metrics) < start:
        if not any(os.path.exists(f"/proc/{pid}") for _, pid in jvms):
            return  # the run ended (or failed) first: nothing to report
        time.sleep(0.2)
    first_rows, first = rows(metrics), {pid: sample(pid) for _, pid in jvms}
    while rows(metrics) < end and all(os.path.exists(f"/proc/{pid}") for _, pid in jvms):
        time.sleep(0.2)
    last_rows, last = rows(metrics), {pid: sample(pid) for _, pid in jvms}
    rounds = last_rows - first_rows
    if rounds <= 0:
        return
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    print(f"CPU ms per round, versions {first_rows + 1}-{last_rows} ({rounds} rounds):")
    print(f"  {'jvm':<8}" + "".join(f"{n:>11}" for n in NAMES) + f"{'total':>10}")
    for label, pid in jvms:
        per = dict.fromkeys(NAMES, 0.0)
        for tid, (comm, ticks) in last[pid].items():
            before = first[pid].get(tid, (comm, 0))[1]
            per[group(comm)] += (ticks - before) * tick_ms / rounds
        print(f"  {label:<8}" + "".join(f"{per[n]:11.2f}" for n in NAMES) + f"{sum(per.values()):10.2f}")


if __name__ == "__main__":
    main()
