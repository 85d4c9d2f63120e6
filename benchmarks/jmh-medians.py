#!/usr/bin/env python3
"""Prints a JMH JSON result file (-rf json -rff FILE) as a Markdown table: benchmark, params,
median of the measured iterations, the JMH score ± error, and every iteration.
Usage: python3 benchmarks/jmh-medians.py results.json"""
import json
import statistics
import sys


def main(path):
    rows = json.load(open(path))
    print("| benchmark | params | median | score ± error (99.9 %) | iterations | unit |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        m = r["primaryMetric"]
        its = [x for fork in m["rawData"] for x in fork]
        params = ",".join(f"{k}={v}" for k, v in (r.get("params") or {}).items()) or "-"
        name = r["benchmark"].replace("io.retort.benchmarks.", "")
        fmt = (lambda v: f"{v:,.3f}") if m["score"] < 100 else (lambda v: f"{v:,.0f}")
        print(f"| {name} | {params} | {fmt(statistics.median(its))} | {fmt(m['score'])} ± {fmt(m['scoreError'])} "
              f"| {'; '.join(fmt(x) for x in its)} | {m['scoreUnit']} |")


if __name__ == "__main__":
    main(sys.argv[1])
