package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// flipStored changes one byte of a stored blob, as a failing disk or a
// bad copy would (Put without expectations stores what it is given).
func flipStored(t *testing.T, blobs storage.Blobs, key string) {
	t.Helper()
	b := storagetest.MustGet(t, blobs, key, 0, -1)
	b[len(b)/2] ^= 0xFF
	storagetest.MustPut(t, blobs, key, b)
}

// firstKey is the first key under prefix with the given suffix.
func firstKey(t *testing.T, blobs storage.Blobs, prefix, suffix string) string {
	t.Helper()
	var key string
	if err := blobs.List(context.Background(), prefix, func(i storage.Info) error {
		if key == "" && strings.HasSuffix(i.Key, suffix) {
			key = i.Key
		}
		return nil
	}); err != nil || key == "" {
		t.Fatalf("no %s…%s in storage: %v", prefix, suffix, err)
	}
	return key
}

// auditAndRepair ingests two scans, backs the archive up to second, flips
// a byte in a master and in an access copy, and shows that the audit
// finds both and repair mends both from the backup.
func auditAndRepair(t *testing.T, env []string, blobs storage.Blobs, second string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	makeImages(t, src, 2, 300, 200)
	mustRun(t, nil, env, "ingest", "--institution", "chula", src)
	if out := mustRun(t, nil, env, "fixity"); !strings.Contains(out, "2 items") || !strings.Contains(out, ": 0 damaged or missing") {
		t.Fatalf("fixity of a sound archive: %s", out)
	}
	if out := mustRun(t, nil, env, "backup", "--to", second); !strings.Contains(out, "blobs copied") {
		t.Fatalf("backup: %s", out)
	}
	master := firstKey(t, blobs, "blobs/sha256/", "")
	access := firstKey(t, blobs, "derivatives/", ".tif")
	flipStored(t, blobs, master)
	flipStored(t, blobs, access)
	out, errOut, code := archive(t, env, "fixity")
	if code != 1 || !strings.Contains(out, master) || !strings.Contains(out, access) || !strings.Contains(out, ": 2 damaged or missing") || !strings.Contains(out, "archive repair") {
		t.Fatalf("fixity of a damaged archive: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "not as registered") {
		t.Fatalf("the damage is not in the log: %s", errOut)
	}
	out = mustRun(t, nil, env, "repair", "--from", second)
	if !strings.Contains(out, "2 repaired, 0 not") {
		t.Fatalf("repair: %s", out)
	}
	if out := mustRun(t, nil, env, "fixity"); !strings.Contains(out, ": 0 damaged or missing") {
		t.Fatalf("fixity after repair: %s", out)
	}
	if out := mustRun(t, nil, env, "repair", "--from", second); !strings.Contains(out, "nothing to repair") {
		t.Fatalf("a second repair: %s", out)
	}
}

func TestAuditFindsAFlippedByteOnLocalDiskAndRepairMendsIt(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	auditAndRepair(t, []string{"ARCHIVE_DATA=" + data}, blobs, filepath.Join(root, "backup"))
}

func TestAuditFindsAFlippedByteOnMinIOAndRepairMendsItFromAnotherBucket(t *testing.T) {
	minio := miniotest.Start(t)
	env := append(minio.Env("archive"), "ARCHIVE_DATA="+filepath.Join(t.TempDir(), "data"))
	blobs := minio.Open(t, "archive", "")
	auditAndRepair(t, env, blobs, "s3://second/copy")
	// The bucket backup, brought up to date, restores onto an empty bucket.
	mustRun(t, nil, env, "backup", "--to", "s3://second/copy")
	data := filepath.Join(t.TempDir(), "data")
	out := mustRun(t, nil, append(minio.Env("restored"), "ARCHIVE_DATA="+data), "restore", "--from", "s3://second/copy")
	if !strings.Contains(out, "2 items") {
		t.Fatalf("restore onto an empty bucket: %s", out)
	}
	before, beforeBlobs := dump(t, envData(env), blobs)
	after, afterBlobs := dump(t, data, minio.Open(t, "restored", ""))
	if before != after || len(beforeBlobs) != len(afterBlobs) {
		t.Fatalf("the restored bucket differs: %d blobs before, %d after; metadata equal: %v", len(beforeBlobs), len(afterBlobs), before == after)
	}
	for k, sum := range beforeBlobs {
		if afterBlobs[k] != sum {
			t.Fatalf("blob %s differs after restore", k)
		}
	}
}

// envData is the data folder an environment names.
func envData(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ARCHIVE_DATA="); ok {
			return v
		}
	}
	return ""
}

// dump is the metadata store's content at data, and every blob's digest.
func dump(t *testing.T, data string, blobs storage.Blobs) (string, map[string]string) {
	t.Helper()
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var b bytes.Buffer
	if err := store.Dump(&b); err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	if err := blobs.List(context.Background(), "", func(i storage.Info) error {
		if !strings.HasPrefix(i.Key, "backups/") {
			sums[i.Key] = storagetest.Sum(storagetest.MustGet(t, blobs, i.Key, 0, -1))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String(), sums
}

// backedUp reads how many blobs a backup copied and found there.
func backedUp(t *testing.T, out string) (copied, kept int) {
	t.Helper()
	m := regexp.MustCompile(`(\d+) blobs copied \(\d+ bytes\), (\d+) already there`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup said %q", out)
	}
	copied, _ = strconv.Atoi(m[1])
	kept, _ = strconv.Atoi(m[2])
	return copied, kept
}

func TestRestoreOntoAnEmptyDataFolderBringsEverythingBackIdentical(t *testing.T) {
	root := t.TempDir()
	data, backup, restored := filepath.Join(root, "data"), filepath.Join(root, "backup"), filepath.Join(root, "restored")
	env := []string{"ARCHIVE_DATA=" + data}
	src := filepath.Join(root, "src")
	makeImages(t, src, 3, 300, 200)
	mustRun(t, nil, env, "ingest", "--institution", "cmu", src)
	mustRun(t, input(""), env, "user", "add", "--email", "a@cmu.example", "--institution", "cmu", "--role", "archivist")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		c := &repository.Collection{ID: "cmu-lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารล้านนา", "en": "Lanna documents"}}
		if err := store.SaveCollection(context.Background(), c, "test"); err != nil {
			t.Fatal(err)
		}
	}()
	mustRun(t, nil, env, "fixity") // an event more for every item
	copied, kept := backedUp(t, mustRun(t, nil, env, "backup", "--to", backup))
	if copied == 0 || kept != 0 {
		t.Fatalf("first backup: %d copied, %d there", copied, kept)
	}
	// A second backup copies only what is new: one more item.
	makeImages(t, filepath.Join(root, "more"), 4, 310, 200)
	os.Remove(filepath.Join(root, "more", "scan000.jpg"))
	os.Remove(filepath.Join(root, "more", "scan001.jpg"))
	os.Remove(filepath.Join(root, "more", "scan002.jpg"))
	mustRun(t, nil, env, "ingest", "--institution", "tu", filepath.Join(root, "more"))
	// A new item is four blobs (master, pyramid, thumbnail, item record)
	// and some events.
	if again, there := backedUp(t, mustRun(t, nil, env, "backup", "--to", backup)); again == 0 || again > 12 || there != copied {
		t.Fatalf("incremental backup: %d copied, %d there; want a few, and %d there", again, there, copied)
	}
	before, beforeBlobs := dump(t, data, blobs)

	renv := []string{"ARCHIVE_DATA=" + restored}
	out := mustRun(t, nil, renv, "restore", "--from", backup)
	if !strings.Contains(out, "4 items") || !strings.Contains(out, "1 collections") {
		t.Fatalf("restore: %s", out)
	}
	rblobs, err := local.Open(filepath.Join(restored, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	after, afterBlobs := dump(t, restored, rblobs)
	if before != after {
		t.Fatalf("the restored metadata differs:\n--- before\n%.2000s\n--- after\n%.2000s", before, after)
	}
	if len(beforeBlobs) != len(afterBlobs) {
		t.Fatalf("%d blobs before, %d restored", len(beforeBlobs), len(afterBlobs))
	}
	for k, sum := range beforeBlobs {
		if afterBlobs[k] != sum {
			t.Fatalf("blob %s differs after restore", k)
		}
	}
	// A restore never mixes two archives.
	if _, errOut, code := archive(t, renv, "restore", "--from", backup); code != 1 || !strings.Contains(errOut, "empty") {
		t.Fatalf("restore onto a restored folder: %d %s", code, errOut)
	}
}

func TestFullBackupWhileServingTakesTheMetadataThroughTheService(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	it, content := seedItem(t, data, blobs)
	env := []string{"ARCHIVE_DATA=" + data}
	s := serve(t, append(env, "ARCHIVE_FIXITY_RATE=0"))
	dir := filepath.Join(t.TempDir(), "backup")
	if copied, _ := backedUp(t, mustRun(t, nil, append(env, "ARCHIVE_ADDR="+s.addr), "backup", "--to", dir)); copied == 0 {
		t.Fatal("nothing was copied")
	}
	backup, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := storagetest.MustGet(t, backup, storage.DigestKey(it.Files[0].SHA256), 0, -1); !bytes.Equal(got, content) {
		t.Fatal("the master in the backup differs")
	}
	// The metadata copy came from the running service: a store that opens
	// and holds the item.
	db := filepath.Join(t.TempDir(), "archive.db")
	if err := os.WriteFile(db, storagetest.MustGet(t, backup, "metadata/archive.db", 0, -1), 0o600); err != nil {
		t.Fatal(err)
	}
	copyStore, err := bolt.Open(context.Background(), db, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	if got, err := copyStore.Item(it.ID); err != nil || got.Title["en"] != "Map of Bangkok" {
		t.Fatalf("item in the metadata copy: %+v, %v", got, err)
	}
}
