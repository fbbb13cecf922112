#!/usr/bin/env bash
# Every output of the tool as a clerk would see it printed: made from the sample registry, turned into PDF by
# LibreOffice headless and into PNG pages by pdftoppm (Debian: libreoffice-calc-nogui libreoffice-writer-nogui
# poppler-utils fonts-noto-cjk). Look at the PNGs in the folder it prints; the checks are tests/visual/test_print.py.
#   bash tests/visual/render.sh [FOLDER]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-$(mktemp -d)/visual}"
mkdir -p "$out"
export PROJECTS_HOME="$out"  # the sample's log key lives beside it
python -m projects_cli --db "$out/sample.db" init --sample 2>/dev/null
PYTHONPATH=tests/helpers python tests/helpers/visual_outputs.py "$out" "$out/sample.db" >/dev/null
( cd "$out" && soffice --headless --convert-to pdf ./*.xlsx ./*.docx >/dev/null )
for pdf in "$out"/*.pdf; do
  pdftoppm -r 60 -png "$pdf" "${pdf%.pdf}"
  echo "$(basename "$pdf"): $(pdfinfo "$pdf" | awk '/^Pages/ {print $2}') pages"
done
echo "PNG pages in $out"
