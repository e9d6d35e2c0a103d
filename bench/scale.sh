#!/usr/bin/env bash
# Scale benchmark (issue 25): bench/scale.sh N makes an archive of N generated bilingual records
# (Thai and English titles and descriptions, dates, the three libraries, collections of 20 items,
# 10 % restricted, 5 % under embargo, 10 % description only; no files) through the store's own API,
# times `archive rebuild` and `archive reindex` (wall, CPU, peak RSS), serves the archive on
# loopback, measures the server's CPU in its first IDLE (nothing asks it anything), then asks the
# request paths of the issue one at a time (REPS each, at most BUDGET per path): p50, p95, max.
# The data goes in WORK (default /dev/shm when there is one, so fsync is not what is measured; set
# WORK to a folder on disk to count it) and is removed afterwards unless KEEP=1.
# DATA=folder MADE=file measure an archive made before (KEEP=1, or `scaleload make -data DATA -out MADE`)
# in place, without making it again: N is then only a label.
# A million records take about 4.2 million files and folders (11 GB): more than a default /dev/shm
# allows (`df -i /dev/shm`); set WORK to a folder on disk, or give the tmpfs more inodes.
# Not run by test.sh (100,000 records take 10–15 minutes on 2 busy cores); `go test ./bench/scaleload/` is the
# generator's smoke test. The program it runs is bench/scaleload.
set -euo pipefail
N=${1:?usage: bench/scale.sh N (records)}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
root=${WORK:-$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}
work=$(mktemp -d "$root/archive-scale.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

(cd "$repo" && go build -o "$work/archive" ./cmd/archive && go build -o "$work/scaleload" ./bench/scaleload)
export ARCHIVE_DATA=${DATA:-$work/data}
made=${MADE:-$work/made.json}
mkdir -p "$ARCHIVE_DATA"
echo "# scale bench $(date -u +%FT%TZ): $N records, $(nproc) cores, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown), data in ${DATA:-$root}, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${DATA:-}" ]; then
  [ -f "$made" ] || { echo "DATA needs MADE, the file scaleload make wrote with -out" >&2; exit 2; }
  echo "== made before: $(du -sh "$ARCHIVE_DATA" | cut -f1)"
else
  echo "== make";    "$work/scaleload" make -data "$ARCHIVE_DATA" -n "$N" -out "$made"
fi
echo "== rebuild"; "$work/scaleload" run -- "$work/archive" rebuild --force
echo "== reindex"; "$work/scaleload" run -- "$work/archive" reindex
echo "== serve (requests one at a time, ${REPS:-40} a path or ${BUDGET:-20s} at most)"
"$work/scaleload" time -archive "$work/archive" -addr "127.0.0.1:${PORT:-18400}" -log "$work/serve.log" \
  -made "$made" -idle "${IDLE:-40s}" -reps "${REPS:-40}" -budget "${BUDGET:-20s}"
