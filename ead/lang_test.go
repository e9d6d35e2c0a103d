package ead

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestTextsCarryTheLanguageTheyAreIn: a title's language is its own lang
// (or an ancestor's), else the finding aid's declared language written in
// its script, else the one language of its script, else "und" with the
// script; never English by default.
func TestTextsCarryTheLanguageTheyAreIn(t *testing.T) {
	const hebrew, ukrainian, thai, english = "ארכיון משפחת רוטשילד", "Листи родини Франків", "จดหมายเหตุคณะราษฎร", "Family papers"
	ead3 := func(decl, title string) string {
		return `<ead xmlns="http://ead3.archivists.org/schema/"><control><recordid>x</recordid>` + decl +
			`</control><archdesc level="fonds"><did>` + title + `</did></archdesc></ead>`
	}
	ead2002 := func(decl, title string) string {
		return `<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid>` + decl +
			`</eadheader><archdesc level="fonds"><did>` + title + `</did></archdesc></ead>`
	}
	const (
		eng3 = `<languagedeclaration><language langcode="eng"/><script scriptcode="Latn"/></languagedeclaration>`
		ukr3 = `<languagedeclaration><language langcode="ukr"/><script scriptcode="Cyrl"/></languagedeclaration>`
		ukr2 = `<profiledesc><langusage><language langcode="ukr">Ukrainian</language> and <language langcode="eng">English</language></langusage></profiledesc>`
	)
	for _, c := range []struct {
		doc  string
		want repository.Text
	}{
		{ead3(eng3, `<unittitle>`+hebrew+`</unittitle>`), repository.Text{"he": hebrew}},
		{ead3(eng3, `<unittitle>`+ukrainian+`</unittitle>`), repository.Text{"und-Cyrl": ukrainian}},
		{ead3(ukr3, `<unittitle>`+ukrainian+`</unittitle>`), repository.Text{"uk": ukrainian}},
		{ead3("", `<unittitle lang="ukr">`+ukrainian+`</unittitle><unittitle lang="heb">`+hebrew+`</unittitle>`), repository.Text{"uk": ukrainian, "he": hebrew}},
		{ead3(eng3, `<unittitle>`+thai+`</unittitle><unittitle>`+english+`</unittitle>`), repository.Text{"th": thai, "en": english}},
		{ead3("", `<unittitle>`+english+`</unittitle>`), repository.Text{"und-Latn": english}},
		{ead3("", `<unittitle lang="und" script="Cyrl">`+ukrainian+`</unittitle>`), repository.Text{"und-Cyrl": ukrainian}},
		{ead2002(ukr2, `<unittitle>`+ukrainian+`</unittitle><unittitle>`+english+`</unittitle>`), repository.Text{"uk": ukrainian, "en": english}},
		{ead2002("", `<unittitle xml:lang="he">`+hebrew+`</unittitle>`), repository.Text{"he": hebrew}},
		{ead2002(`<profiledesc><langusage>Description is in <language>English</language>.</langusage></profiledesc>`, `<unittitle>`+english+`</unittitle>`), repository.Text{"en": english}},
		{strings.Replace(ead2002(ukr2, `<unittitle>`+english+`</unittitle>`), `<archdesc level="fonds">`, `<archdesc level="fonds" xml:lang="ger">`, 1), repository.Text{"de": english}},
	} {
		f, err := Read(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Root.Collection.Title; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: title %v, want %v", c.doc, got, c.want)
		}
	}
}

// TestExportWritesISO6392BCodes: Hebrew, Ukrainian, Thai and English
// titles are written with lang="heb", "ukr", "tha" and "eng", a text of an
// unknown language with its script; and come back in the same languages.
func TestExportWritesISO6392BCodes(t *testing.T) {
	doc := `<ead xmlns="http://ead3.archivists.org/schema/"><control><recordid>x</recordid></control><archdesc level="fonds" id="langs">
	<did><unittitle>ארכיון משפחת רוטשילד</unittitle><unittitle lang="ukr">Листи родини Франків</unittitle><unittitle>จดหมายเหตุ</unittitle>
	<unittitle lang="eng">Papers</unittitle></did><dsc><c id="cyr"><did><unittitle>Листи</unittitle></did></c></dsc></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	if _, _, err := f.Build(ctx, s, "chula", "", "importer"); err != nil {
		t.Fatal(err)
	}
	out := export(t, s, "langs", staff)
	for _, want := range []string{`<unittitle lang="heb">ארכיון משפחת רוטשילד</unittitle>`, `<unittitle lang="ukr">Листи родини Франків</unittitle>`,
		`<unittitle lang="tha">จดหมายเหตุ</unittitle>`, `<unittitle lang="eng">Papers</unittitle>`, `<unittitle lang="und" script="Cyrl">Листи</unittitle>`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the export has no %s:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte(`lang="he"`)) || bytes.Contains(out, []byte(`lang="uk"`)) {
		t.Errorf("the export writes ISO 639-1 codes:\n%s", out)
	}
	xmllint(t, out)
	again, err := Read(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Root.Collection.Title, f.Root.Collection.Title) || !reflect.DeepEqual(again.Root.Children[0].Collection.Title, f.Root.Children[0].Collection.Title) {
		t.Errorf("titles after export and import: %v %v, want %v %v", again.Root.Collection.Title, again.Root.Children[0].Collection.Title,
			f.Root.Collection.Title, f.Root.Children[0].Collection.Title)
	}
}
