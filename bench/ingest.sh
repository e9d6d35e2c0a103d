#!/usr/bin/env bash
# Ingest benchmark: an 8000x6000 RGB TIFF master and a batch of 200 smaller JPEGs, against
# libvips building the same pyramid (vips tiffsave --tile --pyramid --compression jpeg) in the
# same run. Prints seconds, megapixels per second and peak RSS for each, and the ratio.
# Needs Debian libvips-tools. Output folder: $OUT (default /tmp/archive-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
OUT=${OUT:-/tmp/archive-bench}
mkdir -p "$OUT"
shared="$here/iipimage"
[ -f "$OUT/master.tif" ] || OUT=$OUT "$shared/make-image.sh" >/dev/null
if [ ! -d "$OUT/small" ]; then
  mkdir -p "$OUT/small"
  for i in $(seq 0 199); do
    vips extract_area "$OUT/master.tif" "$OUT/small/s$i.jpg[Q=90]" $(( (i * 331) % 6400 )) $(( (i * 197) % 4800 )) 1600 1200
  done
fi
[ -f "$OUT/big.tif" ] || vips resize "$OUT/master.tif" "$OUT/big.tif" 1.45   # 11600x8700, 101 megapixels
(cd "$repo" && go build -o "$OUT/archive" ./cmd/archive)

measure() { # label megapixels runs command... : the median of the runs' times, the largest peak RSS
  local label=$1 mp=$2 runs=$3; shift 3
  local times=() kb=0
  for _ in $(seq "$runs"); do
    rm -rf "$OUT/data" "$OUT/vips.tif"
    /usr/bin/time -o "$OUT/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
    local t; t=$(tail -1 "$OUT/time.txt")
    times+=("${t% *}"); [ "${t#* }" -gt "$kb" ] && kb=${t#* }
  done
  local s; s=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-28s %7.2f s  %7.1f MP/s  peak RSS %5d MiB  (median of %d)\n' "$label" "$s" "$(echo "$mp / $s" | bc -l)" $((kb / 1024)) "$runs"
  echo "$s" > "$OUT/$label.secs"
}

measure vips-pyramid 48 5 vips tiffsave "$OUT/master.tif" "$OUT/vips.tif" --tile --pyramid --compression jpeg --Q 85 --tile-width 256 --tile-height 256
measure archive-ingest-master 48 5 "$OUT/archive" ingest --data "$OUT/data" --institution cmu "$OUT/master.tif"
measure archive-ingest-200-jpegs 384 1 "$OUT/archive" ingest --data "$OUT/data" --institution cmu "$OUT/small"
measure archive-ingest-101MP 101 1 "$OUT/archive" ingest --data "$OUT/data" --institution cmu "$OUT/big.tif"
printf "ratio of the whole archive ingest to vips' pyramid: %.2f\n" "$(echo "$(cat "$OUT/archive-ingest-master.secs") / $(cat "$OUT/vips-pyramid.secs")" | bc -l)"
# Pyramid building alone (decode, every level's JPEG tiles, thumbnail), as libvips does it above.
ns=$(cd "$repo" && ARCHIVE_BENCH_TIFF="$OUT/master.tif" go test -run - -bench PyramidFromTIFF -benchtime 5x ./ingest/ | awk '/^BenchmarkPyramidFromTIFF/ {print $3}')
printf 'archive pyramid building alone: %.2f s; ratio to vips: %.2f\n' "$(echo "$ns / 1000000000" | bc -l)" "$(echo "$ns / 1000000000 / $(cat "$OUT/vips-pyramid.secs")" | bc -l)"
