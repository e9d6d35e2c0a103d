package access

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// loopLookup holds two public collections, each inside the other: records
// no store writes, but that a damaged one could hold.
type loopLookup struct{}

func (loopLookup) Collection(id string) (*repository.Collection, error) {
	parent := map[string]string{"a": "b", "b": "a"}[id]
	return &repository.Collection{ID: id, Institution: "cmu", Parent: parent, Access: repository.Access{Level: repository.Public}}, nil
}

func (loopLookup) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id}, nil
}

// Where the collections above an item never end, what they hold is not
// known: the item is closed to everyone but its library, not opened.
func TestAnItemUnderALoopOfCollectionsIsClosed(t *testing.T) {
	r, err := ItemResource(loopLookup{}, &repository.Item{ID: "x", Institution: "cmu", Collection: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if Decide(Principal{}, ReadMetadata, r, time.Now()) == nil {
		t.Errorf("an anonymous visitor may read the item (access %+v)", r.Access)
	}
	if err := Decide(Principal{User: "u", Role: Reader, Institution: "cmu"}, ReadContent, r, time.Now()); err != nil {
		t.Errorf("the library's reader may not: %v", err)
	}
}

// A refusal says in plain words what may not be done, and where.
func TestRefusalsReadAsSentences(t *testing.T) {
	reader := Principal{User: "u", Email: "r@tu.example", Role: Reader, Institution: "tu"}
	for _, c := range []struct {
		p    Principal
		a    Action
		r    Resource
		want string
	}{
		{reader, Edit, LibraryResource("cmu"), "r@tu.example may not edit in library cmu"},
		{reader, Administer, LibraryResource(""), "r@tu.example may not administer the archive"},
		{Principal{}, Upload, LibraryResource("cmu"), "to upload in library cmu, sign in"},
		{reader, ReadContent, Resource{Kind: "item", ID: "x", Institution: "cmu", Access: repository.Access{Level: repository.Restricted}, Reveal: true}, "r@tu.example may not see the full images and files of item x"},
	} {
		err := Decide(c.p, c.a, c.r, time.Now())
		if err == nil || !strings.HasPrefix(err.Error(), c.want+":") {
			t.Errorf("%v: want %q", err, c.want)
		}
	}
}

// orphanLookup holds one public collection whose parent the store does not
// have, and fails every other lookup as an outage would.
type orphanLookup struct{}

func (orphanLookup) Collection(id string) (*repository.Collection, error) {
	switch id {
	case "child":
		return &repository.Collection{ID: id, Institution: "cmu", Parent: "gone", Access: repository.Access{Level: repository.Public}}, nil
	case "gone":
		return nil, fmt.Errorf("collection gone: %w", fault.NotFound)
	}
	return nil, fmt.Errorf("collection %s: %w", id, fault.Unavailable)
}

func (orphanLookup) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id}, nil
}

// A collection above an item that cannot be read is not "no restriction":
// a missing one makes the item not found, an unreadable one unavailable.
func TestAnItemUnderAMissingOrUnreadableCollectionIsNotOpened(t *testing.T) {
	_, err := ItemResource(orphanLookup{}, &repository.Item{ID: "x", Institution: "cmu", Collection: "child", Access: repository.Access{Level: repository.Public}})
	if !errors.Is(err, fault.NotFound) {
		t.Errorf("under a missing collection: %v, want not found", err)
	}
	_, err = ItemResource(orphanLookup{}, &repository.Item{ID: "y", Institution: "cmu", Collection: "down", Access: repository.Access{Level: repository.Public}})
	if !errors.Is(err, fault.Unavailable) {
		t.Errorf("under an unreadable collection: %v, want unavailable", err)
	}
	_, err = CollectionResource(orphanLookup{}, &repository.Collection{ID: "child", Institution: "cmu", Parent: "gone"})
	if !errors.Is(err, fault.NotFound) {
		t.Errorf("a collection under a missing one: %v, want not found", err)
	}
}
