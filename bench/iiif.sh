#!/usr/bin/env bash
# IIIF image benchmark, in one run on loopback: this archive (local disk, then S3 on MinIO) and
# Debian's IIPImage (and a current upstream build: IIPSRV_UPSTREAM=its iipsrv.fcgi) over the same 8000x6000 master, loaded by the shared wrk script
# (bench/iipimage/bench.sh: canonical tiles at scale 1 and 4, a !1024,1024 view, 500
# random regions, info.json), then two loads no cache can answer (bench/uncached_urls.py: 200,000 distinct
# regions; 20,000 distinct whole-image views of 400-1400 px). Prints each RESULT line, the ratios to
# IIPImage, and the archive's RSS (now and peak).
# The ceiling for canonical tiles: the same pyramid cut into files at their canonical paths and served
# by lighttpd with sendfile (STATIC_SERVER=nginx for nginx), loaded with the same tile lists; the
# archive's tiles are printed as a share of it, their p99 beside IIPImage's.
# T=1 gives wrk one thread (one core), so that a server given the other (archive-local-1p; lighttpd is
# one process) is measured without the two sharing both cores, which sets every server's p99.
# RUNS picks the runs (default all): iipimage iipimage-upstream static archive-local archive-local-1p
# archive-local-24m archive-s3.
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

RUNS=${RUNS:-iipimage iipimage-upstream static archive-local archive-local-1p archive-local-24m archive-s3}
wants() { [[ " $RUNS " == *" $1 "* ]]; }
# Each server has a fixed port on loopback; one already taken (a server left from an earlier run)
# would be measured in its place, so the run stops first.
for port in 18090 18091 18092 18093 18094; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "127.0.0.1:$port is already in use (a server left from an earlier run?): stop it, then run again"; exit 2
  fi
done
STATIC_SERVER=${STATIC_SERVER:-lighttpd}
case "$STATIC_SERVER" in lighttpd|nginx) ;; *) echo "STATIC_SERVER is lighttpd or nginx, not $STATIC_SERVER"; exit 2;; esac
pkgs=(wrk libvips-tools bc)
wants iipimage && pkgs+=(iipimage-server lighttpd spawn-fcgi)
wants static && pkgs+=("$STATIC_SERVER")
need=(); for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
[ -f "$OUT/pyramid.tif" ] || "$peer/make-image.sh" >/dev/null
(cd "$repo" && go build -o "$work/archive" ./cmd/archive)

results="$work/results"
echo "# IIIF bench $(date -u +%FT%TZ), $(nproc) cores, wrk -t${T:-2} -c16 -d${SECS}s" | tee "$results"

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
wants iipimage && peer_bench iipimage
if [ -n "${IIPSRV_UPSTREAM:-}" ] && wants iipimage-upstream; then
  [ -x "$IIPSRV_UPSTREAM" ] || { echo "IIPSRV_UPSTREAM=$IIPSRV_UPSTREAM is not an executable"; exit 1; }
  peer_bench iipimage-upstream IIPSRV="$IIPSRV_UPSTREAM"
fi

# The ceiling for canonical tiles: libvips' IIIF 2 layout writes {region}/{width},/0/default.jpg for
# every level, the paths bench.sh asks for; one server process, sendfile (lighttpd's default on Linux).
static_bench() {
  local root="$work/static" port=18094
  mkdir -p "$root/iiif"
  vips dzsave "$OUT/master.tif" "$root/iiif/pyramid" --layout iiif --tile-size 256 --overlap 0 --suffix '.jpg[Q=85]'
  if [ "$STATIC_SERVER" = lighttpd ]; then
    cat > "$work/static.conf" <<CONF
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$work/static.pid"
server.errorlog = "$work/static.err"
server.max-connections = 1024
mimetype.assign = (".jpg" => "image/jpeg", ".json" => "application/json")
CONF
    /usr/sbin/lighttpd -f "$work/static.conf"
  else
    cat > "$work/static.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;  # the worker reads the tiles in this private folder")
worker_processes 1;
pid $work/static.pid;
error_log $work/static.err warn;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path $work/nx-body; proxy_temp_path $work/nx-proxy; fastcgi_temp_path $work/nx-fcgi;
  uwsgi_temp_path $work/nx-uwsgi; scgi_temp_path $work/nx-scgi;
  types { image/jpeg jpg; application/json json; }
  server { listen 127.0.0.1:$port; root $root; }
}
CONF
    nginx -p "$work" -c "$work/static.conf" -e "$work/static.err"
  fi
  local i; for i in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/iiif/pyramid/info.json" && break; sleep 0.1; done
  local pid; pid=$(cat "$work/static.pid"); pids+=("$pid")
  curl -fs -o /dev/null "http://127.0.0.1:$port/iiif/pyramid/info.json" || { echo "$STATIC_SERVER did not serve the tiles"; cat "$work/static.err"; exit 1; }
  # Every URL of the tile loads names a file: the static server answers them all, none with a 404.
  for kind in tiles1 tiles4; do
    python3 "$peer/urls.py" "http://127.0.0.1:$port/iiif/pyramid" "$kind" "$work/static-$kind.txt" 2>/dev/null
    while read -r p; do [ -f "$root$p" ] || { echo "static: no file for $p"; exit 1; }; done < "$work/static-$kind.txt"
  done
  KINDS="tiles1 tiles4" "$peer/bench.sh" "http://127.0.0.1:$port/iiif/pyramid" "$SECS" | sed "s/^/static /" | tee -a "$results"
  echo "static server=$STATIC_SERVER" | tee -a "$results"
  kill "$pid"
}
wants static && static_bench

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
wants archive-local && serve_and_bench archive-local ARCHIVE_STORAGE=local
# The same with one Go processor, leaving the other core to wrk: on a 2-core machine the load
# generator and the server otherwise fight for both, which shows in the server's p99.
wants archive-local-1p && serve_and_bench archive-local-1p ARCHIVE_STORAGE=local GOMAXPROCS=1
# The same with a small memory budget (24 MiB: 10 for decoded tiles), where the reduced levels of
# this one image no longer fit decoded, as with a collection of many: most renders decode tiles.
wants archive-local-24m && serve_and_bench archive-local-24m ARCHIVE_STORAGE=local ARCHIVE_CACHE_MIB=24

minio="${ARCHIVE_MINIO:-$HOME/.cache/archive-tools/minio}"
if [ -x "$minio" ] && wants archive-s3; then
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
echo "# canonical tiles against the same tiles as static files (req/s), p99 beside IIPImage's:"
field() { awk -v l="$1" -v k="$2" -v f="$3" '$1==l && $2==k {for(i=1;i<=NF;i++) if(index($i, f"=")==1){print substr($i, length(f)+2)}}' "$results"; }
for kind in tiles1 tiles4; do
  static_rps=$(field static "$kind" req/s)
  for label in archive-local archive-local-1p archive-local-24m archive-s3; do
    ours=$(field "$label" "$kind" req/s)
    [ -n "$ours" ] || continue
    line=$(printf '%-18s %-7s p99 %6s ms' "$label" "$kind" "$(field "$label" "$kind" p99_ms)")
    [ -n "$static_rps" ] && line+=$(printf '  %8s vs static %8s = %5.2fx' "$ours" "$static_rps" "$(echo "$ours / $static_rps" | bc -l)")
    for peer_label in iipimage iipimage-upstream; do
      p99=$(field "$peer_label" "$kind" p99_ms)
      [ -n "$p99" ] && line+="  $peer_label p99 $p99 ms"
    done
    echo "$line"
  done
done
