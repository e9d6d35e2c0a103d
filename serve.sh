#!/usr/bin/env bash
# Runs the archive with demo collections on http://127.0.0.1:8080/ (extra arguments go to
# `archive serve`). Installs what a fresh Debian machine lacks: libvips and libjpeg-turbo (images
# are read, converted and rendered through them, with cgo), libthai's dictionary (Thai search), poppler's pdftotext (a PDF's
# text layer, for search), Tesseract with its Thai and English models (the text of pages), WeasyPrint (finding aids as PDF)
# and fontconfig with the Garuda TrueType font (the text layer of items' PDFs), then builds the viewer and uploader from npm,
# which the binary embeds.
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in libvips-dev libturbojpeg0-dev libthai-data poppler-utils tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng weasyprint fontconfig fonts-tlwg-garuda-ttf; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  # Another install (unattended upgrades, a second terminal) may hold dpkg's
  # lock: apt waits for it, up to ten minutes, instead of stopping.
  wait_lock=(-o DPkg::Lock::Timeout=600)
  echo "== (if another apt or dpkg is running, this waits for it, up to 10 minutes)"
  $SUDO apt-get "${wait_lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
npm ci --prefix web/ui --no-audit --no-fund --loglevel=error
npm run build --prefix web/ui
exec go run ./cmd/archive serve --demo "$@"
