#!/usr/bin/env bash
# The command line on a large file: generates N rows (default 1,000,000) of the 30-rule scorecard
# (benches/scorecard/data.py, which needs numpy and pandas: installed into .venv at the
# repository root, as scripts/bench-python.sh does), builds the release binary, and times
#
#   qinglian score benches/scorecard/scorecard.toml FILE --format csv > OUT
#
# with /usr/bin/time -v (wall time and peak resident memory), then the same for `fit` and for
# `score --cohort` (one pass over the file). Figures go to benches/README.md by hand.
#
#   ./scripts/bench-cli.sh [ROWS]
#
# Idempotent: the venv and the generated file (under target/bench-cli/) are reused. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${1:-1000000}
DIR=target/bench-cli
DATA=$DIR/scorecard-$ROWS.csv
mkdir -p "$DIR"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (Debian package \`time\`)"
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $SUDO apt-get install -y -q time >/dev/null
fi

if [ ! -f "$DATA" ]; then
    PYTHON=${PYTHON:-python3}
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv
    fi
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    if ! .venv/bin/python -c "import numpy, pandas" 2>/dev/null; then
        .venv/bin/python -m pip install -q numpy pandas
    fi
    echo "generating $ROWS rows into $DATA"
    .venv/bin/python benches/scorecard/data.py --rows "$ROWS" -o "$DATA"
fi

cargo build -q --release -p qinglian-cli
BIN=target/release/qinglian
RULES=benches/scorecard/scorecard.toml
echo "$(wc -l <"$DATA") lines, $(du -h "$DATA" | cut -f1) in $DATA; $(nproc) cores"

run() {
    local label=$1
    shift
    /usr/bin/time -v "$@" 2>"$DIR/time.txt" >"$DIR/out.txt" || {
        cat "$DIR/time.txt"
        exit 1
    }
    local wall rss user sys
    wall=$(grep "Elapsed (wall clock)" "$DIR/time.txt" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$DIR/time.txt" | awk '{print $NF}')
    user=$(grep "User time" "$DIR/time.txt" | awk '{print $NF}')
    sys=$(grep "System time" "$DIR/time.txt" | awk '{print $NF}')
    printf '%-30s wall %8s   CPU %6.2f s   peak RSS %6.1f MiB\n' "$label" "$wall" \
        "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

run "score --format csv" "$BIN" score "$RULES" "$DATA" --format csv
cp "$DIR/out.txt" "$DIR/scores.csv"
run "score --format table --top 10" "$BIN" score "$RULES" "$DATA" --top 10
run "fit -o cohort.json" "$BIN" fit "$RULES" "$DATA" -o "$DIR/cohort.json"
run "score --cohort --format csv" "$BIN" score "$RULES" "$DATA" --cohort "$DIR/cohort.json" --format csv
cmp -s "$DIR/out.txt" "$DIR/scores.csv" && echo "score --cohort wrote the same rows as score"
