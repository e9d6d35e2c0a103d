package desk

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

func TestItemsParseFilterRefusesWhatIsNoFilter(t *testing.T) {
	for _, q := range []map[string]string{{"level": "secret"}, {"problem": "typos"}, {"days": "0"}, {"days": "week"}} {
		if _, err := ParseFilter(func(k string) string { return q[k] }); !errors.Is(err, fault.Invalid) {
			t.Errorf("filter %v: %v, want invalid", q, err)
		}
	}
	q := map[string]string{"level": repository.Public, "problem": "nodate", "days": "7", "collection": "c1", "type": "Image"}
	f, err := ParseFilter(func(k string) string { return q[k] })
	if err != nil || f != (Filter{Collection: "c1", Type: "Image", Level: repository.Public, Problem: "nodate", Days: 7}) {
		t.Errorf("filter %v read as %+v, %v", q, f, err)
	}
}

func TestItemsListPagesTheLibraryAndFindsProblems(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	for i := range ListPage + 5 {
		itemsAdd(t, st, fmt.Sprintf("c%03d", i), "cmu", repository.Public)
	}
	itemsAdd(t, st, "t001", "tu", repository.Public)
	seen := map[string]bool{}
	pages, after := 0, ""
	for {
		l, err := items.List(ctx, itemsArchivist, "cmu", Filter{}, after)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(l.Rows) > ListPage {
			t.Fatalf("a page of %d rows, at most %d", len(l.Rows), ListPage)
		}
		for _, r := range l.Rows {
			seen[r.ID] = true
		}
		if l.Next == "" {
			break
		}
		after = l.Next
	}
	if pages != 2 || len(seen) != ListPage+5 || seen["t001"] {
		t.Errorf("%d pages listed %d items (another library's: %v), want 2 pages of the library's %d", pages, len(seen), seen["t001"], ListPage+5)
	}
	l, err := items.List(ctx, itemsArchivist, "cmu", Filter{Problem: "nodate"}, "c049")
	if err != nil || len(l.Rows) != 5 || !l.Rows[0].NoDate || l.Next != "" {
		t.Errorf("items without a date after c049: %+v, %v; want the last 5 and no next page", l, err)
	}
	if l, err := items.List(ctx, itemsArchivist, "cmu", Filter{Problem: "norights", Level: repository.Restricted}, ""); err != nil || len(l.Rows) != 0 {
		t.Errorf("restricted items without rights: %+v, %v; want none", l, err)
	}
	if _, err := items.List(ctx, itemsOtherArch, "cmu", Filter{}, ""); !errors.Is(err, fault.Forbidden) {
		t.Errorf("another library's archivist lists the library: %v, want forbidden", err)
	}
}

func TestItemsBatchReportsEachItemAndRefusesABadChangeBeforeAny(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	fresh := itemsAdd(t, st, "a1", "cmu", repository.Public)
	stale := itemsAdd(t, st, "a2", "cmu", repository.Public)
	if _, _, err := items.Save(ctx, itemsArchivist, "a2", Edit{Version: stale.Version, Title: repository.Text{"en": "Changed meanwhile"}, Via: "desk"}); err != nil {
		t.Fatal(err)
	}
	same := itemsAdd(t, st, "a3", "cmu", repository.Restricted)
	itemsAdd(t, st, "a4", "cmu", repository.Public)
	if err := items.Withdraw(ctx, itemsArchivist, "a4", "duplicate"); err != nil {
		t.Fatal(err)
	}
	itemsAdd(t, st, "h1", "tu", repository.Restricted)
	batch := []BatchItem{{"a1", fresh.Version}, {"a2", stale.Version}, {"a3", same.Version}, {"a4", 2}, {"a5", 1}, {"h1", 1}, {"a1", 0}}
	var r *Reason
	for _, bad := range []BatchChange{{Field: "title"}, {Field: "access", Access: "secret"}, {Field: "rights", Rights: "all mine"},
		{Field: "subject"}, {Field: "collection", Collection: "nowhere"}} {
		if _, err := items.Batch(ctx, itemsArchivist, "cmu", bad, batch); !errors.Is(err, fault.Invalid) || !errors.As(err, &r) {
			t.Errorf("batch change %+v: %v, want invalid with words", bad, err)
		}
	}
	if _, err := items.Batch(ctx, itemsArchivist, "cmu", BatchChange{Field: "access", Access: repository.Restricted}, nil); !errors.As(err, &r) || r.Key != "batch_none" {
		t.Errorf("a batch of no items: %v, want batch_none", err)
	}
	if got, _ := st.Item("a1"); got.Version != fresh.Version {
		t.Fatal("a refused batch changed an item")
	}
	out, err := items.Batch(ctx, itemsArchivist, "cmu", BatchChange{Field: "access", Access: repository.Restricted}, batch)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]error{"a2": fault.Conflict, "a4": fault.Gone, "a5": fault.NotFound, "h1": fault.NotFound}
	for i, o := range out {
		switch {
		case i == 6:
			if !errors.As(o.Err, &r) || r.Key != "batch_no_version" {
				t.Errorf("an item without a version: %+v, want batch_no_version", o)
			}
		case o.Item == "a1":
			if o.Status != ingest.Described || o.Err != nil || len(o.Changes) != 1 || o.Changes[0].New != repository.Restricted {
				t.Errorf("a1: %+v, want described", o)
			}
		case o.Item == "a3":
			if o.Status != ingest.Unchanged || o.Err != nil {
				t.Errorf("a3, already restricted: %+v, want unchanged", o)
			}
		default:
			if !errors.Is(o.Err, kinds[o.Item]) || o.Status != "" {
				t.Errorf("%s: %+v, want %v", o.Item, o, kinds[o.Item])
			}
			if o.Item == "h1" && o.Title != nil {
				t.Errorf("another library's hidden item's title was reported: %v", o.Title)
			}
		}
	}
	if got, _ := st.Item("a2"); got.Title["en"] != "Changed meanwhile" || got.Access.Level != repository.Public {
		t.Errorf("the batch overwrote an item changed meanwhile: %+v", got)
	}
}
