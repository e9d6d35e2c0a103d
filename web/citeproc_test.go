package web

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/cite"
	"github.com/thaiarchives/archive/repository"
)

// renderScript renders CSL-JSON items as the item page does: the bundled
// citeproc-js (static/vendor/citeproc.js) through static/cite.js's
// renderCitation, with the CSL files the page fetches.
const renderScript = `
const fs = require("fs"), vm = require("vm"), path = require("path");
const web = process.argv[2];
vm.runInThisContext(fs.readFileSync(path.join(web, "static/vendor/citeproc.js"), "utf8"));
const { renderCitation } = require(path.join(web, "static/cite.js"));
const csl = f => fs.readFileSync(path.join(web, "static/csl", f), "utf8");
const locales = { "en-US": csl("locales-en-US.xml"), "th-TH": csl("locales-th-TH.xml") };
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(c => renderCitation(CSL, c.item, csl(c.style + ".csl"), locales, c.lang))));
`

// renderCitations runs node on each case: an item, a style and a language.
func renderCitations(t *testing.T, cases []map[string]any) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node, which builds the front end, renders the citations here too: %v", err)
	}
	if _, err := os.Stat("static/vendor/citeproc.js"); err != nil {
		t.Fatalf("the front-end bundle is not built (npm run build --prefix web/ui): %v", err)
	}
	script := filepath.Join(t.TempDir(), "render.js")
	if err := os.WriteFile(script, []byte(renderScript), 0o644); err != nil {
		t.Fatal(err)
	}
	web, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, web)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("node answered %q: %v", out, err)
	}
	return got
}

// Two records as the archive holds them: a Thai letter in a fonds of
// Thammasat's, with an ARK, and an English photograph of Chulalongkorn's
// dated circa 1932.
var (
	thaiLetter = &cite.Source{ID: "letter-1", ARK: "ark:/99999/b1letter1q", Type: "Text",
		Title:    repository.Text{"th": "จดหมายถึงคณะราษฎร", "en": "Letter to the People's Party"},
		Creator:  repository.Text{"th": "ปรีดี พนมยงค์", "en": "Banomyong, Pridi"},
		Date:     "1934-06-18",
		Language: []string{"th"},
		Library:  repository.Text{"th": "มหาวิทยาลัยธรรมศาสตร์", "en": "Thammasat University"},
		Path: []*repository.Collection{{ID: "tu-pridi", Title: repository.Text{"th": "เอกสารปรีดี พนมยงค์", "en": "Pridi Banomyong Papers"},
			Description: &repository.Description{ReferenceCode: "TU-PB"}}}}
	pridiFonds = &cite.Source{ID: "tu-pridi", Unit: true,
		Title:   repository.Text{"th": "เอกสารปรีดี พนมยงค์", "en": "Pridi Banomyong Papers"},
		Creator: repository.Text{"th": "ปรีดี พนมยงค์", "en": "Banomyong, Pridi"},
		Date:    "1932/1983",
		Library: repository.Text{"th": "มหาวิทยาลัยธรรมศาสตร์", "en": "Thammasat University"},
		Ref:     "TU-PB"}
	octoberLetter = &cite.Source{ID: "letter-2", Type: "Text", Title: repository.Text{"th": "จดหมายถึงคณะราษฎร"}, Date: "1932-10-01",
		Library: repository.Text{"th": "มหาวิทยาลัยธรรมศาสตร์"}}
	englishPhoto = &cite.Source{ID: "photo-1", Type: "Image",
		Title:    repository.Text{"en": "The Grand Palace from the river"},
		Creator:  repository.Text{"en": "Smith, John"},
		Date:     "1932~",
		Language: []string{"en"},
		Library:  repository.Text{"th": "หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย", "en": "Chulalongkorn University Archives"},
		Path: []*repository.Collection{{ID: "cu-rs", Title: repository.Text{"en": "Royal Survey Papers"}, Description: &repository.Description{ReferenceCode: "CU-RS"}},
			{ID: "cu-rs-2", Title: repository.Text{"en": "Photographs"}, Description: &repository.Description{ReferenceCode: "2"}}}}
)

func TestEachCitationStyleRendersThaiAndEnglishItemsAsExpected(t *testing.T) {
	const base = "https://archive.example"
	cases := []struct {
		src         *cite.Source
		style, lang string
		want        string
	}{
		// The Thai letter for Thai readers: its Thai title, the name whole in
		// Thai order, the year in the Buddhist Era.
		{thaiLetter, "chicago-author-date", "th",
			"ปรีดี พนมยงค์. 2477. “จดหมายถึงคณะราษฎร”, มิถุนายน 18. มหาวิทยาลัยธรรมศาสตร์, เอกสารปรีดี พนมยงค์, TU-PB. https://archive.example/ark:/99999/b1letter1q."},
		{thaiLetter, "apa", "th",
			"ปรีดี พนมยงค์. (2477). จดหมายถึงคณะราษฎร (เอกสารปรีดี พนมยงค์, TU-PB). มหาวิทยาลัยธรรมศาสตร์. https://archive.example/ark:/99999/b1letter1q"},
		{thaiLetter, "thai-thesis", "th",
			"ปรีดี พนมยงค์. (2477). จดหมายถึงคณะราษฎร. เอกสารปรีดี พนมยงค์, TU-PB. มหาวิทยาลัยธรรมศาสตร์. สืบค้นจาก https://archive.example/ark:/99999/b1letter1q"},
		// The same letter for English readers: its English title, the name
		// as catalogued family first, the year in the Common Era.
		{thaiLetter, "chicago-author-date", "en",
			"Banomyong, Pridi. 1934. “Letter to the People’s Party,” June 18. Thammasat University, Pridi Banomyong Papers, TU-PB. https://archive.example/ark:/99999/b1letter1q."},
		{thaiLetter, "apa", "en",
			"Banomyong, P. (1934). Letter to the People’s Party (Pridi Banomyong Papers, TU-PB). Thammasat University. https://archive.example/ark:/99999/b1letter1q"},
		{thaiLetter, "thai-thesis", "en",
			"Banomyong, P. (1934). Letter to the People’s Party. Pridi Banomyong Papers, TU-PB. Thammasat University. Retrieved from https://archive.example/ark:/99999/b1letter1q"},
		// The English photograph, circa 1932, without an ARK: its page.
		{englishPhoto, "chicago-author-date", "en",
			"Smith, John. [1932?]. The Grand Palace from the River. Chulalongkorn University Archives, Royal Survey Papers, Photographs, CU-RS/2. https://archive.example/items/photo-1."},
		{englishPhoto, "apa", "en",
			"Smith, J. (ca. 1932). The Grand Palace from the river (Royal Survey Papers, Photographs, CU-RS/2) [Graphic]. Chulalongkorn University Archives. https://archive.example/items/photo-1"},
		{englishPhoto, "thai-thesis", "en",
			"Smith, J. (ca. 1932). The Grand Palace from the river. Royal Survey Papers, Photographs, CU-RS/2. Chulalongkorn University Archives. Retrieved from https://archive.example/items/photo-1"},
		// ... and for Thai readers: the library's Thai name, ประมาณ 2475.
		{englishPhoto, "chicago-author-date", "th",
			"Smith, John. [2475?]. The Grand Palace from the River. หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย, Royal Survey Papers, Photographs, CU-RS/2. https://archive.example/items/photo-1."},
		{englishPhoto, "apa", "th",
			"Smith, J. (ประมาณ 2475). The Grand Palace from the river (Royal Survey Papers, Photographs, CU-RS/2). หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย. https://archive.example/items/photo-1"},
		{englishPhoto, "thai-thesis", "th",
			"Smith, J. (ประมาณ 2475). The Grand Palace from the river. Royal Survey Papers, Photographs, CU-RS/2. หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย. สืบค้นจาก https://archive.example/items/photo-1"},
		// October in Thai (the locale as published misspelt it). An item in
		// no unit has no place in the archive, and Chicago names the archive
		// of an item online only with one.
		{octoberLetter, "chicago-author-date", "th",
			"“จดหมายถึงคณะราษฎร”. 2475, ตุลาคม 1. https://archive.example/items/letter-2."},
		// A fonds: an archival collection, its years a range.
		{pridiFonds, "thai-thesis", "th",
			"ปรีดี พนมยงค์. (2475–2526). เอกสารปรีดี พนมยงค์ [เอกสารจดหมายเหตุ]. TU-PB. มหาวิทยาลัยธรรมศาสตร์. สืบค้นจาก https://archive.example/fonds/tu-pridi"},
		{pridiFonds, "thai-thesis", "en",
			"Banomyong, P. (1932–1983). Pridi Banomyong Papers [archival collection]. TU-PB. Thammasat University. Retrieved from https://archive.example/fonds/tu-pridi"},
		{pridiFonds, "chicago-author-date", "en",
			"Banomyong, Pridi. 1932–1983. “Pridi Banomyong Papers.” TU-PB, Thammasat University. https://archive.example/fonds/tu-pridi."},
		{pridiFonds, "apa", "en",
			"Banomyong, P. (1932–1983). Pridi Banomyong Papers (TU-PB) [Archival collection]. Thammasat University. https://archive.example/fonds/tu-pridi"},
	}
	in := make([]map[string]any, len(cases))
	for i, c := range cases {
		in[i] = map[string]any{"item": c.src.CSL(c.lang, base), "style": c.style, "lang": c.lang}
	}
	for i, got := range renderCitations(t, in) {
		if c := cases[i]; got != c.want {
			t.Errorf("%s in %s (%s):\n got %s\nwant %s", c.src.ID, c.style, c.lang, got, c.want)
		}
	}
}
