#!/usr/bin/env bash
# Search benchmark: generates $RECORDS (default 100,000) bilingual records, indexes them with the
# archive's index (bleve with the Thai segmenter), and prints indexing throughput, index size on
# disk and peak RSS, then p50/p95/p99 latency of a single Thai word, a phrase and a faceted query
# with a year range, as a signed-in reader (the access filter is part of every query).
# Needs Debian's hunspell-th. Go benchmarks of the same: go test -run - -bench . ./search/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
prose="$repo/testdata/samples/cmu-library-mou-2562.txt"
[ -f "$prose" ] || prose=""
cd "$repo"
go run ./bench/searchload -records "${RECORDS:-100000}" -queries "${QUERIES:-500}" ${prose:+-prose "$prose"}
