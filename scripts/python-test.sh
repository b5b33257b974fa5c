#!/usr/bin/env bash
# Python suite: builds the `qinglian` abi3 wheel (python/, maturin, release profile), installs that
# wheel — not the source tree — into .venv at the repository root, then runs pytest (every conformance case, the API, the pandas/pyarrow/polars paths),
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

step "build the abi3 wheel (maturin build --release)"
# One wheel for every CPython from 3.9 on (pyo3's abi3-py39): what users install, tested as such.
wheels=target/wheels
rm -f "$wheels"/qinglian-*.whl
python -m maturin build --release --locked --manifest-path python/Cargo.toml \
    --interpreter python --out "$wheels"
wheel=$(ls "$wheels"/qinglian-*-cp39-abi3-*.whl)
echo "$wheel"

step "install the wheel"
python -m pip install -q --no-deps --force-reinstall "$wheel"
python - <<'PY'
import importlib.metadata, pathlib, sys, qinglian
dist = importlib.metadata.distribution("qinglian")
# Installed from the wheel into site-packages, not linked back to the source tree.
assert dist.read_text("direct_url.json") is None or '"editable": true' not in dist.read_text("direct_url.json")
assert "site-packages" in pathlib.Path(qinglian.__file__).parts, qinglian.__file__
print("qinglian", qinglian.__version__, "from", qinglian.__file__)
PY

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
