package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestHelperMemory is not a test: run as a child with SCALELOAD_HELPER
// set, it allocates and touches 96 MiB, then maps a 64 MiB file and reads
// it, holding both for a moment.
func TestHelperMemory(t *testing.T) {
	path := os.Getenv("SCALELOAD_HELPER")
	if path == "" {
		return
	}
	b := make([]byte, 96<<20)
	for i := range b {
		b[i] = byte(i)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, 64<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for round := range 20 { // long enough to be sampled
		for i := 0; i < len(m); i += 4096 {
			sum += int(m[i]) + int(b[(i+round)%len(b)])
		}
	}
	if sum < 0 {
		t.Fatal(sum)
	}
}

// The run command tells a program's own memory from the files it maps:
// 96 MiB allocated and a 64 MiB file read through a mapping are each
// counted in their part.
func TestRunTellsAllocatedMemoryFromMappedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mapped")
	if err := os.WriteFile(path, make([]byte, 64<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCALELOAD_HELPER", path)
	u, err := measure1([]string{os.Args[0], "-test.run=^TestHelperMemory$"})
	if err != nil {
		t.Fatal(err)
	}
	if u.anon < 96<<20 || u.anon > 256<<20 || u.mapped < 64<<20 || u.maxRSS < u.anon+60<<20 {
		t.Errorf("anonymous %d MiB, mapped %d MiB, peak %d MiB: want about 96 and 64 of at least 160", u.anon>>20, u.mapped>>20, u.maxRSS>>20)
	}
}
