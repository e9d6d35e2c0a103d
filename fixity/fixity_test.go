package fixity_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/fixity"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

type archive struct {
	blobs *local.Store
	store *bolt.Store
	items []*repository.Item
	dir   string
}

// newArchive makes n items, each a master and an access copy whose digest
// is registered, and one legacy item whose thumbnail has none.
func newArchive(t *testing.T, n int) *archive {
	t.Helper()
	a := &archive{dir: t.TempDir()}
	var err error
	if a.blobs, err = local.Open(filepath.Join(a.dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	if a.store, err = bolt.Open(context.Background(), filepath.Join(a.dir, "a.db"), a.blobs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.store.Close() })
	for i := range n {
		master := storagetest.Pattern(uint64(i+1), 50_000+i)
		access := storagetest.Pattern(uint64(i+1000), 20_000)
		mi := storagetest.MustPut(t, a.blobs, storage.DigestKey(storagetest.Sum(master)), master)
		key := fmt.Sprintf("derivatives/%s/p1.tif", mi.SHA256[:8])
		ai := storagetest.MustPut(t, a.blobs, key, access)
		f := repository.File{Name: fmt.Sprintf("scan%02d.tif", i), SHA256: mi.SHA256, Size: mi.Size, MediaType: "image/tiff",
			Derivatives: map[string]string{"access": key}, Digests: map[string]string{"access": ai.SHA256}}
		if i == n-1 {
			thumb := storagetest.MustPut(t, a.blobs, key+"-thumb.jpg", []byte("legacy thumbnail"))
			f.Derivatives["thumb"] = thumb.Key
		}
		it := &repository.Item{Institution: []string{"cmu", "tu", "chula"}[i%3], Title: repository.Text{"en": fmt.Sprintf("Item %d", i)}, Files: []repository.File{f}}
		if err := a.store.SaveItem(context.Background(), it, "test"); err != nil {
			t.Fatal(err)
		}
		a.items = append(a.items, it)
	}
	return a
}

// flip changes one byte of a stored blob, as a failing disk would.
func (a *archive) flip(t *testing.T, key string) {
	t.Helper()
	b := storagetest.MustGet(t, a.blobs, key, 0, -1)
	b[len(b)/3] ^= 0x20
	// Put without expectations stores what it is given.
	storagetest.MustPut(t, a.blobs, key, b)
}

// counter is an observer that may stop the pass after some items.
type counter struct {
	mu       sync.Mutex
	outcomes map[string]int
	checked  int
	stopAt   int
	stop     context.CancelFunc
	damaged  int // as last reported
}

func (c *counter) FixityChecked(role, outcome string, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes[role+" "+outcome]++
	c.checked++
	if c.checked == c.stopAt {
		c.stop()
	}
}

func (c *counter) FixityPass(damaged int, complete bool) {
	c.mu.Lock()
	c.damaged = damaged
	c.mu.Unlock()
}

func fixityEvents(t *testing.T, s *bolt.Store, id string) []repository.Event {
	t.Helper()
	evs, err := s.Events(id)
	if err != nil {
		t.Fatal(err)
	}
	var out []repository.Event
	for _, e := range evs {
		if e.Type == "fixity check" {
			out = append(out, e)
		}
	}
	return out
}

func TestAuditFindsDamagedMastersAndAccessCopiesAndRecordsAnEventPerItem(t *testing.T) {
	a := newArchive(t, 5)
	a.flip(t, storage.DigestKey(a.items[1].Files[0].SHA256))
	a.flip(t, a.items[2].Files[0].Derivatives["access"])
	if err := a.blobs.Delete(context.Background(), a.items[3].Files[0].Derivatives["access"]); err != nil {
		t.Fatal(err)
	}
	obs := &counter{outcomes: map[string]int{}}
	aud, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: filepath.Join(a.dir, "fixity.json"), Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := aud.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 5 || rep.Blobs != 11 || rep.Damaged != 3 || rep.Unrecorded != 1 {
		t.Fatalf("report: %d items, %d blobs, %d damaged, %d unrecorded; want 5, 11, 3, 1", rep.Items, rep.Blobs, rep.Damaged, rep.Unrecorded)
	}
	want := map[string]int{"master ok": 4, "master damaged": 1, "derivative ok": 3, "derivative damaged": 1, "derivative missing": 1, "derivative unrecorded": 1}
	for k, n := range want {
		if obs.outcomes[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, obs.outcomes[k], n, obs.outcomes)
		}
	}
	outcomes := map[string]string{}
	for _, f := range rep.Findings {
		outcomes[f.Item+" "+f.Role] = f.Outcome
	}
	if outcomes[a.items[1].ID+" master"] != fixity.Damaged || outcomes[a.items[2].ID+" access"] != fixity.Damaged || outcomes[a.items[3].ID+" access"] != fixity.Missing {
		t.Fatalf("findings: %v", outcomes)
	}
	for i, it := range a.items {
		evs := fixityEvents(t, a.store, it.ID)
		wantOutcome := map[int]string{1: "failure", 2: "failure", 3: "failure", 4: "warning"}[i]
		if wantOutcome == "" {
			wantOutcome = "success"
		}
		if len(evs) != 1 || evs[0].Outcome != wantOutcome {
			t.Errorf("item %d: fixity events %+v, want one %s", i, evs, wantOutcome)
		}
	}
	if st := aud.Status(); st.Running() || st.Last == nil || st.Last.Damaged != 3 || obs.damaged != 3 {
		t.Fatalf("state after the pass: %+v; gauge %d", st, obs.damaged)
	}
	// A restarted service reports the damage it has not seen mended.
	again := &counter{outcomes: map[string]int{}}
	if _, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: filepath.Join(a.dir, "fixity.json"), Observer: again}); err != nil || again.damaged != 3 {
		t.Fatalf("after a restart the gauge says %d (%v), want 3", again.damaged, err)
	}
}

// A withdrawn item keeps its files, and they are audited like any others,
// until they are purged on purpose: then they are not missed.
func TestAuditKeepsWatchOnWithdrawnItemsUntilPurged(t *testing.T) {
	a := newArchive(t, 3)
	ctx := context.Background()
	for _, it := range a.items[:2] {
		if err := a.store.Withdraw(ctx, it.ID, "test", "a duplicate"); err != nil {
			t.Fatal(err)
		}
	}
	a.flip(t, storage.DigestKey(a.items[0].Files[0].SHA256))
	if n, err := a.store.Purge(ctx, a.items[1].ID, "test", a.blobs); err != nil || n != 2 {
		t.Fatalf("purge: %d blobs, %v", n, err)
	}
	aud, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: filepath.Join(a.dir, "fixity.json")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := aud.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 2 || rep.Damaged != 1 || len(rep.Findings) != 1 || rep.Findings[0].Item != a.items[0].ID || rep.Findings[0].Outcome != fixity.Damaged {
		t.Fatalf("report: %d items, %d damaged, findings %+v; want the withdrawn item's damaged master, nothing of the purged one", rep.Items, rep.Damaged, rep.Findings)
	}
	if evs := fixityEvents(t, a.store, a.items[1].ID); len(evs) != 0 {
		t.Fatalf("the purged item was audited: %+v", evs)
	}
}

func TestAuditResumesWhereItStoppedAfterARestart(t *testing.T) {
	a := newArchive(t, 6)
	state := filepath.Join(a.dir, "fixity.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Stop after five blobs: within the second or third item (one item has
	// three blobs, the others two, in identifier order).
	obs := &counter{outcomes: map[string]int{}, stopAt: 5, stop: cancel}
	first, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: state, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Pass(ctx); err == nil {
		t.Fatal("a stopped pass reported no error")
	}
	if st := first.Status(); !st.Running() || st.Items < 1 || st.Items > 2 {
		t.Fatalf("after the stop: running %v, %d items done; want running, 1 or 2", st.Running(), st.Items)
	}
	// A new auditor (a restarted service) reads the saved position.
	second, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := second.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 6 {
		t.Fatalf("the resumed pass counts %d items, want 6", rep.Items)
	}
	for i, it := range a.items {
		if evs := fixityEvents(t, a.store, it.ID); len(evs) != 1 {
			t.Errorf("item %d has %d fixity events, want exactly 1 (resumed, not started again)", i, len(evs))
		}
	}
}

func TestAuditStopsWhileStorageIsDownAndBlamesNoBlob(t *testing.T) {
	a := newArchive(t, 3)
	faulty := &storagetest.Faulty{Blobs: a.blobs}
	state := filepath.Join(a.dir, "fixity.json")
	aud, err := fixity.New(fixity.Config{Store: a.store, Blobs: faulty, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	faulty.SetDown(true)
	if _, err := aud.Pass(context.Background()); fault.KindOf(err) != fault.Unavailable {
		t.Fatalf("a pass with storage down: %v (kind %v), want unavailable", err, fault.KindOf(err))
	}
	if st := aud.Status(); st.Damaged != 0 || st.Items != 0 || !st.Running() {
		t.Fatalf("after the outage: %d damaged, %d items done, running %v; want 0, 0, running", st.Damaged, st.Items, st.Running())
	}
	for _, it := range a.items {
		if evs := fixityEvents(t, a.store, it.ID); len(evs) != 0 {
			t.Fatalf("an outage left fixity events: %+v", evs)
		}
	}
	faulty.SetDown(false)
	rep, err := aud.Pass(context.Background())
	if err != nil || rep.Items != 3 || rep.Damaged != 0 {
		t.Fatalf("after storage came back: %+v, %v", rep, err)
	}
}

func TestRepairRestoresFromASecondStoreOnlyACopyThatIsSound(t *testing.T) {
	a := newArchive(t, 3)
	backup, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range a.items {
		f := it.Files[0]
		for _, key := range []string{storage.DigestKey(f.SHA256), f.Derivatives["access"]} {
			storagetest.MustPut(t, backup, key, storagetest.MustGet(t, a.blobs, key, 0, -1))
		}
	}
	master := storage.DigestKey(a.items[0].Files[0].SHA256)
	a.flip(t, master)
	a.blobs.Delete(context.Background(), a.items[1].Files[0].Derivatives["access"])
	// The backup's copy of the third item's access copy is damaged too.
	third := a.items[2].Files[0].Derivatives["access"]
	a.flip(t, third)
	b := storagetest.MustGet(t, backup, third, 0, -1)
	b[0] ^= 1
	storagetest.MustPut(t, backup, third, b)
	damaged := storagetest.MustGet(t, a.blobs, third, 0, -1)

	var its []*repository.Item
	for _, it := range a.items {
		got, _ := a.store.Item(it.ID)
		its = append(its, got)
	}
	found, err := fixity.Problems(context.Background(), a.blobs, its)
	if err != nil || len(found) != 3 {
		t.Fatalf("problems: %v, %v", found, err)
	}
	mends := fixity.Repair(context.Background(), a.blobs, backup, "the backup", found, a.store, "test")
	for _, m := range mends {
		switch m.Key {
		case third:
			if m.Err == nil || !strings.Contains(m.Err.Error(), "not as registered either") {
				t.Errorf("a damaged copy was accepted: %v", m.Err)
			}
		default:
			if m.Err != nil {
				t.Errorf("%s: %v", m.Key, m.Err)
			}
		}
	}
	if got := storagetest.MustGet(t, a.blobs, third, 0, -1); string(got) != string(damaged) {
		t.Error("a refused repair replaced the blob")
	}
	left, err := fixity.Problems(context.Background(), a.blobs, its)
	if err != nil || len(left) != 1 || left[0].Key != third {
		t.Fatalf("after repair: %v, %v", left, err)
	}
	evs, _ := a.store.Events(a.items[0].ID)
	if last := evs[len(evs)-1]; last.Type != "fixity repair" || last.Outcome != "success" || !strings.Contains(last.Detail, master) {
		t.Fatalf("repair event: %+v", last)
	}
}

// BenchmarkAuditPass measures an unpaced pass over eight masters of 16 MiB,
// on local disk and on MinIO: its read rate (MB/s) is the audit's ceiling.
func BenchmarkAuditPass(b *testing.B) {
	for _, backend := range []string{"local", "minio"} {
		b.Run(backend, func(b *testing.B) {
			dir := b.TempDir()
			var blobs storage.Blobs
			if backend == "local" {
				lb, err := local.Open(filepath.Join(dir, "blobs"))
				if err != nil {
					b.Fatal(err)
				}
				blobs = lb
			} else {
				blobs = miniotest.Start(b).Open(b, "audit", "")
			}
			store, err := bolt.Open(context.Background(), filepath.Join(dir, "a.db"), blobs)
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			var total int64
			for i := range 8 {
				data := storagetest.Pattern(uint64(i+1), 16<<20)
				info := storagetest.MustPut(b, blobs, storage.DigestKey(storagetest.Sum(data)), data)
				total += info.Size
				it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Scan"}, Files: []repository.File{{Name: "scan.tif", SHA256: info.SHA256, Size: info.Size, MediaType: "image/tiff"}}}
				if err := store.SaveItem(context.Background(), it, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			aud, err := fixity.New(fixity.Config{Store: store, Blobs: blobs})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(total)
			for b.Loop() {
				if rep, err := aud.Pass(context.Background()); err != nil || rep.Damaged != 0 {
					b.Fatal(rep, err)
				}
			}
		})
	}
}

// A pass over descriptions without files reads nothing of them, so it
// records no event for them and writes nothing, yet counts them; and each
// item takes its share of the pace, so a pass over a million of them does
// not run flat out.
func TestAPassOverDescriptionsWithoutFilesRecordsNothingForThemAndIsPaced(t *testing.T) {
	a := newArchive(t, 1)
	var bare []*repository.Item
	for i := range 150 {
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": fmt.Sprintf("Description %d", i)}}
		if err := a.store.SaveItem(context.Background(), it, "test"); err != nil {
			t.Fatal(err)
		}
		bare = append(bare, it)
	}
	// 100 items a second: 151 items take at least half a second past the
	// one second the pace lets through at once.
	aud, err := fixity.New(fixity.Config{Store: a.store, Blobs: a.blobs, StatePath: filepath.Join(a.dir, "fixity.json"), Rate: 100 * 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := aud.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("a pass of 151 items at 100 a second took %v: items are not paced", took)
	}
	if rep.Items != 151 || rep.Blobs != 3 {
		t.Fatalf("report: %d items, %d blobs; want 151, 3", rep.Items, rep.Blobs)
	}
	for _, it := range bare[:3] {
		if evs := fixityEvents(t, a.store, it.ID); len(evs) != 0 {
			t.Errorf("%s, without files, got fixity events %+v", it.ID, evs)
		}
	}
	if evs := fixityEvents(t, a.store, a.items[0].ID); len(evs) != 1 {
		t.Errorf("the item with files got %d fixity events, want 1", len(evs))
	}
}
