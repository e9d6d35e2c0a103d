package harvest

import (
	"slices"
	"strings"
	"testing"
)

func TestAnArchivesSpaceFindingAidIsOneEntryOfItsCollectionsOwnAccessPoints(t *testing.T) {
	e := mapSample(t, "ead", "testdata/ead/aspace-oai-ead.xml", 0)
	if e.Title["en"] != "Test resource 0" || e.Type != "" || e.Date != "2012-06-01/2016-06-01" || !slices.Equal(e.Creators, []string{"Agent, Creator"}) {
		t.Errorf("title %v, type %q, date %q, creators %q", e.Title, e.Type, e.Date, e.Creators)
	}
	if e.Summary["en"] != "abstract note\n\nscope and contents note" {
		t.Errorf("summary %q", e.Summary["en"])
	}
	if len(e.Subjects) != 6 {
		t.Errorf("subjects %v: the archdesc's six, not its components' too", e.Subjects)
	}
}

func TestAnAtoMFindingAidLinksToItsPageWithItsDigitalObjectAsThumbnail(t *testing.T) {
	e := mapSample(t, "ead", "testdata/ead/atom-oai-ead-wlu-u257.xml", 0)
	if e.Link != "http://demo.accesstomemory.org/index.php/faculty-of-social-work-office-of-dean-fonds" || !strings.HasSuffix(e.Thumbnail, "/firstdswgrads.jpg") {
		t.Errorf("link %q, thumbnail %q", e.Link, e.Thumbnail)
	}
	if e.Date != "1968" || !slices.Equal(e.Language, []string{"en"}) || !slices.Equal(e.Creators, []string{"Wilfrid Laurier University. Faculty of Social Work"}) {
		t.Errorf("date %q, languages %v, creators %q", e.Date, e.Language, e.Creators)
	}
}

func TestAnEAD3FindingAidReadsItsStructuredDateNamePartsAndRepresentation(t *testing.T) {
	e := mapSample(t, "ead", "testdata/ead/ncsu-rbc00001.xml", 0)
	if e.Title["en"] != "Charles G. Wright Collection of Big Little Books" || e.Date != "1933/1943" || !slices.Equal(e.Creators, []string{"Wright, Charles G."}) {
		t.Errorf("title %v, date %q, creators %q", e.Title, e.Date, e.Creators)
	}
	if e.Link != "http://www.lib.ncsu.edu/findingaids/rbc00001" || len(e.Subjects) == 0 || e.Subjects[len(e.Subjects)-1]["en"] != "Illustrated children's books" {
		t.Errorf("link %q, subjects %v", e.Link, e.Subjects)
	}
}

func TestAThaiFindingAidKeepsItsTitlesInBothLanguagesAndItsThaiNamesWhole(t *testing.T) {
	e := mapSample(t, "ead", "testdata/ead/thai-cmu-fonds.xml", 0)
	if e.Title["th"] != "เอกสารส่วนบุคคล ศาสตราจารย์สมบูรณ์ ล้านนาวงศ์" || e.Title["en"] != "Papers of Professor Sombun Lannawong" {
		t.Errorf("title %v", e.Title)
	}
	if !slices.Equal(e.Creators, []string{"สมบูรณ์ ล้านนาวงศ์, พ.ศ. 2455-2530"}) || e.Date != "1932/1985" || !slices.Equal(e.Language, []string{"th", "en"}) {
		t.Errorf("creators %q, date %q, languages %v", e.Creators, e.Date, e.Language)
	}
}

func TestMixedContentIsReadInItsOrder(t *testing.T) {
	n := parseNode(t, `<unittitle>The <emph render="italic">Siam</emph> papers, <date>1900</date></unittitle>`)
	if got := n.deepText(); got != "The Siam papers, 1900" {
		t.Fatalf("%q", got)
	}
}
