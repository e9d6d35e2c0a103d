package pagemeta

import (
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestDatesAreWrittenAsHighwireAndISOFromTheEDTFStart(t *testing.T) {
	for edtf, want := range map[string][2]string{
		"1932-06-18":  {"1932/06/18", "1932-06-18"},
		"1932-06":     {"1932/06", "1932-06"},
		"1899~":       {"1899", "1899"},
		"1932/1945":   {"1932", "1932"},
		"1957-21":     {"1957", "1957"},
		"1957-06-18?": {"1957/06/18", "1957-06-18"},
		"199X":        {"", ""},
		"../1945":     {"", ""},
		"":            {"", ""},
		"soon":        {"", ""},
	} {
		tags := Record{Name: repository.Text{"en": "x"}, Date: edtf}.Tags()
		var hw, dc string
		for _, tg := range tags {
			switch tg.Name {
			case "citation_date":
				hw = tg.Content
			case "DC.date":
				dc = tg.Content
			}
		}
		if hw != want[0] || dc != want[1] {
			t.Errorf("%q: citation_date %q, DC.date %q; want %q", edtf, hw, dc, want)
		}
	}
}

func TestTheCallNumberIsThePathOfReferenceCodes(t *testing.T) {
	r := Record{Parts: []Part{{Ref: "TH-CU-R7"}, {}, {Ref: "S2"}}, Ref: "7"}
	if got := r.CallNumber(); got != "TH-CU-R7/S2/7" {
		t.Errorf("call number %q", got)
	}
	if got := (Record{Parts: []Part{{}}}).CallNumber(); got != "" {
		t.Errorf("no codes: %q", got)
	}
}

func TestWithoutAnARKThePageIsCited(t *testing.T) {
	r := Record{Page: "https://a.example/items/x", Base: "https://a.example"}
	if r.URL() != r.Page {
		t.Errorf("url %q", r.URL())
	}
	r.ARK = "ark:/99999/c1x"
	if r.URL() != "https://a.example/ark:/99999/c1x" {
		t.Errorf("url %q", r.URL())
	}
	ld, err := r.JSONLD()
	if err != nil || !strings.Contains(string(ld), `"propertyID":"ARK"`) {
		t.Errorf("JSON-LD %s %v", ld, err)
	}
}
