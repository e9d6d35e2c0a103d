package access

import (
	"strings"
	"testing"
	"time"

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
