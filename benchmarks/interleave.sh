#!/usr/bin/env bash
# Runs pairs of JMH benchmarks alternately (A, B, A, B, ...), one fork each, so slow drifts of a
# shared machine (the database server's caches, other load) hit both sides alike; prints every
# run's score and the median of each side. Each fork uses the suites' own settings
# (BenchmarkSettings: 5 x 10 s warm-up, 5 x 10 s measurement, ~1 min 50 s a fork): shorter
# warm-ups measured Reactor-based stacks before they settle (~150-250k queries). Usage:
#   benchmarks/interleave.sh ROUNDS 'Class.methodA$' 'Class.methodB$' [more JMH options]
set -euo pipefail
rounds=$1; a=$2; b=$3; shift 3
jar="$(dirname "$0")/target/benchmarks.jar"
tmp=$(mktemp -d)
for i in $(seq 1 "$rounds"); do
  for m in "$a" "$b"; do
    java -jar "$jar" "$m" -f 1 -rf json -rff "$tmp/r.json" "$@" >/dev/null
    python3 - "$tmp/r.json" "$i" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    p = r.get('params') or {}
    x = r['primaryMetric']['scorePercentiles']['50.0']
    m = f"{x:.4f}" if x < 100 else f"{x:.1f}"
    print(f"round {sys.argv[2]} {r['benchmark'].split('.',3)[-1]} {p} median {m} {r['primaryMetric']['scoreUnit']}")
PY
  done
done | tee "$tmp/log"
python3 - "$tmp/log" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split(" median ")
    key = f[0].split(" ", 2)[2]
    runs[key].append(float(f[1].split()[0]))
for k, v in runs.items():
    fmt = lambda x: f"{x:.4f}" if x < 100 else f"{x:,.0f}"
    print(f"{k}: median of {len(v)} runs {fmt(statistics.median(v))}  ({', '.join(fmt(x) for x in v)})")
PY
