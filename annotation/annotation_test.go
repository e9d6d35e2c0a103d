package annotation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
)

const canvas = "http://example.com/iiif/3/manifest/abcdefghjk/canvas/1"

func TestParseKeepsWhatTheArchiveDoesNotSetAndDropsWhatItDoes(t *testing.T) {
	in := `{"@context": ["http://www.w3.org/ns/anno.jsonld"], "type": "Annotation", "id": "http://elsewhere/1", "creator": "me",
	 "motivation": ["tagging", "identifying"], "audience": "public",
	 "body": [{"type": "TextualBody", "value": "วัด", "purpose": "tagging", "language": "th"}],
	 "target": "` + canvas + `#xywh=percent:1.5,2,30,40"}`
	p, err := parse([]byte(in), canvas)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(p.doc)
	if p.audience != "public" || strings.Contains(doc, "elsewhere") || strings.Contains(doc, `"creator"`) || strings.Contains(doc, `"audience"`) ||
		!strings.Contains(doc, `"purpose":"tagging"`) || !strings.Contains(doc, "#xywh=percent:1.5,2,30,40") {
		t.Fatalf("kept %s (audience %s)", doc, p.audience)
	}
	if p, err := parse([]byte(strings.Replace(in, `"audience": "public",`, "", 1)), canvas); err != nil || p.audience != "private" {
		t.Fatalf("without an audience: %v, %v", p, err)
	}
	if _, err := parse([]byte(in+`{}`), canvas); !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "more than one JSON value") {
		t.Fatalf("two values: %v", err)
	}
}

func TestETagsRoundTripAndStrangersNameNoVersion(t *testing.T) {
	for v := 1; v < 1000; v += 37 {
		if got := ParseETag(ETag(v)); got != v {
			t.Fatalf("ETag(%d) reads back as %d", v, got)
		}
	}
	for _, s := range []string{"", `"v0"`, `W/"v1"`, `"v-1"`, `"x1"`, `v1`, `"v1`} {
		if ParseETag(s) != 0 {
			t.Errorf("%q names a version", s)
		}
	}
}

func TestTheLimitAMinuteIsPerAccountAndEndsWithTheMinute(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Service{PerMinute: 2, Now: func() time.Time { return now }}
	for range 2 {
		if err := s.allow("a"); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(20 * time.Second)
	var lim *LimitError
	if err := s.allow("a"); !errors.As(err, &lim) || lim.Wait != 40*time.Second || !errors.Is(err, fault.Busy) {
		t.Fatalf("the third in a minute: %v", err)
	}
	if err := s.allow("b"); err != nil {
		t.Fatalf("another account: %v", err)
	}
	now = now.Add(40 * time.Second)
	if err := s.allow("a"); err != nil {
		t.Fatalf("a minute after the first: %v", err)
	}
}
