package bolt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

func TestFeedAnnouncesEveryChangeInOrder(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	epoch, start, err := s.FeedEpoch()
	if err != nil || epoch == "" {
		t.Fatalf("epoch %q, %v", epoch, err)
	}
	series, it := populate(t, s)
	it.Title["en"] = "Memorandum, corrected"
	if err := s.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := s.Withdraw(ctx, it.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Feed(start, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	kinds := map[string]bool{}
	for i, e := range entries {
		if e.Seq != start+uint64(i)+1 {
			t.Fatalf("entry %d has sequence %d, want %d", i, e.Seq, start+uint64(i)+1)
		}
		kinds[e.Kind] = true
		if e.ID == it.ID {
			got = append(got, fmt.Sprint(e.Op, e.Version))
		}
		if e.ID == series.ID && e.Op != repository.OpCreate {
			t.Errorf("the series' entry %+v should be a creation", e)
		}
	}
	if want := "[create1 update2 update3 withdraw4]"; fmt.Sprint(got) != want {
		t.Errorf("the item's entries %v, want %s", got, want)
	}
	for _, k := range []string{"collection", "item", "user", "token"} {
		if !kinds[k] {
			t.Errorf("no %s in the feed", k)
		}
	}
	last := entries[len(entries)-1]
	if last.ID != it.ID || last.Version != it.Version+1 {
		t.Errorf("last entry %+v, want item %s version %d", last, it.ID, it.Version+1)
	}
	if page, _ := s.Feed(start, 2); len(page) != 2 || page[1].Seq != start+2 {
		t.Errorf("a page of two: %+v", page)
	}
}

func TestFeedWaitWakesOnTheNextChange(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	_, last, _ := s.FeedEpoch()
	woke := make(chan error, 1)
	go func() { woke <- s.FeedWait(ctx, last) }()
	select {
	case err := <-woke:
		t.Fatalf("returned before any change: %v", err)
	default:
	}
	if err := s.SaveItem(ctx, &repository.Item{Institution: "tu", Title: repository.Text{"en": "A letter"}}, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, last, _ = s.FeedEpoch()
	if err := s.FeedWait(c, last); err == nil {
		t.Error("waiting with nothing new should end with the context's error")
	}
}

func TestRebuiltStoreStartsANewFeedEpoch(t *testing.T) {
	dir := t.TempDir()
	blobs := newBlobs(t)
	path := filepath.Join(dir, "a.db")
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	populate(t, s)
	before, _, _ := s.FeedEpoch()
	s.Close()
	os.Remove(path)
	s = openStore(t, path, blobs)
	after, last, err := s.FeedEpoch()
	if err != nil || after == before || after == "" {
		t.Errorf("epoch before %q, after the rebuild %q (%v): a follower could not tell", before, after, err)
	}
	if entries, _ := s.Feed(0, 10); len(entries) != int(last) {
		t.Errorf("%d entries, last sequence %d", len(entries), last)
	}
}
