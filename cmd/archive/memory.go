package main

import (
	"os"
	"runtime/debug"

	"github.com/thaiarchives/archive/iiif/imageapi"
)

// limitMemory gives the Go runtime a soft limit on the memory it uses: the
// image caches' budget, half as much again for renders in flight (the
// image service keeps them to that), and 32 MiB for the rest of the
// service, so a busy server collects garbage sooner rather than growing.
// GOMEMLIMIT, when set, wins. It returns the limit in bytes.
func limitMemory(cacheBytes int64) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	if cacheBytes <= 0 {
		cacheBytes = imageapi.DefaultCacheBytes
	}
	limit := cacheBytes + cacheBytes/2 + 32<<20
	debug.SetMemoryLimit(limit)
	return limit
}
