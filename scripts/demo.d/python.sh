# Sourced by scripts/demo.sh (from the repository root) once the sandbox runs and its DINERO_*
# variables are exported: installs the Python binding into bindings/python/.venv and runs the
# Python examples against the release library (files.py saves its invoice PDF in $work).

section "Python binding: pip install ./bindings/python (into bindings/python/.venv)"
# shellcheck source=bindings/python/venv.sh
. bindings/python/venv.sh
python_venv
echo "installed libdinero $("$PYTHON_VENV/bin/python" -c 'import libdinero; print(libdinero.__version__)')"

section "Python example (examples/python/personal_integration.py)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" \
  "$PYTHON_VENV/bin/python" examples/python/personal_integration.py

section "Python, shaped like Dinero's docs (examples/python/docs_style.py)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" \
  "$PYTHON_VENV/bin/python" examples/python/docs_style.py

section "Python: upload a receipt, download an invoice PDF (examples/python/files.py)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" \
  "$PYTHON_VENV/bin/python" examples/python/files.py "" "$work/invoice-python.pdf"

section "Python: a public integration's sign-in through Visma Connect (examples/python/visma_connect.py)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" \
  "$PYTHON_VENV/bin/python" examples/python/visma_connect.py
