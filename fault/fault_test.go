package fault_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
)

func TestKindIsFoundWithErrorsIsThroughWrapping(t *testing.T) {
	cause := errors.New("connection refused")
	err := fmt.Errorf("reading item cmu-1: %w", fault.E("get blob", fault.Unavailable, "records/cmu-1.json", cause))
	if !errors.Is(err, fault.Unavailable) {
		t.Errorf("errors.Is(%v, Unavailable) = false", err)
	}
	if errors.Is(err, fault.NotFound) {
		t.Errorf("errors.Is(%v, NotFound) = true for an outage", err)
	}
	if !errors.Is(err, cause) {
		t.Errorf("the cause is lost from %v", err)
	}
	if k := fault.KindOf(err); k != fault.Unavailable {
		t.Errorf("KindOf = %v, want unavailable", k)
	}
	if r := fault.RecordOf(err); r != "records/cmu-1.json" {
		t.Errorf("RecordOf = %q", r)
	}
}

func TestKindWrappedWithErrorfIsItsKind(t *testing.T) {
	err := fmt.Errorf("region %q: %w", "abc,0,10,10", fault.Invalid)
	if !errors.Is(err, fault.Invalid) || fault.KindOf(err) != fault.Invalid {
		t.Errorf("%v: Is %v, KindOf %v", err, errors.Is(err, fault.Invalid), fault.KindOf(err))
	}
}

func TestOutermostKindDecides(t *testing.T) {
	inner := fault.E("get blob", fault.NotFound, "blobs/x", nil)
	err := fault.E("rebuild", fault.Unavailable, "", inner)
	if k := fault.KindOf(err); k != fault.Unavailable {
		t.Errorf("KindOf = %v, want the outer unavailable", k)
	}
	joined := fmt.Errorf("%w: %w", fault.Busy, inner)
	if k := fault.KindOf(joined); k != fault.Busy {
		t.Errorf("KindOf(%v) = %v, want busy", joined, k)
	}
}

func TestErrorOfNoKindTakesItsCausesKind(t *testing.T) {
	err := fault.E("save item", fault.Other, "cmu-2", fmt.Errorf("title: %w", fault.Invalid))
	if k := fault.KindOf(err); k != fault.Invalid {
		t.Errorf("KindOf = %v, want invalid", k)
	}
	if fault.KindOf(errors.New("plain")) != fault.Other || fault.KindOf(nil) != fault.Other {
		t.Error("an error of no kind has a kind")
	}
	if errors.Is(errors.New("plain"), fault.Other) {
		t.Error("a plain error is Other by errors.Is")
	}
}

func TestMessageSaysOpRecordAndCauseInLowerCase(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fault.E("get item", fault.NotFound, "cmu-3", nil), "get item: cmu-3: not found"},
		{fault.E("put blob", fault.Checksum, "blobs/ab", errors.New("content has 3 bytes, expected 4")), "put blob: blobs/ab: content has 3 bytes, expected 4"},
		{fault.E("search", fault.Busy, "", nil), "search: busy"},
		{fault.Gone, "withdrawn"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
		if got := c.err.Error(); got != strings.ToLower(got) {
			t.Errorf("%q is not lower-case", got)
		}
	}
}

func TestEveryKindHasItsOwnWords(t *testing.T) {
	seen := map[string]fault.Kind{}
	for k := fault.Other; k <= fault.ReadingRoom; k++ {
		s := k.String()
		if s == "" || s != strings.ToLower(s) {
			t.Errorf("kind %d says %q", k, s)
		}
		if o, dup := seen[s]; dup {
			t.Errorf("kinds %d and %d both say %q", o, k, s)
		}
		seen[s] = k
	}
}
