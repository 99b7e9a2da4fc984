#!/usr/bin/env bash
# Runs every libFuzzer target (BUILD_DIR/fuzz/fuzz_*) for SECONDS each and fails if any of
# them finds a crash, a sanitizer error, a leak, a timeout or an out-of-memory.
#   bash scripts/fuzz.sh build-fuzz 20      # make fuzz-smoke
#   bash scripts/fuzz.sh build-fuzz 600     # make fuzz
# The committed seed corpus (fuzz/corpus/<target>/) is copied to a scratch directory first,
# so new inputs found during the run never pollute it. Crashing inputs are kept in
# BUILD_DIR/fuzz-artifacts/<target>/ and logs in BUILD_DIR/fuzz-logs/<target>.log; reproduce
# with: BUILD_DIR/fuzz/<target> BUILD_DIR/fuzz-artifacts/<target>/crash-...
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)

shopt -s nullglob
targets=()
for t in "$build"/fuzz/fuzz_*; do
  [[ -f $t && -x $t ]] && targets+=("$t")
done
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz_* executables in $build/fuzz (configure with -DZMESH_FUZZ=ON, e.g. make fuzz-build)" >&2
  exit 1
fi

scratch=$(mktemp -d /tmp/zmesh-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/fuzz-logs"

# UBSan findings must stop the run (by default it reports and continues); leaks are errors.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1

failed=()
for target in "${targets[@]}"; do
  name=$(basename "$target")
  corpus=$scratch/corpus/$name
  artifacts=$build/fuzz-artifacts/$name
  log=$build/fuzz-logs/$name.log
  mkdir -p "$corpus" "$artifacts"
  if [[ -d $root/fuzz/corpus/$name ]]; then
    cp -R "$root/fuzz/corpus/$name/." "$corpus/"
  else
    echo "fuzz: warning: no seed corpus fuzz/corpus/$name" >&2
  fi
  echo "fuzz: $name for ${seconds}s"
  if "$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $name ok ($execs executions, corpus $(ls "$corpus" | wc -l) inputs)"
  else
    echo "fuzz: $name FAILED; log $log, inputs in $artifacts/" >&2
    grep -E 'ERROR|FUZZ_CHECK|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || tail -30 "$log" >&2
    failed+=("$name")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed"
