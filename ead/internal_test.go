package ead

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository/bolt"
)

const internalDoc = `<ead><eadheader><profiledesc><langusage><language langcode="eng"/></langusage></profiledesc></eadheader><archdesc level="fonds" id="fonds-x"><did><unittitle>Public title</unittitle><unittitle audience="internal">Staff title</unittitle></did>
 <scopecontent><p>Letters <emph audience="internal">from the bank</emph> of the office.</p></scopecontent>
 <odd audience="internal"><p>Ask the donor first.</p></odd>
 <dsc><c01 level="series" id="series-x" audience="internal"><did><unittitle>Staff series</unittitle></did></c01></dsc></archdesc></ead>`

// TestInternalTextsAreKeptApartFromThePublicOnes: an internal title, note
// and part of a note are kept as internal texts, not in the unit's public
// fields; an internal component is an internal unit; all of it comes back
// after a rebuild of the store, and the export writes it only for the
// library's staff who ask for it.
func TestInternalTextsAreKeptApartFromThePublicOnes(t *testing.T) {
	f, err := Read(strings.NewReader(internalDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Root.Collection
	if c.Title.Get("en") != "Public title" || c.Description.Scope.Get("en") != "Letters of the office." || !c.Description.Notes.Empty() {
		t.Errorf("public fields hold internal text: title %v, scope %v, notes %v", c.Title, c.Description.Scope, c.Description.Notes)
	}
	var kept []string
	for _, a := range c.Description.Internal {
		kept = append(kept, a.Within+"/"+a.Element+": "+a.Text.Get("en"))
	}
	if got := strings.Join(kept, "; "); got != "/unittitle: Staff title; scopecontent/emph: from the bank; /odd: Ask the donor first." {
		t.Errorf("internal texts: %s", got)
	}
	if !f.Root.Children[0].Collection.Access.Internal || f.Root.Collection.Access.Internal {
		t.Error("the internal component is not an internal unit, or its fonds is")
	}
	s, blobs := newStore(t)
	if _, _, err := f.Build(ctx, s, "chula", "", "importer"); err != nil {
		t.Fatal(err)
	}
	write := func(s *bolt.Store, p access.Principal, internal bool) string {
		tr, err := s.Tree("fonds-x")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		e := Export{Tree: tr, Principal: p, Now: exportTime, Internal: internal}
		if err := e.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	secrets := []string{"Staff title", "from the bank", "Ask the donor first.", "Staff series"}
	other := access.Principal{User: "u2", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}
	for _, c := range []struct {
		who      access.Principal
		internal bool
	}{{access.Principal{}, true}, {other, true}, {staff, false}} {
		doc := write(s, c.who, c.internal)
		for _, w := range secrets {
			if strings.Contains(doc, w) {
				t.Errorf("%s (asking for internal texts: %v) reads %q", c.who.Email, c.internal, w)
			}
		}
	}
	s.Close()
	path := filepath.Join(t.TempDir(), "rebuilt.db")
	if _, err := bolt.Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	doc := write(rebuilt, staff, true)
	for _, w := range append(secrets, `<odd audience="internal" lang="eng">`, `<c level="series" id="unit-series-x" audience="internal">`) {
		if !strings.Contains(doc, w) {
			t.Errorf("the staff's export after a rebuild lacks %q:\n%s", w, doc)
		}
	}
	xmllint(t, []byte(doc))
}
