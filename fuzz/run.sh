#!/usr/bin/env bash
# Runs each fuzz target for a bounded time and prints its executions and findings.
#
#   fuzz/run.sh                    # every target, 60 s each
#   FUZZ_SECONDS=600 fuzz/run.sh evaluate read_records
#   FUZZ_SANITIZER=address fuzz/run.sh   # with AddressSanitizer (about 4x fewer executions)
#
# The workspace forbids `unsafe` code, so by default the targets run without a sanitizer: a
# panic, an abort, a timeout or running out of memory is still a finding, and four times as many
# inputs are tried in the same time.
#
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). The seeds in
# fuzz/corpus/<target> are read, never written: new inputs go to fuzz/work/<target>, and a crash
# to fuzz/artifacts/<target> (both ignored by git). A crash becomes a regression test in the
# crate it concerns before it is fixed. Not part of CI: the run is long and machine-bound.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-none}
if [ $# -gt 0 ]; then targets=("$@"); else targets=(load_ruleset expression read_records evaluate); fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz
fi
status=0
for target in "${targets[@]}"; do
    mkdir -p "work/$target" "artifacts/$target"
    log="work/$target.log"
    if cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1; then
        result="clean"
    else
        result="FAILED (see fuzz/$log and fuzz/artifacts/$target)"
        status=1
    fi
    runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo "?")
    printf '%-14s %12s executions in %ss: %s\n' "$target" "$runs" "$seconds" "$result"
done
exit $status
