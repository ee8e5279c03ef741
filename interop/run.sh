#!/usr/bin/env bash
# Portico interop harness: SDK-client tests + raw-HTTP tests (pytest), then the conformance
# runner against a spawned `portico serve --fixture conformance`.
#   PORTICO_BIN   server binary (default <repo>/.build/release/portico)
#   PYTEST_ARGS   extra pytest arguments (e.g. "-x -k modern")
# Exits non-zero if any step fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/.." && pwd)"
venv="${root}/.venv"
export PORTICO_BIN="${PORTICO_BIN:-${root}/.build/release/portico}"

if [ ! -x "${venv}/bin/python" ]; then
  python3 -m venv "${venv}" || exit 1
fi
stamp="${venv}/.interop-requirements"
if ! cmp -s "${here}/requirements.txt" "${stamp}" 2>/dev/null; then
  "${venv}/bin/pip" install -q -r "${here}/requirements.txt" || exit 1
  cp "${here}/requirements.txt" "${stamp}"
fi

if [ ! -x "${PORTICO_BIN}" ]; then
  echo "server binary not found or not executable: ${PORTICO_BIN}" >&2
  exit 1
fi

cd "${root}"
status=0
# shellcheck disable=SC2086
"${venv}/bin/python" -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} "${here}" || status=1

"${venv}/bin/python" "${here}/conformance/runner.py" --spawn --bin "${PORTICO_BIN}" \
  --include-2025-03-26 \
  --baseline "${here}/conformance/baseline.yaml" \
  --results "${here}/.logs/conformance-results.jsonl" || status=1

exit "${status}"
