#!/usr/bin/env bash
# Python suite: builds and installs the `qinglian` package (python/) into .venv at the repository
# root, then runs pytest (every conformance case, the API, the pandas/pyarrow/polars paths),
# mypy.stubtest against the compiled module, mypy on the package, and the example notebook.
# Idempotent: the venv and the packages are reused when present. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - start))"; }

step "python environment"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
if ! python -c "import maturin, pytest, pandas, pyarrow, polars, matplotlib, mypy, nbclient, nbformat, ipykernel, openpyxl, jsonschema" 2>/dev/null; then
    python -m pip install -q maturin pytest pandas pyarrow polars matplotlib mypy nbclient nbformat ipykernel openpyxl jsonschema
fi
python --version

step "build and install (pip install ./python)"
python -m pip install -q --no-build-isolation ./python
python -c "import qinglian, sys; print('qinglian', qinglian.__version__, 'from', qinglian.__file__)"

step "stubtest"
(cd /tmp && python -m mypy.stubtest qinglian._qinglian)

step "mypy"
python -m mypy --config-file python/pyproject.toml python/qinglian

step "notebooks"
export MPLBACKEND=Agg
python - <<'PY'
import pathlib, sys
import nbformat
from nbclient import NotebookClient

paths = sorted(pathlib.Path("examples/notebooks").glob("*.ipynb"))
if not paths:
    sys.exit("no notebook in examples/notebooks")
for path in paths:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print(f"{path}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells executed")
PY

step "differential cases (Rust draws and scores them; Python must agree)"
if [ ! -f target/differential/cases.json ]; then
    cargo test -q --locked -p qinglian --test differential
fi

step "pytest"
# From the repository root, so that the installed package is imported, not python/qinglian.
echo "(setup and checks took $((SECONDS - start))s)"
python -m pytest -q -p no:cacheprovider python/tests
