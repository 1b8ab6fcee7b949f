#!/usr/bin/env bash
# Fuzzes every target on stable Rust (no sanitizer), JOBS at a time, SECONDS_EACH seconds
# each, starting from fuzz/seeds/<target> and fuzz/corpus/<target>, then minimises the
# corpus (cargo fuzz cmin) so that what is committed stays small. Seeds are never touched.
# Per-target logs and the executions run go to fuzz/logs/.
#   bash fuzz/run-all.sh [SECONDS_EACH=600] [JOBS=2] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}; jobs=${2:-2}; shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
if ((${#targets[@]} == 0)); then
    mapfile -t targets < <(ls fuzz/fuzz_targets | sed 's/\.rs$//')
fi
mkdir -p fuzz/logs
for t in "${targets[@]}"; do cargo fuzz build -s none -O "$t" >/dev/null 2>&1 || { echo "build $t failed"; exit 1; }; done
run() {
    local t=$1
    mkdir -p "fuzz/corpus/$t"
    cargo fuzz run -s none -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -max_len=70000 -print_final_stats=1 > "fuzz/logs/$t.log" 2>&1
    echo "$t: exit $? $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "fuzz/logs/$t.log" | tail -1)"
    cargo fuzz cmin -s none -O "$t" > "fuzz/logs/$t.cmin.log" 2>&1
}
for t in "${targets[@]}"; do
    while (( $(jobs -r | wc -l) >= jobs )); do sleep 5; done
    run "$t" &
done
wait
