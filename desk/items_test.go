package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// People acting at the desk in the tests.
var (
	itemsArchivist = access.Principal{User: "u-arch", Email: "arch@cmu.example", Institution: "cmu", Role: access.Archivist}
	itemsReader    = access.Principal{User: "u-read", Email: "read@cmu.example", Institution: "cmu", Role: access.Reader}
	itemsOtherArch = access.Principal{User: "u-tu", Email: "arch@tu.example", Institution: "tu", Role: access.Archivist}
	itemsSysAdmin  = access.Principal{User: "u-sys", Email: "sys@cmu.example", Institution: "cmu", Role: access.SystemAdmin}
)

// itemsFixture is a store on local disk and the Items service over it.
func itemsFixture(t *testing.T) (*Items, *bolt.Store) {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Items{Store: st, Blobs: blobs}, st
}

// itemsAdd saves an item of a library at an access level.
func itemsAdd(t *testing.T, st *bolt.Store, id, inst, level string) *repository.Item {
	t.Helper()
	it := &repository.Item{ID: id, Institution: inst, Type: "Image", Title: repository.Text{"en": "Item " + id}, Access: repository.Access{Level: level}}
	if err := st.SaveItem(context.Background(), it, "tester"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestItemsSaveAtAStaleVersionIsAConflictAndShowsTheStoredItem(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	it := itemsAdd(t, st, "a1", "cmu", repository.Public)
	if _, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: it.Version, Title: repository.Text{"en": "First"}, Via: "desk"}); err != nil {
		t.Fatal(err)
	}
	shown, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: it.Version, Title: repository.Text{"en": "Second"}, Via: "desk"})
	if !errors.Is(err, fault.Conflict) {
		t.Fatalf("a save at a stale version: %v, want a conflict", err)
	}
	if shown == nil || shown.Title["en"] != "First" || shown.Version != it.Version+1 {
		t.Errorf("after a conflict the form shows %+v, want the stored item at version %d", shown, it.Version+1)
	}
	if got, _ := st.Item("a1"); got.Title["en"] != "First" {
		t.Errorf("the conflict overwrote the title: %v", got.Title)
	}
}

func TestItemsSaveRefusesAnUnreadableDateAsInvalidAndStoresNothing(t *testing.T) {
	items, st := itemsFixture(t)
	it := itemsAdd(t, st, "a1", "cmu", repository.Public)
	shown, _, err := items.Save(context.Background(), itemsArchivist, "a1", Edit{Version: it.Version, Date: ptr("next tuesday"), Title: repository.Text{"en": "New"}, Via: "API"})
	if !errors.Is(err, fault.Invalid) || ingest.MessageOf(err).Kind == "failed" {
		t.Fatalf("an unreadable date: %v, want invalid with a message a person can read", err)
	}
	if shown == nil || shown.Date != "next tuesday" {
		t.Errorf("the form shows %+v, want the date as typed", shown)
	}
	if got, _ := st.Item("a1"); got.Version != it.Version || got.Title["en"] != it.Title["en"] {
		t.Errorf("a refused save changed the item: version %d, title %v", got.Version, got.Title)
	}
}

func TestItemsSaveReadsABareYearAsTheBuddhistEraAndSaysSo(t *testing.T) {
	items, st := itemsFixture(t)
	it := itemsAdd(t, st, "a1", "cmu", repository.Public)
	saved, note, err := items.Save(context.Background(), itemsArchivist, "a1", Edit{Version: it.Version, Date: ptr(" 2505 "), Via: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Date != "1962" || note == nil {
		t.Errorf("2505 was saved as %q with note %v, want 1962 and a note", saved.Date, note)
	}
	if _, note, err := items.Save(context.Background(), itemsArchivist, "a1", Edit{Version: saved.Version, Date: ptr("1962"), Via: "desk"}); err != nil || note != nil {
		t.Errorf("a Common Era year: note %v, err %v; want none", note, err)
	}
}

func TestItemsSaveFromTheFormKeepsOtherLanguagesAndTheAPIReplacesThem(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	it := &repository.Item{ID: "a1", Institution: "cmu", Type: "Image", Title: repository.Text{"en": "Old", "fr": "Vieux", "none": "scan-001.tif"},
		Access: repository.Access{Level: repository.Public}}
	if err := st.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	saved, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: 1, Title: repository.Text{"th": "ใหม่"}, ThaiEnglish: true, Via: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (repository.Text{"th": "ใหม่", "fr": "Vieux"}); fmt.Sprint(saved.Title) != fmt.Sprint(want) {
		t.Errorf("the form saved the title %v, want %v (French kept, the filename replaced)", saved.Title, want)
	}
	saved, _, err = items.Save(ctx, itemsArchivist, "a1", Edit{Version: saved.Version, Title: repository.Text{"en": "Only"}, Via: "API"})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Title) != 1 || saved.Title["en"] != "Only" {
		t.Errorf("the API saved the title %v, want only what it sent", saved.Title)
	}
}

func TestItemsReorderSortsFilesByTypedPositionsAndKeepsTies(t *testing.T) {
	files := []repository.File{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
	for _, c := range []struct {
		pos  []int
		want string
	}{
		{[]int{4, 3, 2, 1}, "dcba"},
		{[]int{2, 2, 1}, "cabd"},
		{[]int{0, 0, 0, 0}, "abcd"},
		{[]int{5}, "bcda"},
		{nil, "abcd"},
	} {
		got := ""
		for _, f := range reorder(files, c.pos) {
			got += f.Name
		}
		if got != c.want {
			t.Errorf("positions %v: %s, want %s", c.pos, got, c.want)
		}
	}
}

func TestItemsAskAccessBeforeAnyWrite(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "hidden", "tu", repository.Restricted)
	it := itemsAdd(t, st, "open", "cmu", repository.Public)
	writes := map[string]func(p access.Principal, id string) error{
		"save": func(p access.Principal, id string) error {
			_, _, err := items.Save(ctx, p, id, Edit{Version: 1, Title: repository.Text{"en": "Changed"}, Via: "desk"})
			return err
		},
		"restore":  func(p access.Principal, id string) error { return items.Restore(ctx, p, id, 1, 1) },
		"withdraw": func(p access.Principal, id string) error { return items.Withdraw(ctx, p, id, "a reason") },
		"batch": func(p access.Principal, id string) error {
			o, err := items.Batch(ctx, p, "cmu", BatchChange{Field: "access", Access: repository.Restricted}, []BatchItem{{ID: id, Version: 1}})
			if err == nil {
				err = o[0].Err
			}
			return err
		},
	}
	for name, write := range writes {
		if err := write(itemsArchivist, "hidden"); !errors.Is(err, fault.NotFound) {
			t.Errorf("%s of another library's hidden item: %v, want not found", name, err)
		}
		if err := write(itemsReader, "open"); !errors.Is(err, fault.Forbidden) {
			t.Errorf("%s by a reader: %v, want forbidden", name, err)
		}
		if err := write(access.Principal{}, "open"); !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%s by someone not signed in: %v, want sign-in required", name, err)
		}
		if err := write(itemsOtherArch, "open"); !errors.Is(err, fault.Forbidden) {
			t.Errorf("%s by another library's archivist: %v, want forbidden", name, err)
		}
	}
	for id, want := range map[string]int{"hidden": 1, "open": it.Version} {
		if got, _ := st.Item(id); got.Version != want || got.Deleted {
			t.Errorf("refused writes changed item %s: version %d, withdrawn %v", id, got.Version, got.Deleted)
		}
	}
}

func TestItemsWithdrawNeedsAReasonAndIsGoneTheSecondTime(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "a1", "cmu", repository.Public)
	var r *Reason
	if err := items.Withdraw(ctx, itemsArchivist, "a1", "  "); !errors.Is(err, fault.Invalid) || !errors.As(err, &r) || r.Key != "withdraw_reason_needed" {
		t.Fatalf("a withdrawal without a reason: %v, want invalid, withdraw_reason_needed", err)
	}
	if got, _ := st.Item("a1"); got.Deleted {
		t.Fatal("a withdrawal without a reason withdrew the item")
	}
	if err := items.Withdraw(ctx, itemsArchivist, "a1", "duplicate of a2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Item("a1"); !got.Deleted || got.Withdrawal.Reason != "duplicate of a2" || got.Withdrawal.By != itemsArchivist.Email {
		t.Errorf("the withdrawal was recorded as %+v", got.Withdrawal)
	}
	if err := items.Withdraw(ctx, itemsArchivist, "a1", "again"); !errors.Is(err, fault.Gone) {
		t.Errorf("a second withdrawal: %v, want gone", err)
	}
}

func TestItemsPurgeIsForSystemAdministratorsWithConfirmation(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "a1", "cmu", repository.Public)
	if err := items.Withdraw(ctx, itemsArchivist, "a1", "wrong scan"); err != nil {
		t.Fatal(err)
	}
	if _, err := items.Purge(ctx, itemsArchivist, "a1", "a1"); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a purge by an archivist: %v, want forbidden", err)
	}
	if _, err := items.Purge(ctx, itemsSysAdmin, "a1", "a2"); !errors.Is(err, fault.Invalid) {
		t.Errorf("a purge confirmed with another identifier: %v, want invalid", err)
	}
	if _, err := items.Purge(ctx, itemsSysAdmin, "a1", "a1"); err != nil {
		t.Errorf("a confirmed purge: %v", err)
	}
}

func TestItemsRestoreBringsBackAnEarlierDescriptionAsANewVersion(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	it := itemsAdd(t, st, "a1", "cmu", repository.Public)
	saved, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: it.Version, Title: repository.Text{"en": "Wrong"}, Via: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := items.Restore(ctx, itemsArchivist, "a1", it.Version, it.Version); !errors.Is(err, fault.Conflict) {
		t.Errorf("a restore over a stale version: %v, want a conflict", err)
	}
	if err := items.Restore(ctx, itemsArchivist, "a1", 99, saved.Version); !errors.Is(err, fault.NotFound) {
		t.Errorf("a restore of a version that never was: %v, want not found", err)
	}
	if err := items.Restore(ctx, itemsArchivist, "a1", it.Version, saved.Version); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Item("a1"); got.Title["en"] != it.Title["en"] || got.Version != saved.Version+1 {
		t.Errorf("after the restore: title %v at version %d, want %v at %d", got.Title, got.Version, it.Title, saved.Version+1)
	}
}

func ptr(s string) *string { return &s }

func TestItemsChangeWithoutAVersionIsRefusedOnlyOnceAccessIsDecided(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "hidden", "tu", repository.Restricted)
	it := itemsAdd(t, st, "own", "cmu", repository.Public)
	if _, _, err := items.Save(ctx, itemsArchivist, "hidden", Edit{Version: -1, Via: "desk"}); !errors.Is(err, fault.NotFound) {
		t.Errorf("a save without a version of a hidden item: %v, want not found", err)
	}
	if err := items.Restore(ctx, itemsArchivist, "hidden", 1, -1); !errors.Is(err, fault.NotFound) {
		t.Errorf("a restore without a version of a hidden item: %v, want not found", err)
	}
	if _, _, err := items.Save(ctx, itemsArchivist, "own", Edit{Version: -1, Via: "desk"}); !errors.Is(err, fault.Invalid) {
		t.Errorf("a save without a version: %v, want invalid", err)
	}
	if err := items.Restore(ctx, itemsArchivist, "own", 1, -1); !errors.Is(err, fault.Invalid) {
		t.Errorf("a restore without a version: %v, want invalid", err)
	}
	if got, _ := st.Item("own"); got.Version != it.Version {
		t.Errorf("a change without a version saved version %d", got.Version)
	}
}
