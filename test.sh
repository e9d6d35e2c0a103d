#!/usr/bin/env bash
# Runs every test of the archive on a fresh machine: installs what is missing
# (MinIO for the S3 suite, Debian packages for image and browser tests), then
# vets and tests all packages. The S3 suites are required here, never skipped.
set -euo pipefail
cd "$(dirname "$0")"

TOOLS=${ARCHIVE_TOOLS:-$HOME/.cache/archive-tools}
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
# libvips-dev: the image libraries package vips binds (cgo); the rest make and check the test corpus.
DEBIAN_PACKAGES=(poppler-utils libturbojpeg0-dev libvips-dev libvips-tools libopenjp2-tools imagemagick libtiff-tools ghostscript qpdf icc-profiles-free
  fonts-thai-tlwg fonts-tlwg-garuda-ttf fontconfig chromium ffmpeg libthai-data hunspell-th tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng pango1.0-tools
  nginx systemd python3-yaml libxml2-utils weasyprint
  simplesamlphp php-cli php-xml php-mbstring
  lemonldap-ng lemonldap-ng-fastcgi-server libstring-random-perl libio-string-perl libgd-securityimage-perl libimage-magick-perl
  libdancer-plugin-catmandu-oai-perl libhttp-oai-perl libyaml-libyaml-perl)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/minio" ] || [ "$(cat "$TOOLS/minio.version" 2>/dev/null)" != "$MINIO_VERSION" ]; then
  echo "== building MinIO $MINIO_VERSION into $TOOLS (a few minutes, once)"
  GOBIN="$TOOLS" go install "github.com/minio/minio@$MINIO_VERSION"
  echo "$MINIO_VERSION" > "$TOOLS/minio.version"
fi
STATICCHECK_VERSION=v0.8.2
if [ ! -x "$TOOLS/staticcheck" ] || [ "$(cat "$TOOLS/staticcheck.version" 2>/dev/null)" != "$STATICCHECK_VERSION" ]; then
  echo "== building staticcheck $STATICCHECK_VERSION into $TOOLS"
  GOBIN="$TOOLS" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
  echo "$STATICCHECK_VERSION" > "$TOOLS/staticcheck.version"
fi
export ARCHIVE_MINIO="$TOOLS/minio" ARCHIVE_REQUIRE_MINIO=1 ARCHIVE_REQUIRE_TOOLS=1
# Browser tests leave screenshots of the home, item, embed and desk pages here.
export ARCHIVE_SCREENSHOTS="${ARCHIVE_SCREENSHOTS:-$PWD/.cache/screenshots}"

echo "== front-end bundles (Mirador, Annotorious, Uppy, citeproc-js) from npm, pinned by web/ui/package-lock.json"
npm ci --prefix web/ui --no-audit --no-fund --loglevel=error
npm run build --prefix web/ui --silent

echo "== go vet, staticcheck"
go vet ./...
"$TOOLS/staticcheck" ./...
echo "== go test"
go test -count=1 -timeout 40m ./... "$@"
