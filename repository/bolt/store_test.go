package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
	bbolt "go.etcd.io/bbolt"
)

var ctx = context.Background()

func newBlobs(t *testing.T) storage.Blobs {
	t.Helper()
	b, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openStore(t testing.TB, path string, blobs repository.Blobs) *Store {
	t.Helper()
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const digestA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const digestB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

// populate adds a nested collection tree, items and events.
func populate(t *testing.T, s *Store) (*repository.Collection, *repository.Item) {
	t.Helper()
	fonds := &repository.Collection{ID: "cmu-lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารล้านนา", "en": "Lanna documents"}}
	if err := s.SaveCollection(ctx, fonds, "tester"); err != nil {
		t.Fatal(err)
	}
	series := &repository.Collection{Institution: "cmu", Parent: fonds.ID, Level: repository.Series, Title: repository.Text{"en": "Palm-leaf manuscripts"}}
	if err := s.SaveCollection(ctx, series, "tester"); err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "cmu", Collection: series.ID, Title: repository.Text{"th": "บันทึกข้อตกลง", "en": "Memorandum"}, Date: "2019-06-18",
		Rights: "http://rightsstatements.org/vocab/InC-EDU/1.0/", ViewingDirection: "right-to-left",
		Files: []repository.File{{Name: "p1.tif", SHA256: digestA, Size: 10, MediaType: "image/tiff", Width: 100, Height: 80}}}
	if err := s.SaveItem(ctx, it, "tester", repository.Event{Type: "ingestion", Outcome: "success"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		other := &repository.Item{Institution: "tu", Title: repository.Text{"en": fmt.Sprintf("Photograph %d", i)}, Files: []repository.File{{Name: "x.jpg", SHA256: digestB, MediaType: "image/jpeg"}}}
		if err := s.SaveItem(ctx, other, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	it.Title["en"] = "Memorandum of understanding"
	if err := s.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	// People, their tokens and a session (which a rebuild does not keep).
	u := &repository.User{Email: "archivist@cmu.example", Institution: "cmu", Role: "archivist", PasswordHash: repository.HashPassword("a long password")}
	if err := s.SaveUser(ctx, u, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateToken(ctx, u.ID, "upload", time.Hour, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSession(u.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	return series, it
}

func TestSeedsTheThreeLibraries(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	ins, err := s.Institutions()
	if err != nil || len(ins) != 3 {
		t.Fatalf("institutions = %d, %v", len(ins), err)
	}
	names := map[string]string{}
	for _, in := range ins {
		names[in.Name["en"]] = in.Name["th"]
	}
	for en, th := range map[string]string{"Chiang Mai University": "มหาวิทยาลัยเชียงใหม่", "Thammasat University": "มหาวิทยาลัยธรรมศาสตร์", "Chulalongkorn University": "จุฬาลงกรณ์มหาวิทยาลัย"} {
		if names[en] != th {
			t.Errorf("%s: Thai name %q, want %q", en, names[en], th)
		}
	}
}

func TestItemsAreVersionedIndexedAndGuarded(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	series, it := populate(t, s)
	if it.Version != 2 || !repository.ValidID(it.ID) {
		t.Fatalf("item %q at version %d", it.ID, it.Version)
	}
	p, _ := s.ItemsInCollection(series.ID, "", 10)
	if len(p.IDs) != 1 || p.IDs[0] != it.ID {
		t.Fatalf("items in collection = %v", p.IDs)
	}
	p, _ = s.ItemsOfInstitution("tu", "", 3)
	if len(p.IDs) != 3 || p.Next == "" {
		t.Fatalf("first page of tu = %+v", p)
	}
	p2, _ := s.ItemsOfInstitution("tu", p.Next, 3)
	if len(p2.IDs) != 2 || p2.Next != "" || p2.IDs[0] == p.IDs[2] {
		t.Fatalf("second page of tu = %+v after %+v", p2, p)
	}
	ids, _ := s.ItemsWithDigest(digestA)
	if len(ids) != 1 || ids[0] != it.ID {
		t.Fatalf("items with digest = %v", ids)
	}
	changes, _, _ := s.Changes(it.Created.Add(-1), it.Modified.Add(1), "", 100)
	if len(changes) != 6 || changes[len(changes)-1].ID != it.ID {
		t.Fatalf("changes = %+v; want the updated item last", changes)
	}
	kids, _ := s.Children("cmu-lanna")
	if len(kids) != 1 || kids[0].ID != series.ID {
		t.Fatalf("children = %v", kids)
	}
	// A stale copy cannot overwrite a newer version.
	stale := *it
	stale.Version = 1
	if err := s.SaveItem(ctx, &stale, "other"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("stale save: %v, want fault.Conflict", err)
	}
	// The previous version of the metadata is kept.
	v1, err := s.ItemVersion(ctx, it.ID, 1)
	if err != nil || v1.Title["en"] != "Memorandum" {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	evs, _ := s.Events(it.ID)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if strings.Join(types, ",") != "creation,ingestion,modification" {
		t.Fatalf("event trail = %v", types)
	}
}

func TestRefusesInvalidItemsWithReasons(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	populate(t, s)
	cases := map[string]repository.Item{
		"a title (in Thai or English) is required": {Institution: "cmu"},
		"not EDTF":                  {Institution: "cmu", Title: repository.Text{"en": "x"}, Date: "18/06/2019"},
		"not a RightsStatements":    {Institution: "cmu", Title: repository.Text{"en": "x"}, Rights: "http://example.com/free"},
		"access level":              {Institution: "cmu", Title: repository.Text{"en": "x"}, Access: repository.Access{Level: "secret"}},
		"institution \"nowhere\"":   {Institution: "nowhere", Title: repository.Text{"en": "x"}},
		"collection \"missing\"":    {Institution: "cmu", Collection: "missing", Title: repository.Text{"en": "x"}},
		"belongs to cmu, not chula": {Institution: "chula", Collection: "cmu-lanna", Title: repository.Text{"en": "x"}},
		"no valid SHA-256":          {Institution: "cmu", Title: repository.Text{"en": "x"}, Files: []repository.File{{Name: "f", SHA256: "../../etc"}}},
		"viewing direction":         {Institution: "cmu", Title: repository.Text{"en": "x"}, ViewingDirection: "sideways"},
	}
	for want, it := range cases {
		err := s.SaveItem(ctx, &it, "tester")
		if !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want fault.Invalid mentioning %q", err, want)
		}
	}
	if err := s.SaveCollection(ctx, &repository.Collection{ID: "../x", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "x"}}, "t"); !errors.Is(err, fault.Invalid) {
		t.Errorf("collection with path id: %v", err)
	}
	loop, _ := s.Collection("cmu-lanna")
	kids, _ := s.Children("cmu-lanna")
	loop.Parent = kids[0].ID
	if err := s.SaveCollection(ctx, loop, "t"); !errors.Is(err, fault.Invalid) {
		t.Errorf("collection inside its own child: %v", err)
	}
}

func TestRecordIsWrittenBeforeTheIndex(t *testing.T) {
	faulty := &storagetest.Faulty{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), faulty)
	faulty.SetDown(true)
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "x"}}
	if err := s.SaveItem(ctx, it, "t"); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("save during outage: %v", err)
	}
	faulty.SetDown(false)
	p, _ := s.ItemsOfInstitution("cmu", "", 10)
	if len(p.IDs) != 0 {
		t.Fatalf("an item whose record was never stored is registered: %v", p.IDs)
	}
}

func TestDeletedItemStaysAsTombstone(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	series, it := populate(t, s)
	if err := s.Withdraw(ctx, it.ID, "tester", "duplicate of another record"); err != nil {
		t.Fatal(err)
	}
	p, _ := s.ItemsInCollection(series.ID, "", 10)
	if len(p.IDs) != 0 {
		t.Fatalf("deleted item still listed: %v", p.IDs)
	}
	got, err := s.Item(it.ID)
	if err != nil || !got.Deleted {
		t.Fatalf("tombstone = %+v, %v", got, err)
	}
	changes, _, _ := s.Changes(got.Modified, got.Modified.Add(1), "", 10)
	if len(changes) != 1 || changes[0].ID != it.ID {
		t.Fatalf("tombstone not in changes: %+v", changes)
	}
	fresh := &repository.Item{ID: it.ID, Institution: "cmu", Title: repository.Text{"en": "reuse"}}
	if err := s.SaveItem(ctx, fresh, "t"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a deleted identifier was given out again: %v", err)
	}
}

func dump(t *testing.T, s *Store) string {
	var b bytes.Buffer
	if err := s.Dump(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDeletedDatabaseComesBackIdentical(t *testing.T) {
	backends := map[string]func(t *testing.T) storage.Blobs{
		"local": newBlobs,
		"minio": func(t *testing.T) storage.Blobs { return miniotest.Start(t).Open(t, "rebuild", "") },
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			blobs := open(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "archive.db")
			s, err := Open(ctx, path, blobs)
			if err != nil {
				t.Fatal(err)
			}
			populate(t, s)
			before := dump(t, s)
			s.Close()
			if _, err := Rebuild(ctx, path, blobs, false); err == nil {
				t.Fatal("rebuild replaced an existing store without force")
			}
			os.Remove(path)
			n, err := Rebuild(ctx, path, blobs, false)
			if err != nil {
				t.Fatal(err)
			}
			if n.Items != 6 || n.Collections != 2 || n.Institutions != 3 || n.Users != 1 {
				t.Fatalf("rebuild counted %+v", n)
			}
			s2 := openStore(t, path, blobs)
			if after := dump(t, s2); after != before {
				t.Fatalf("rebuilt store differs:\nbefore %d bytes\nafter  %d bytes", len(before), len(after))
			}
			s2.Close()
			// Simply opening with the file gone also brings everything back.
			os.Remove(path)
			s3 := openStore(t, path, blobs)
			if after := dump(t, s3); after != before {
				t.Fatal("store reopened without its file differs")
			}
		})
	}
}

func TestMigratesSchemaOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := bbolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := repository.Item{ID: "old1", Institution: "chula", Title: repository.Text{"th": "ภาพถ่ายเก่า"}, Access: repository.Access{Level: repository.Public}, Version: 1,
		Files: []repository.File{{Name: "a.jpg", SHA256: digestA}}}
	it.Modified = it.Modified.AddDate(2001, 0, 0)
	db.Update(func(tx *bbolt.Tx) error {
		for _, b := range []string{"institutions", "collections", "items", "events", "ix_collection_items"} {
			tx.CreateBucket([]byte(b))
		}
		in, _ := json.Marshal(seed[2])
		tx.Bucket(bInstitutions).Put([]byte("chula"), in)
		v, _ := json.Marshal(it)
		return tx.Bucket(bItems).Put([]byte(it.ID), v)
	})
	db.Close()
	s := openStore(t, path, newBlobs(t))
	if ids, _ := s.ItemsWithDigest(digestA); len(ids) != 1 || ids[0] != "old1" {
		t.Fatalf("digest index after migration: %v", ids)
	}
	if p, _ := s.ItemsOfInstitution("chula", "", 10); len(p.IDs) != 1 {
		t.Fatalf("institution index after migration: %v", p.IDs)
	}
	if ch, _, _ := s.Changes(it.Modified, it.Modified.Add(1), "", 10); len(ch) != 1 {
		t.Fatalf("change index after migration: %v", ch)
	}
	got, err := s.Item("old1")
	if err != nil || got.Title["th"] != "ภาพถ่ายเก่า" {
		t.Fatalf("item after migration: %+v, %v", got, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v9.db")
	s := openStore(t, path, newBlobs(t))
	s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Put(keySchema, []byte("9")) })
	s.Close()
	_, err := Open(ctx, path, newBlobs(t))
	if err == nil || !strings.Contains(err.Error(), "schema 9, newer than this program") {
		t.Fatalf("opening a newer schema: %v", err)
	}
}

func TestLockedStoreFailsInOneSentence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	openStore(t, path, newBlobs(t))
	_, err := Open(ctx, path, newBlobs(t))
	if err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second open: %v", err)
	}
}

func TestBackupIsConsistentWhileWriting(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), newBlobs(t))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.SaveItem(ctx, &repository.Item{Institution: "cmu", Title: repository.Text{"en": fmt.Sprint(i)}}, "writer")
		}
	}()
	for i := range 3 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("backup%d.db", i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Backup(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	close(stop)
	wg.Wait()
	b := openStore(t, filepath.Join(dir, "backup2.db"), newBlobs(t))
	p, err := b.ItemsOfInstitution("cmu", "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range p.IDs {
		if _, err := b.Item(id); err != nil {
			t.Fatalf("backup index names item %s that it does not hold: %v", id, err)
		}
	}
	if _, err := BackupFile(filepath.Join(dir, "a.db"), &bytes.Buffer{}); !errors.Is(err, repository.ErrLocked) {
		t.Fatalf("file backup of a store in use: %v, want ErrLocked", err)
	}
}

func TestTextFallsBackAcrossLanguages(t *testing.T) {
	x := repository.Text{"th": "ไทย"}
	if x.Get("en") != "ไทย" || (repository.Text{"en": "E", "th": "T"}).Get("th") != "T" || (repository.Text{"fr": "F"}).Get("th") != "F" || !(repository.Text{}).Empty() {
		t.Fatal("language fallback is wrong")
	}
}

// TestAFillCutShortLeavesNoFileThatPassesForAWholeOne: the database file
// made from storage is made under another name and takes its own only
// when whole, so a fill that fails leaves no file, and what a crash left
// midway is not taken for the store but made again.
func TestAFillCutShortLeavesNoFileThatPassesForAWholeOne(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "archive.db")
	s := openStore(t, path, blobs)
	populate(t, s)
	before := dump(t, s)
	s.Close()
	os.Remove(path)
	cut, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cut, path, blobs); err == nil {
		t.Fatal("a fill whose context ended succeeded")
	}
	for _, p := range []string{path, path + ".filling"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a failed fill left %s (%v)", filepath.Base(p), err)
		}
	}
	if err := os.WriteFile(path+".filling", []byte("half a database, as a crash leaves it"), 0o600); err != nil {
		t.Fatal(err)
	}
	seen, early := 0, 0
	s2, err := OpenWith(ctx, path, blobs, Options{Progress: func(Progress) {
		seen++
		if _, err := os.Stat(path); err == nil {
			early++ // a crash now would leave it for the next start to take
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if seen == 0 || early > 0 {
		t.Fatalf("the store's own file was there during %d of %d steps of its fill", early, seen)
	}
	if after := dump(t, s2); after != before {
		t.Fatal("the store filled after a crashed fill differs")
	}
	if _, err := os.Stat(path + ".filling"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the crashed fill's file is still there: %v", err)
	}
}
