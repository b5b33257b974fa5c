#!/usr/bin/env bash
# The scorecard benchmark with its peers (benches/scorecard/): sets up .venv at the repository
# root as scripts/python-test.sh does (maturin build of ./python), adds numpy, pandas and
# zen-engine, then runs python/benches/bench_scorecard.py with the arguments given, e.g.
#
#   ./scripts/bench-python.sh --sizes 10000,100000
#   ./scripts/bench-python.sh --rss
#
# Idempotent: the venv and the packages are reused when present. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# numpy's OpenBLAS starts a spinning thread per core at import; none of the implementations here
# multiplies matrices, and on a small machine those threads take cores from the ones that score.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
if ! python -c "import maturin, numpy, pandas" 2>/dev/null; then
    python -m pip install -q maturin numpy pandas
fi
if ! python -c "import zen" 2>/dev/null; then
    # The benchmark still runs without it (zen-engine is then skipped with a message).
    python -m pip install -q zen-engine || echo "zen-engine could not be installed: it will be skipped"
fi
if [ -z "${QINGLIAN_SKIP_BUILD:-}" ]; then
    python -m pip install -q --no-build-isolation ./python
fi
python -c "import qinglian; print('qinglian', qinglian.__version__, 'from', qinglian.__file__)"

exec python python/benches/bench_scorecard.py "$@"
