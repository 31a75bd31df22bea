#!/usr/bin/env bash
# Runs the fuzz targets one after another, each for FUZZ_SECONDS (default 60), starting from
# the generated seeds in corpus/ (written first if missing) and, for the text target, also
# from the shared BBC corpus beside the clone, read in place as extra seeds (libFuzzer writes
# what it finds only into the first corpus directory). Logs go to logs/<target>.log; a crash
# leaves its input in artifacts/<target>/ and makes the script exit non-zero.
#
# With FUZZ_KEEP_GOING=1 libFuzzer runs in fork mode and goes on after a crash, an
# out-of-memory or a timeout, so that one known crash does not end the run; every crash
# input is kept.
#
#   fuzz/run.sh                                  every target
#   FUZZ_SECONDS=600 fuzz/run.sh query text      some of them, longer
set -uo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(query text import_jsonl store_record index_postings plugin_wire html)
fi
extra=()
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
  extra=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
fi
# cargo-fuzz needs nightly flags (sanitizers, -Z options); the stable toolchain accepts them
# with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1

[ -d corpus ] || cargo run --release --example seeds || exit 1
mkdir -p logs
shared=../../shared/corpus/bbc
failed=0
for target in "${targets[@]}"; do
  seeds=("corpus/$target")
  if [ "$target" = text ] && [ -d "$shared" ]; then
    seeds+=("$shared")
  fi
  mkdir -p "corpus/$target"
  log="logs/$target.log"
  own=()
  if [ "$target" = import_jsonl ]; then
    # The importer's threads leave glibc's per-thread destructor records (64 bytes) behind at
    # exit, which LeakSanitizer reports as a leak of the run, not of any input.
    own=(-detect_leaks=0)
  fi
  cargo fuzz run "$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1 "${extra[@]}" "${own[@]}" >"$log" 2>&1
  status=$?
  # The final statistics, or in fork mode the last status line ("#N: ... exec/s R ...").
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  if [ -z "$execs" ]; then
    # Fork mode's own exec/s restarts with each job: the rate is the total over the time.
    last=$(grep -E '^#[0-9]+: ' "$log" | tail -n 1)
    execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
    time=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
    [ -n "$execs" ] && [ "${time:-0}" -gt 0 ] && rate=$((execs / time))
  fi
  found=$(find "artifacts/$target" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) 2>/dev/null | wc -l)
  if [ "$status" -eq 0 ] && [ "$found" -eq 0 ]; then
    echo "$target: ${execs:-?} executions, ${rate:-?}/s"
  else
    echo "$target: ${execs:-?} executions, ${rate:-?}/s, FAILED (exit $status, $found inputs in artifacts/$target/): see $log"
    failed=1
  fi
done
exit "$failed"
