#!/usr/bin/env bash
# IIIF image benchmark, in one run on loopback: this archive (local disk, then S3 on MinIO) and
# Debian's IIPImage (and a current upstream build: IIPSRV_UPSTREAM=its iipsrv.fcgi) over the same 8000x6000 master, loaded by the shared wrk script
# (bench/iipimage/bench.sh: canonical tiles at scale 1 and 4, a !1024,1024 view, 500
# random regions, info.json), then two loads no cache can answer (bench/uncached_urls.py: 200,000 distinct
# regions; 20,000 distinct whole-image views of 400-1400 px). Prints each RESULT line, the ratios to
# IIPImage, and the archive's RSS (now and peak).
# Needs Debian iipimage-server, lighttpd, spawn-fcgi, wrk, libvips-tools (installed when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
peer="$here/iipimage"
SECS=${SECS:-10}
export OUT=${OUT:-/tmp/peer-img}
work=$(mktemp -d /tmp/archive-iiif.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$peer/stop.sh" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

need=(); for p in iipimage-server lighttpd spawn-fcgi wrk libvips-tools bc; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
[ -f "$OUT/pyramid.tif" ] || "$peer/make-image.sh" >/dev/null
(cd "$repo" && go build -o "$work/archive" ./cmd/archive)

results="$work/results"
echo "# IIIF bench $(date -u +%FT%TZ), $(nproc) cores, wrk -t2 -c16 -d${SECS}s" | tee "$results"

uncached() { # label, service URL: the loads that no cache helps, each URL asked once
  local label=$1 svc=$2 host; host=$(echo "$svc" | cut -d/ -f1-3)
  for kind in uregions uviews; do
    python3 "$here/uncached_urls.py" "$svc" "$kind" "$work/$kind.txt"
    printf '%s %-8s ' "$label" "$kind" | tee -a "$results"
    URLS="$work/$kind.txt" timeout $((SECS + 20)) wrk -t2 -c16 -d"${SECS}s" --timeout 10s -s "$peer/cycle.lua" "$host" 2>&1 | grep RESULT | tee -a "$results" || echo "RESULT none" | tee -a "$results"
  done
}

peer_bench() { # label, then env for start.sh: Debian's IIPImage, or a current build (IIPSRV=path)
  local label=$1; shift
  env "$@" PORT=18090 RUN=/tmp/peer-iip "$peer/start.sh" >/dev/null
  "$peer/bench.sh" "http://127.0.0.1:18090/iiif/pyramid.tif" "$SECS" | sed "s/^/$label /" | tee -a "$results"
  uncached "$label" "http://127.0.0.1:18090/iiif/pyramid.tif"
  # Its processes' peak resident memory, summed (lighttpd and each iipsrv).
  local kb=0 p
  for p in $(cat /tmp/peer-iip/pids 2>/dev/null) $(cat /tmp/peer-iip/lighttpd.pid 2>/dev/null); do
    kb=$(( kb + $(awk '/VmHWM/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
  done
  echo "$label peak_RSS_MiB=$(( kb / 1024 ))" | tee -a "$results"
  "$peer/stop.sh" >/dev/null
}
# The peers: Debian's IIPImage 1.1, and a current upstream build when IIPSRV_UPSTREAM names its
# iipsrv.fcgi (none is packaged; build it from source to compare).
peer_bench iipimage
if [ -n "${IIPSRV_UPSTREAM:-}" ]; then
  [ -x "$IIPSRV_UPSTREAM" ] || { echo "IIPSRV_UPSTREAM=$IIPSRV_UPSTREAM is not an executable"; exit 1; }
  peer_bench iipimage-upstream IIPSRV="$IIPSRV_UPSTREAM"
fi

serve_and_bench() { # label, then env assignments for the archive
  local label=$1; shift
  local data="$work/$label"
  local id
  id=$(env "$@" "$work/archive" ingest --data "$data" --institution cmu --json "$OUT/master.tif" 2>/dev/null | sed -n 's/.*"images":\["\([^"]*\)".*/\1/p')
  [ -n "$id" ] || { echo "ingest for $label failed"; exit 1; }
  env "$@" "$work/archive" serve --data "$data" --addr 127.0.0.1:18091 2>"$work/$label.log" &
  local pid=$!; pids+=("$pid")
  for i in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:18091/readyz" && break; sleep 0.1; done
  "$peer/bench.sh" "http://127.0.0.1:18091/iiif/3/$id" "$SECS" | sed "s/^/$label /" | tee -a "$results"
  uncached "$label" "http://127.0.0.1:18091/iiif/3/$id"
  echo "$label RSS_MiB=$(( $(ps -o rss= -p "$pid") / 1024 )) peak_RSS_MiB=$(( $(awk '/VmHWM/{print $2}' /proc/$pid/status) / 1024 ))" | tee -a "$results"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
serve_and_bench archive-local ARCHIVE_STORAGE=local
# The same with one Go processor, leaving the other core to wrk: on a 2-core machine the load
# generator and the server otherwise fight for both, which shows in the server's p99.
serve_and_bench archive-local-1p ARCHIVE_STORAGE=local GOMAXPROCS=1
# The same with a small memory budget (24 MiB: 10 for decoded tiles), where the reduced levels of
# this one image no longer fit decoded, as with a collection of many: most renders decode tiles.
serve_and_bench archive-local-24m ARCHIVE_STORAGE=local ARCHIVE_CACHE_MIB=24

minio="${ARCHIVE_MINIO:-$HOME/.cache/archive-tools/minio}"
if [ -x "$minio" ]; then
  MINIO_ROOT_USER=benchkey MINIO_ROOT_PASSWORD=benchsecret123 MINIO_BROWSER=off "$minio" server --quiet \
    --address 127.0.0.1:18092 --console-address 127.0.0.1:18093 "$work/minio" >/dev/null 2>&1 &
  pids+=("$!")
  for i in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:18092/minio/health/ready && break; sleep 0.1; done
  serve_and_bench archive-s3 ARCHIVE_STORAGE=s3 ARCHIVE_S3_ENDPOINT=127.0.0.1:18092 ARCHIVE_S3_BUCKET=bench \
    ARCHIVE_S3_ACCESS_KEY=benchkey ARCHIVE_S3_SECRET_KEY=benchsecret123
fi

echo "# per server and kind: req/s, p50 and p99 in ms; peak RSS per server"
awk '$3 == "RESULT" {
    for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
    printf "%-18s %-8s %8s req/s  p50 %7s  p99 %7s\n", $1, $2, v["req/s"], v["p50_ms"], v["p99_ms"] }
  $2 ~ /^peak_RSS_MiB=/ || $3 ~ /^peak_RSS_MiB=/ { print $0 }' "$results"
echo "# ratios to IIPImage (req/s):"
for kind in tiles1 tiles4 thumb regions info uregions uviews; do
  peer_rps=$(awk -v k="$kind" '$1=="iipimage" && $2==k {for(i=1;i<=NF;i++) if($i ~ /^req\/s=/){split($i,a,"="); print a[2]}}' "$results")
  for label in archive-local archive-local-1p archive-local-24m archive-s3; do
    ours=$(awk -v l="$label" -v k="$kind" '$1==l && $2==k {for(i=1;i<=NF;i++) if($i ~ /^req\/s=/){split($i,a,"="); print a[2]}}' "$results")
    [ -n "$ours" ] && [ -n "$peer_rps" ] && printf '%-14s %-8s %8s vs %8s  = %5.2fx\n' "$label" "$kind" "$ours" "$peer_rps" "$(echo "$ours / $peer_rps" | bc -l)"
  done
done
