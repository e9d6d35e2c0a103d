package ead

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository/bolt"
)

// xmllint2002 validates doc against the official EAD 2002 schema (its
// XLink schema beside it).
func xmllint2002(t *testing.T, doc []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ead2002.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", "testdata/official/ead.xsd", f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func export2002(t *testing.T, s *bolt.Store, root string) []byte {
	t.Helper()
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	e := Export{Tree: tr, Items: s, Principal: access.Principal{Role: access.SystemAdmin}, Now: exportTime, Manifest: func(id string) string { return "https://archive.example/iiif/3/manifest/" + id }}
	if err := e.Write2002(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEAD2002ExportIsValidAgainstTheOfficialSchemaAndImportsToTheSameKeptElements(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint (Debian libxml2-utils) is required")
	}
	s, _ := newStore(t)
	fiveLevels(t, s)
	xmllint2002(t, export2002(t, s, "arts"))
	for name, doc := range map[string][]byte{"described": []byte(described), "kitchen sink": kitchenSink(t)} {
		s, _, root := importInto(t, doc)
		out := export2002(t, s, root)
		xmllint2002(t, out)
		// Imported again, the EAD 2002 export gives the units the same
		// kept elements, element by element, but for langmaterial: EAD3
		// keeps the words beside a language apart, EAD 2002 around it.
		again, _, root2 := importInto(t, out)
		if root2 != root {
			t.Fatalf("%s: the second import gave the root %s, not %s", name, root2, root)
		}
		was, now := keptOfTree(t, s, root), keptOfTree(t, again, root)
		if len(was) != len(now) {
			t.Fatalf("%s: %d units, then %d", name, len(was), len(now))
		}
		for i := range was {
			if a, b := withoutLangmaterial(was[i]), withoutLangmaterial(now[i]); a != b {
				t.Errorf("%s: unit %d kept\n%s\nand after the EAD 2002 export and import\n%s", name, i, a, b)
			}
		}
	}
}

func withoutLangmaterial(kept string) string {
	var out []string
	for _, l := range strings.Split(kept, "\n") {
		if !strings.HasPrefix(l, `{"n":"langmaterial"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
