#!/usr/bin/env bash
# JMH benchmarks of the online recommender's hot path (never run by `mvn verify`).
#
#   benchmarks/run.sh                      # everything (about 4 minutes)
#   benchmarks/run.sh UserRecsBench        # a regex over benchmark names
#   benchmarks/run.sh -p warm=100000       # another warm-up prefix for RecommenderBench
#   benchmarks/run.sh -jvmArgsAppend -Dshared.data=/path/to/shared/data
#
# Runs from the repository root; the UCI file is read from ../shared/data by default.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "# $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GiB"}'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q -pl benchmarks -am package -DskipTests

out=benchmarks/target/jmh-run.txt
java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 -w 2s -r 2s -t 1 -jvmArgs "-Xmx2g" "$@" \
  | tee "$out"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ops/s with the ratio to the baseline of the same run (isgdStepOnly, dot, oneSmallValueState).
awk '
  $0 ~ /^Benchmark .*Mode/ { table = 1; next }
  table && NF >= 5 && $NF == "ops/s" {
    name = $1
    for (i = 2; i <= NF; i++) if ($i == "thrpt") break
    score = $(i + 2); err = ($(i + 3) == "±") ? $(i + 4) : "?"
    n++; names[n] = name; scores[n] = score; errs[n] = err
    split(name, parts, "."); cls = parts[1]; m = parts[2]
    if (m == "isgdStepOnly" || m == "dot" || m == "oneSmallValueState" || m == "pojoSerializer") { base[cls] = score; baseName[cls] = m }
  }
  END {
    if (n == 0) exit
    printf "\n%-36s %16s %12s %14s\n", "benchmark", "ops/s", "± error", "vs baseline"
    for (j = 1; j <= n; j++) {
      split(names[j], parts, "."); cls = parts[1]
      r = (cls in base) ? sprintf("%.4g (1/%.0f)", scores[j] / base[cls], base[cls] / scores[j]) : "-"
      printf "%-36s %16s %12s %14s\n", names[j], scores[j], errs[j], r
    }
  }' "$out"
