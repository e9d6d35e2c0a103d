package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// addBook ingests a public item of cmu with pages pages, their pictures
// from seed on, and returns it.
func (e *annoEnv) addBook(t testing.TB, title string, pages, seed int) string {
	t.Helper()
	var in []ingest.Input
	for i := range pages {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("p%d.jpg", i))
		os.WriteFile(path, picture(seed+i), 0o644)
		in = append(in, ingest.Input{Path: path, Name: fmt.Sprintf("p%d.jpg", i)})
	}
	outs := ingest.New(ingest.Config{Store: e.store, Blobs: e.blobs}).Ingest(context.Background(), ingest.Unit{Files: in,
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": title}, Access: repository.Access{Level: repository.Public}}})
	if outs[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v", outs[0])
	}
	return outs[0].Item
}

// noteOn is an annotation of canvas n of item with motivation, a body of
// format (text/plain or text/html) in language, for audience.
func noteOn(item string, n int, audience, motivation, format, language, text string) string {
	return fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": %q, "audience": %q,
 "body": {"type": "TextualBody", "value": %q, "language": %q, "format": %q},
 "target": "http://example.com/iiif/3/manifest/%s/canvas/%d#xywh=1,2,30,40"}`, motivation, audience, text, language, format, item, n)
}

func (e *annoEnv) postOn(t testing.TB, tok, item string, n int, body string) {
	t.Helper()
	if w := e.do(tok, "POST", fmt.Sprintf("/annotations/%s/%d/", item, n), body); w.Code != http.StatusCreated {
		t.Fatalf("post to canvas %d: %d %s", n, w.Code, w.Body)
	}
}

// teiDoc is what the test reads of a TEI export.
type teiDoc struct {
	XMLName xml.Name `xml:"http://www.tei-c.org/ns/1.0 TEI"`
	Title   string   `xml:"teiHeader>fileDesc>titleStmt>title"`
	Source  struct {
		Org string `xml:"orgName"`
		Ptr struct {
			Target string `xml:"target,attr"`
		} `xml:"ptr"`
	} `xml:"teiHeader>fileDesc>sourceDesc>bibl"`
	Body struct {
		Items []struct {
			XMLName xml.Name
			N       string `xml:"n,attr"`
			Facs    string `xml:"facs,attr"`
			Type    string `xml:"type,attr"`
			Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Text    string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"text>body"`
}

// TestAnnotationExportsShowWhatTheAskerMayReadInEachFormat: anonymous
// visitors get the public annotations only, the author their private ones
// too, outsiders of a restricted item 404; the text puts transcriptions
// first; the TEI is well-formed with one <pb/> per canvas.
func TestAnnotationExportsShowWhatTheAskerMayReadInEachFormat(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	book := e.addBook(t, `Palm leaves & "law" <3>`, 3, 5)
	e.postOn(t, e.reader, book, 1, noteOn(book, 1, "private", "commenting", "text/plain", "th", "ส่วนตัว"))
	e.postOn(t, e.reader, book, 2, noteOn(book, 2, "public", "commenting", "text/plain", "en", "a public remark"))
	e.postOn(t, e.cmuArchivst, book, 2, noteOn(book, 2, "public", "transcribing", "text/html", "th", "<p>บรรทัด <b>แรก</b> &amp; ที่ &lt;สอง&gt;</p>"))
	e.postOn(t, e.other, book, 3, noteOn(book, 3, "public", "tagging", "text/plain", "th", "วัด"))
	for _, f := range []string{"iiif", "text", "tei"} {
		path := "/annotations/" + book + "/export?format=" + f
		anon := e.do("", "GET", path, "")
		if anon.Code != 200 || strings.Contains(anon.Body.String(), "ส่วนตัว") || !strings.Contains(anon.Body.String(), "a public remark") ||
			!strings.HasPrefix(anon.Header().Get("Cache-Control"), "public") ||
			!strings.HasPrefix(anon.Header().Get("Content-Disposition"), "attachment; filename="+book+"-annotations.") {
			t.Fatalf("%s to an anonymous visitor: %d %v %s", f, anon.Code, anon.Header(), anon.Body)
		}
		if w := e.do(e.other, "GET", path, ""); strings.Contains(w.Body.String(), "ส่วนตัว") {
			t.Fatalf("%s to another reader holds a private annotation: %s", f, w.Body)
		}
		if w := e.do(e.reader, "GET", path, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "ส่วนตัว") || w.Header().Get("Cache-Control") != "private, no-store" {
			t.Fatalf("%s to the author: %d %v %s", f, w.Code, w.Header(), w.Body)
		}
	}

	text := e.do("", "GET", "/annotations/"+book+"/export?format=text", "").Body.String()
	tr, remark := strings.Index(text, "บรรทัด แรก & ที่ <สอง>"), strings.Index(text, "(commenting) a public remark")
	if !strings.HasPrefix(text, "[1]\n") || !strings.Contains(text, "\n[2]\n") || tr < 0 || remark < tr || !strings.Contains(text, "(tagging) วัด") ||
		strings.Contains(text, "<b>") {
		t.Fatalf("text export, transcriptions first, HTML stripped:\n%s", text)
	}

	var coll struct {
		Type  string `json:"type"`
		Total int    `json:"total"`
		Items []struct {
			ID, Type string
			Items    []map[string]any
		} `json:"items"`
	}
	if err := json.Unmarshal(e.do("", "GET", "/annotations/"+book+"/export?format=iiif", "").Body.Bytes(), &coll); err != nil {
		t.Fatal(err)
	}
	if coll.Type != "AnnotationCollection" || coll.Total != 3 || len(coll.Items) != 2 || coll.Items[0].Type != "AnnotationPage" ||
		coll.Items[0].ID != "http://example.com/annotations/"+book+"/2/" || len(coll.Items[0].Items) != 2 ||
		coll.Items[1].Items[0]["target"] != "http://example.com/iiif/3/manifest/"+book+"/canvas/3#xywh=1,2,30,40" {
		t.Fatalf("IIIF export: %+v", coll)
	}

	body := e.do("", "GET", "/annotations/"+book+"/export?format=tei", "").Body.Bytes()
	var tei teiDoc
	if err := xml.Unmarshal(body, &tei); err != nil {
		t.Fatalf("TEI is not well-formed XML: %v\n%s", err, body)
	}
	var pbs []string
	for _, el := range tei.Body.Items {
		switch el.XMLName.Local {
		case "pb":
			pbs = append(pbs, el.N+" "+el.Facs)
		case "ab":
			if el.Type != "transcribing" || el.Lang != "th" || el.Text != "บรรทัด แรก & ที่ <สอง>" || len(pbs) != 2 {
				t.Errorf("transcription: %+v after %d pb", el, len(pbs))
			}
		case "note":
			if el.Type == "commenting" && (el.Lang != "en" || len(pbs) != 2) || el.Type == "tagging" && (el.Text != "วัด" || len(pbs) != 3) {
				t.Errorf("note: %+v after %d pb", el, len(pbs))
			}
		}
	}
	canvas := "http://example.com/iiif/3/manifest/" + book + "/canvas/"
	if tei.XMLName.Space != "http://www.tei-c.org/ns/1.0" || tei.Title != `Palm leaves & "law" <3>` || tei.Source.Org == "" ||
		tei.Source.Ptr.Target != "http://example.com/items/"+book || strings.Join(pbs, ",") != "1 "+canvas+"1,2 "+canvas+"2,3 "+canvas+"3" {
		t.Fatalf("TEI: %+v pb %v\n%s", tei, pbs, body)
	}
	xmllintWellFormed(t, body)

	// A restricted item's export is as hidden as the item.
	e.post(t, e.cmuArchivst, e.closed, note(e.closed, "public", "จดหมาย"))
	for _, f := range []string{"iiif", "text", "tei"} {
		for _, who := range []string{"", e.reader} {
			if w := e.do(who, "GET", "/annotations/"+e.closed+"/export?format="+f, ""); w.Code != 404 || strings.Contains(w.Body.String(), "จดหมาย") {
				t.Fatalf("%s of a restricted item to an outsider: %d %s", f, w.Code, w.Body)
			}
		}
		if w := e.do(e.other, "GET", "/annotations/"+e.closed+"/export?format="+f, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "จดหมาย") ||
			w.Header().Get("Cache-Control") != "private, no-store" {
			t.Fatalf("%s of a restricted item to its library's reader: %d %v", f, w.Code, w.Header())
		}
	}
	for p, want := range map[string]string{"/annotations/" + book + "/export": "GET, HEAD, OPTIONS", "/annotations/" + book + "/import": "OPTIONS, POST"} {
		if w := e.do("", "OPTIONS", p, ""); w.Header().Get("Allow") != want {
			t.Errorf("OPTIONS %s: Allow %q, want %q", p, w.Header().Get("Allow"), want)
		}
	}
	if w := e.do("", "GET", "/annotations/"+book+"/export?format=pdf", ""); w.Code != 400 || !strings.Contains(w.Body.String(), `no export format "pdf"`) {
		t.Fatalf("an unknown format: %d %s", w.Code, w.Body)
	}
}

// xmllintWellFormed has xmllint read doc, where it is installed.
func xmllintWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("xmllint (Debian libxml2-utils) is required")
		}
		return
	}
	path := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", path).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}
