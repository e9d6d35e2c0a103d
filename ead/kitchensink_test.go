package ead

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// kitchenSink is the Archivists' Toolkit's "kitchen sink" EAD 2002 export
// (see testdata/official/README.md).
func kitchenSink(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile("testdata/real/ead3-team-kitchen-sink-at.xml")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// keptOfTree lists each unit's kept elements, as JSON, units in reading
// order and their elements sorted (EAD3 gives the elements of <did> and
// the notes beside it no order, and the export writes them grouped).
func keptOfTree(t *testing.T, s interface {
	Tree(string) (*repository.Tree, error)
}, root string) []string {
	t.Helper()
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	tr.Walk(func(n *repository.Node) bool {
		var kept []string
		if n.Description != nil {
			for _, m := range n.Description.Kept {
				b, _ := json.Marshal(m)
				kept = append(kept, string(b))
			}
		}
		slices.Sort(kept)
		out = append(out, strings.Join(kept, "\n"))
		return true
	})
	return out
}

func TestArchivistsToolkitKitchenSinkKeepsEveryDescriptionElementAndExportsValidEAD3ThatImportsTheSame(t *testing.T) {
	doc := kitchenSink(t)
	f, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	// Every description element of the source is kept, under its EAD3
	// name: the three <accessrestrict> that held only a <legalstatus>
	// became that <legalstatus>, EAD3's place for it.
	for _, name := range []string{"abstract", "accruals", "acqinfo", "altformavail", "appraisal", "arrangement", "bibliography", "bibref",
		"bioghist", "blockquote", "chronitem", "chronlist", "custodhist", "dao", "defitem", "emph", "event", "fileplan", "head", "index",
		"indexentry", "langmaterial", "legalstatus", "list", "materialspec", "odd", "originalsloc", "otherfindaid", "physdesc", "physloc",
		"phystech", "prefercite", "processinfo", "relatedmaterial", "repository", "scopecontent", "separatedmaterial", "unitid", "unittitle",
		"userestrict"} {
		if f.Kept[name] != f.Read[name] {
			t.Errorf("<%s>: %d in the source, %d kept", name, f.Read[name], f.Kept[name])
		}
	}
	if f.Kept["accessrestrict"] != f.Read["accessrestrict"]-3 || f.Kept["daoset"]+f.Kept["dao"] != 1 || f.Kept["chronitemset"] != f.Read["eventgrp"] {
		t.Errorf("kept %v of %v", f.Kept, f.Read)
	}
	for _, n := range f.Report() {
		t.Log(n)
	}
	s, _, root := importInto(t, doc)
	first := export(t, s, root, access.Principal{Role: access.SystemAdmin})
	xmllint(t, first)
	// The index's references lead to the series they named.
	for _, id := range []string{"ref54", "ref55", "ref61"} {
		if !bytes.Contains(first, []byte(`target="`+IDPrefix+id+`"`)) || !bytes.Contains(first, []byte(`id="`+IDPrefix+id+`"`)) {
			t.Errorf("the reference to %s does not lead to its unit", id)
		}
	}
	// Element by element, what the export says is what was kept.
	again, _, root2 := importInto(t, first)
	if root2 != root {
		t.Fatalf("the second import gave the root %s, not %s", root2, root)
	}
	was, now := keptOfTree(t, s, root), keptOfTree(t, again, root)
	if len(was) != len(now) || len(was) != f.Count {
		t.Fatalf("%d units, then %d, of %d", len(was), len(now), f.Count)
	}
	for i := range was {
		if was[i] != now[i] {
			t.Errorf("unit %d kept\n%s\nand after export and import\n%s", i, was[i], now[i])
		}
	}
}
