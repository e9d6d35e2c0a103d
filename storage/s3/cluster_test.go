package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// A distributed, erasure-coded MinIO of four nodes loses one: every call
// goes on without an error (the store tries the next node), nothing stored
// before or during the loss is lost, and when the node comes back and
// another fails, what was written meanwhile is still whole.
func TestDistributedMinIOLosesANodeWithoutAnError(t *testing.T) {
	c := miniotest.StartCluster(t, 4)
	st := c.Open(t, "dist", "")
	ctx := context.Background()
	blobs := map[string][]byte{}
	put := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			size := 10_000 + i*997
			if i%10 == 9 {
				size = 20 << 20 // a multipart upload
			}
			b := storagetest.Pattern(uint64(i), size)
			key := fmt.Sprintf("blobs/%03d", i)
			if _, err := st.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{SHA256: storagetest.Sum(b), Size: int64(len(b))}); err != nil {
				t.Fatalf("put %s: %v", key, err)
			}
			blobs[key] = b
		}
	}
	check := func(when string, whole bool) {
		t.Helper()
		for key, want := range blobs {
			if got := storagetest.MustGet(t, st, key, 0, -1); !bytes.Equal(got, want) {
				t.Fatalf("%s: %s differs", when, key)
			}
			if got := storagetest.MustGet(t, st, key, 1000, 500); !bytes.Equal(got, want[1000:1500]) {
				t.Fatalf("%s: a range of %s differs", when, key)
			}
		}
		// A listing goes on without an error and lists only keys stored
		// (or deleted while a node was away: listed again until MinIO heals
		// that node, not a loss). Only a whole cluster lists every key:
		// MinIO's listing, unlike its reads, was seen leaving out one key
		// in some fifty runs while a node was lost.
		listed := map[string]bool{}
		if err := st.List(ctx, "blobs/", func(i storage.Info) error { listed[i.Key] = true; return nil }); err != nil {
			t.Fatalf("%s: listing: %v", when, err)
		}
		for key := range listed {
			if blobs[key] == nil && key != "blobs/000" {
				t.Fatalf("%s: %s is listed, never stored", when, key)
			}
		}
		for key := range blobs {
			if !listed[key] && whole {
				t.Fatalf("%s: %s is not listed", when, key)
			}
		}
		if err := st.Check(ctx); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
	put(0, 20)
	check("all nodes up", true)
	// The first endpoint is where calls start: losing it is the hard case.
	c.Nodes[0].Stop()
	check("node 1 down", false)
	put(20, 40)
	check("node 1 down, after writing", false)
	if err := st.Delete(ctx, "blobs/000"); err != nil {
		t.Fatalf("delete with node 1 down: %v", err)
	}
	delete(blobs, "blobs/000")
	c.Nodes[0].Restart(t)
	c.WaitSafeToStop(t, 1)
	c.Nodes[1].Stop()
	check("node 1 back, node 2 down", false)
	put(40, 45)
	c.Nodes[1].Restart(t)
	c.WaitSafeToStop(t, 1) // every node has taken the others back
	check("all nodes up again", true)
}
