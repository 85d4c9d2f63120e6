#!/usr/bin/env bash
# Runs two JMH benchmarks at the same time, one fork each in its own JVM, taking strict turns
# batch by batch (TurnTimer): each side times only its own batches, so both see the same minutes
# of a machine whose speed drifts, and neither shares the other's JIT. Prints, per round, each
# side's median per-iteration throughput and the median of the per-iteration ratios (B / A,
# iterations matched by index), then the medians over the rounds. Each fork uses the suites' own
# settings (5 x 10 s warm-up, 5 x 10 s measurement). Usage:
#   benchmarks/turns.sh ROUNDS 'Class.rawTurns$' 'Class.retortTurns$' [more JMH options]
set -euo pipefail
rounds=$1; a=$2; b=$3; shift 3
jar="${JAR:-$(dirname "$0")/target/benchmarks.jar}"
tmp=$(mktemp -d)
for i in $(seq 1 "$rounds"); do
  rm -f "$tmp/turn"
  # The properties go before -jar: JMH hands the launcher's JVM arguments to the fork, while
  # -jvmArgsAppend would replace the suites' fixed-heap options.
  java -Djmh.ignoreLock=true -Dretort.bench.turnFile="$tmp/turn" -Dretort.bench.turnRole=0 \
    -jar "$jar" "$a" -f 1 -rf json -rff "$tmp/a.json" "$@" >"$tmp/a.log" 2>&1 &
  pa=$!
  java -Djmh.ignoreLock=true -Dretort.bench.turnFile="$tmp/turn" -Dretort.bench.turnRole=1 \
    -jar "$jar" "$b" -f 1 -rf json -rff "$tmp/b.json" "$@" >"$tmp/b.log" 2>&1 &
  pb=$!
  wait $pa || { tail -20 "$tmp/a.log"; exit 1; }
  wait $pb || { tail -20 "$tmp/b.log"; exit 1; }
  python3 - "$tmp/a.json" "$tmp/b.json" "$i" <<'PY'
import json, sys, statistics
def side(path):
    r = json.load(open(path))[0]
    sm = r['secondaryMetrics']
    return ([x for it in sm['qps']['rawData'] for x in it], [x for it in sm['solo']['rawData'] for x in it])
(qa, sa), (qb, sb) = side(sys.argv[1]), side(sys.argv[2])
ratios = [y / x for x, y in zip(qa, qb) if x > 0]
print(f"round {sys.argv[3]} A {statistics.median(qa):,.0f} B {statistics.median(qb):,.0f} "
      f"ratio {statistics.median(ratios):.3f} ({', '.join(f'{r:.3f}' for r in ratios)}) solo batches {int(sum(sa))}/{int(sum(sb))}", flush=True)
PY
done | tee "$tmp/log"
python3 - "$tmp/log" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.startswith('round')]
a = [float(r[3].replace(',', '')) for r in rows]; b = [float(r[5].replace(',', '')) for r in rows]
ratio = [float(r[7]) for r in rows]
print(f"median over {len(rows)} rounds: A {statistics.median(a):,.0f}  B {statistics.median(b):,.0f}  "
      f"ratio (median of round medians) {statistics.median(ratio):.3f}  rounds: {', '.join(f'{x:.3f}' for x in ratio)}")
PY
