package desk

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository"
)

// keptEAD is a finding aid whose fonds has a title, a reference code with
// attributes, a second identifier and notes the archive does not model.
const keptEAD = `<ead xmlns="urn:isbn:1-931666-22-9"><archdesc level="fonds"><did>
 <unitid countrycode="TH">CMU-1</unitid><unitid type="old">A-9</unitid>
 <unittitle>Old title</unittitle><abstract>Old summary</abstract></did>
 <acqinfo><p>Given in 1990.</p></acqinfo><scopecontent><p>Letters.</p></scopecontent></archdesc></ead>`

func TestSavingAUnitAtTheDeskWinsOverTheFindingAidsElementsItChangesAndKeepsTheRest(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	f, err := ead.Read(strings.NewReader(keptEAD))
	if err != nil {
		t.Fatal(err)
	}
	r, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: f, Institution: "cmu"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := u.Unit(ctx, unitsCMU, r.Made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The desk's form sends the fields it shows, in a description of its
	// own: a new title and reference code, the same summary and scope
	// (with the line endings a browser sends).
	edit := *stored
	edit.Title = repository.Text{"en": "New title"}
	edit.Summary = repository.Text{"en": "Old summary"}
	edit.Description = &repository.Description{ReferenceCode: "CMU-2", Scope: repository.Text{"en": "Letters.\r\n"}}
	if err := u.Save(ctx, unitsCMU, &edit); err != nil {
		t.Fatal(err)
	}
	tr, err := u.Store.Tree(stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	e := ead.Export{Tree: tr, Principal: unitsCMU, Now: stored.Modified}
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	doc := regexp.MustCompile(`>\s+<`).ReplaceAllString(b.String(), "><")
	for _, want := range []string{`<unittitle lang="eng">New title</unittitle>`, `<unitid countrycode="TH">CMU-2</unitid>`, `<unitid localtype="old">A-9</unitid>`,
		`<abstract>Old summary</abstract>`, `<acqinfo><p>Given in 1990.</p></acqinfo>`, `<scopecontent><p>Letters.</p></scopecontent>`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export after the edit lacks %s:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "Old title") || strings.Contains(doc, "CMU-1") {
		t.Errorf("the finding aid's title or code won over the edit:\n%s", doc)
	}
}
