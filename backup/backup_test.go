package backup_test

import (
	"context"
	"errors"
	"testing"

	"github.com/thaiarchives/archive/backup"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

func open(t *testing.T) *local.Store {
	t.Helper()
	s, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCopyIsIncrementalAndNeverCopiesADamagedMasterAsSound(t *testing.T) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	sound := storagetest.Pattern(1, 10_000)
	storagetest.MustPut(t, src, storage.DigestKey(storagetest.Sum(sound)), sound)
	storagetest.MustPut(t, src, "records/items/b7k2m9q4x1/v000001.json", []byte(`{"schema":5}`))
	storagetest.MustPut(t, src, "backups/archive-20261125T000000Z.db", []byte("a metadata copy"))
	damaged := storagetest.Pattern(2, 10_000)
	key := storage.DigestKey(storagetest.Sum(damaged))
	damaged[5000] ^= 1
	storagetest.MustPut(t, src, key, damaged)

	n, err := backup.Copy(ctx, dst, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Copied != 2 || n.Kept != 0 || len(n.Failed) != 1 || !errors.Is(n.Failed[0], fault.Checksum) {
		t.Fatalf("first copy: %+v", n)
	}
	if _, err := dst.Stat(ctx, key); !errors.Is(err, fault.NotFound) {
		t.Fatalf("the damaged master was copied: %v", err)
	}
	if _, err := dst.Stat(ctx, "backups/archive-20261125T000000Z.db"); !errors.Is(err, fault.NotFound) {
		t.Fatalf("a metadata copy was taken for storage's truth: %v", err)
	}
	storagetest.MustPut(t, src, "records/items/b7k2m9q4x1/v000002.json", []byte(`{"schema":5,"v":2}`))
	if n, err = backup.Copy(ctx, dst, src, nil); err != nil || n.Copied != 1 || n.Kept != 2 {
		t.Fatalf("second copy: %+v, %v; want 1 copied, 2 kept", n, err)
	}
	if empty, err := backup.Empty(ctx, dst); err != nil || empty {
		t.Fatalf("a store with records is empty: %v %v", empty, err)
	}
	if empty, err := backup.Empty(ctx, open(t)); err != nil || !empty {
		t.Fatalf("an empty store is not: %v %v", empty, err)
	}
}
