package web

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/ingest"
)

const undatedEAD = `<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds" id="zq-fonds"><did><unittitle>Zqundated papers</unittitle>
<unitdate normal="2501/2510">พ.ศ. 2501–2510</unitdate></did>
<dsc><c level="series" id="zq-undated"><did><unittitle>Zqundated series</unittitle><unitdate>ไม่ปรากฏปี</unitdate></did></c></dsc></archdesc></ead>`

// TestEADImportReportSaysWhatItMadeOfDatesInThePagesLanguage: the desk's
// report of an import says, in Thai or English, which unit's date was kept
// as text and which unit's Buddhist Era words disagree with its normal
// form; the text date is shown on the public unit page and stays when the
// unit is edited at the desk without typing a date.
func TestEADImportReportSaysWhatItMadeOfDatesInThePagesLanguage(t *testing.T) {
	e := newDeskEnv(t)
	st, page := e.postImport(t, "th", undatedEAD, nil)
	if st != http.StatusOK {
		t.Fatalf("import: %d %.500s", st, page)
	}
	for _, want := range []string{
		`หน่วย zq-undated: อ่าน "ไม่ปรากฏปี" เป็นวันที่ไม่ได้ จึงเก็บไว้เป็นข้อความ`,
		`หน่วย zq-fonds: วันที่ที่เขียนว่า "พ.ศ. 2501–2510" อ่านเป็นพุทธศักราชได้ 1958/1967 (คริสต์ศักราช) แต่รูปแบบมาตรฐาน (normal) ระบุ 2501/2510: เก็บ 2501/2510 ไว้`,
	} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the Thai report does not say %q: %.3000s", want, page)
		}
	}
	// Again in English, into another fonds (the identifiers are taken now).
	st, page = e.postImport(t, "en", undatedEAD, nil)
	if st != http.StatusOK {
		t.Fatalf("import: %d %.500s", st, page)
	}
	if !regexp.MustCompile(`unit [a-z0-9-]+: date "ไม่ปรากฏปี" could not be read as a date; kept as text`).MatchString(html.UnescapeString(page)) {
		t.Errorf("the English report does not say the date was kept as text: %.3000s", page)
	}

	resp, err := e.client.Get(e.base + "/fonds/zq-fonds?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	aid, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(aid), `<span class="aid-date">ไม่ปรากฏปี</span>`) {
		t.Errorf("the unit page does not show the date kept as text: %d %.3000s", resp.StatusCode, aid)
	}

	col, err := e.store.Collection("zq-undated")
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.post(t, "/desk/units/zq-undated", url.Values{"csrf": {e.csrf}, "version": {strconv.Itoa(col.Version)}, "level": {"series"},
		"title_en": {"Zqundated series, renamed"}, "access": {"public"}})
	if code >= 400 {
		t.Fatalf("edit: %d %.500s", code, body)
	}
	if col, err = e.store.Collection("zq-undated"); err != nil || col.Title["en"] != "Zqundated series, renamed" || col.Description == nil || col.Description.DateText != "ไม่ปรากฏปี" {
		t.Fatalf("after an edit without a date: %v %+v %+v", err, col, col.Description)
	}
}

// TestEveryEADNoteIsInBothLanguages: every kind of note an EAD import
// gives has a sentence in Thai and in English, using only the arguments
// the kind has.
func TestEveryEADNoteIsInBothLanguages(t *testing.T) {
	thai := regexp.MustCompile(`[\x{0E00}-\x{0E7F}]`)
	kinds := ead.NoteKinds()
	if len(kinds) == 0 {
		t.Fatal("no kinds of note")
	}
	for _, k := range kinds {
		m, ok := messages["ead_note_"+k]
		if !ok || !thai.MatchString(m[0]) || m[1] == "" {
			t.Errorf("note %q has no sentence in Thai and English (messages[%q])", k, "ead_note_"+k)
			continue
		}
		most := slicesMax(ingest.Placeholders(ead.NoteEnglish(k)))
		for i, s := range m {
			if n := slicesMax(ingest.Placeholders(s)); n > most {
				t.Errorf("messages[%q][%d] uses {%d}, which note %q does not give", "ead_note_"+k, i, n, k)
			}
		}
	}
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
