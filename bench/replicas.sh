#!/usr/bin/env bash
# Tile throughput of two read-only replicas behind nginx against one node, in one run on loopback,
# all on one MinIO (S3): the shared 8000x6000 master is ingested by a writer, two replicas
# (archive serve --replica) follow it through the bucket, and wrk (the shared cycle script) asks for
# canonical 256-px tiles (tiles1, 768 URLs: stored bytes) and 500 random regions (regions: renders):
#   one-node        the writer itself, no proxy
#   replica-direct  one replica, no proxy
#   nginx-1replica  nginx (HTTP, keep-alive, no cache) in front of one replica: what nginx costs
#   nginx-2replicas nginx in front of both replicas (least_conn), no cache
#   nginx-cache     the same with the proxy cache of deploy/nginx/archive.conf (tiles from nginx)
# Every process shares this machine's cores, so on a small machine replicas add no cores: the
# figures say what the proxy and a second process cost or give here, not on separate machines.
# Needs wrk, nginx (installed when missing) and MinIO (ARCHIVE_MINIO or the test script's cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
peer="$here/iipimage"
SECS=${SECS:-10}
export OUT=${OUT:-/tmp/peer-img}
work=$(mktemp -d /tmp/archive-replicas.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

need=(); for p in wrk nginx bc; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
[ -f "$OUT/master.tif" ] || "$peer/make-image.sh" >/dev/null
minio="${ARCHIVE_MINIO:-$HOME/.cache/archive-tools/minio}"
[ -x "$minio" ] || { echo "MinIO not found: run test.sh once (it builds it) or set ARCHIVE_MINIO"; exit 1; }
(cd "$repo" && go build -o "$work/archive" ./cmd/archive)

results="$work/results"
echo "# replicas bench $(date -u +%FT%TZ), $(nproc) cores, wrk -t2 -c16 -d${SECS}s" | tee "$results"

MINIO_ROOT_USER=benchkey MINIO_ROOT_PASSWORD=benchsecret123 MINIO_BROWSER=off "$minio" server --quiet \
  --address 127.0.0.1:18292 --console-address 127.0.0.1:18293 "$work/minio" >/dev/null 2>&1 &
pids+=("$!")
for i in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:18292/minio/health/ready && break; sleep 0.1; done
s3=(ARCHIVE_STORAGE=s3 ARCHIVE_S3_ENDPOINT=127.0.0.1:18292 ARCHIVE_S3_BUCKET=bench ARCHIVE_S3_CREATE_BUCKET=true
  ARCHIVE_S3_ACCESS_KEY=benchkey ARCHIVE_S3_SECRET_KEY=benchsecret123)

node() { # name, port, more serve flags
  local name=$1 port=$2; shift 2
  env "${s3[@]}" ARCHIVE_DATA="$work/$name" "$work/archive" serve --addr "127.0.0.1:$port" "$@" 2>"$work/$name.log" &
  pids+=("$!")
  for i in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return; sleep 0.1; done
  echo "$name did not start"; cat "$work/$name.log"; exit 1
}
node writer 18291
id=$(env "${s3[@]}" ARCHIVE_DATA="$work/writer" ARCHIVE_ADDR=127.0.0.1:18291 "$work/archive" ingest --institution cmu --json "$OUT/master.tif" 2>/dev/null \
  | sed -n 's/.*"images":\["\([^"]*\)".*/\1/p')
[ -n "$id" ] || { echo "ingest failed"; exit 1; }
node replica1 18294 --replica
node replica2 18295 --replica
for port in 18294 18295; do
  for i in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/iiif/3/$id/info.json" && break; sleep 0.1; done
done

proxy() { # port, cache (on|off), upstream ports...
  local port=$1 cache=$2; shift 2
  local servers="" p
  for p in "$@"; do servers+="server 127.0.0.1:$p;"; done
  local caching=""
  [ "$cache" = on ] && caching="proxy_cache tiles; proxy_cache_key \$scheme\$host\$request_uri; proxy_cache_lock on; add_header X-Cache-Status \$upstream_cache_status always;"
  cat > "$work/nginx-$port.conf" <<NGINX
$([ "$(id -u)" = 0 ] && echo "user root;  # the workers write the cache in this private folder")
worker_processes 2;
pid $work/nginx-$port.pid;
error_log $work/nginx-$port.err warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nx-body; proxy_temp_path $work/nx-proxy; fastcgi_temp_path $work/nx-fcgi;
  uwsgi_temp_path $work/nx-uwsgi; scgi_temp_path $work/nx-scgi;
  proxy_cache_path $work/cache-$port keys_zone=tiles:16m max_size=2g inactive=1h use_temp_path=off;
  upstream readers { least_conn; $servers keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://readers; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$http_host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      $caching
    }
  }
}
NGINX
  nginx -p "$work" -c "$work/nginx-$port.conf" -e "$work/nginx-$port.err"
  for i in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return; sleep 0.1; done
  echo "nginx on $port did not start"; cat "$work/nginx-$port.err"; exit 1
}
stop_proxy() { kill "$(cat "$work/nginx-$1.pid")"; sleep 0.5; }

bench() { # label, port
  KINDS="tiles1 regions" "$peer/bench.sh" "http://127.0.0.1:$2/iiif/3/$id" "$SECS" | grep -v '^CHECK' | sed "s/^/$1 /" | tee -a "$results"
}
bench one-node 18291
bench replica-direct 18294
proxy 18296 off 18294; bench nginx-1replica 18296; stop_proxy 18296
proxy 18297 off 18294 18295; bench nginx-2replicas 18297; stop_proxy 18297
proxy 18298 on 18294 18295; bench nginx-cache 18298
hit=$(curl -s -o /dev/null -D - "http://127.0.0.1:18298/iiif/3/$id/0,0,256,256/256,/0/default.jpg" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache-status"{print $2}')
echo "nginx-cache X-Cache-Status of a tile asked before: $hit" | tee -a "$results"
stop_proxy 18298

echo "# against one-node (req/s):"
for kind in tiles1 regions; do
  base=$(awk -v k="$kind" '$1=="one-node" && $2==k {for(i=1;i<=NF;i++) if($i ~ /^req\/s=/){split($i,a,"="); print a[2]}}' "$results")
  for label in replica-direct nginx-1replica nginx-2replicas nginx-cache; do
    ours=$(awk -v l="$label" -v k="$kind" '$1==l && $2==k {for(i=1;i<=NF;i++) if($i ~ /^req\/s=/){split($i,a,"="); print a[2]}}' "$results")
    [ -n "$ours" ] && [ -n "$base" ] && printf '%-16s %-8s %8s vs %8s  = %5.2fx\n' "$label" "$kind" "$ours" "$base" "$(echo "$ours / $base" | bc -l)"
  done
done
