package ark

import (
	"strings"
	"testing"
)

// The example of NOID's documentation: 13030/xf93gt2 has the check
// character q (ark:/13030/xf93gt2q).
func TestCheckCharacterIsNOIDs(t *testing.T) {
	if c := Check("13030/xf93gt2"); c != 'q' {
		t.Fatalf("check of 13030/xf93gt2 is %c, NOID's is q", c)
	}
	if _, err := Parse("ark:/13030/xf93gt2q"); err != nil {
		t.Fatal(err)
	}
}

// A mistyped character and two characters swapped are caught.
func TestParseCatchesOneMistypedCharacterAndOneSwap(t *testing.T) {
	m, err := NewMinter(TestNAAN, map[string]string{"cmu": "c1"})
	if err != nil {
		t.Fatal(err)
	}
	a := m.Mint("cmu", "pvt37h3v9d")
	if !strings.HasPrefix(a, "ark:/99999/c1pvt37h3v9d") || len(a) != len("ark:/99999/c1pvt37h3v9d")+1 {
		t.Fatalf("minted %q", a)
	}
	for _, form := range []string{a, strings.Replace(a, "ark:/", "ark:", 1), strings.Replace(a, "c1pvt", "c1-pvt", 1)} {
		if got, err := Parse(form); err != nil || got != a {
			t.Errorf("Parse(%q) = %q, %v", form, got, err)
		}
	}
	name := a[len("ark:/99999/"):]
	for i := range len(name) - 1 {
		for _, r := range Alphabet {
			if byte(r) == name[i] {
				continue
			}
			bad := "ark:/99999/" + name[:i] + string(r) + name[i+1:]
			if _, err := Parse(bad); err == nil {
				t.Fatalf("%q, one character changed, passes", bad)
			}
		}
		if name[i] != name[i+1] {
			swapped := "ark:/99999/" + name[:i] + string(name[i+1]) + string(name[i]) + name[i+2:]
			if _, err := Parse(swapped); err == nil {
				t.Fatalf("%q, two characters swapped, passes", swapped)
			}
		}
	}
	for _, bad := range []string{"", "ark:", "ark:/99999/", "ark:/9/abc", "urn:99999/c1x", "ark:/99999/c1 x"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) passes", bad)
		}
	}
}

func TestShouldersAreCheckedAndDistinct(t *testing.T) {
	for _, c := range []struct {
		naan      string
		shoulders map[string]string
		want      string
	}{
		{"123", nil, "NAAN"},
		{TestNAAN, map[string]string{"cmu": "c"}, "consonants and one digit"},
		{TestNAAN, map[string]string{"cmu": "a1"}, "consonants and one digit"},
		{TestNAAN, map[string]string{"cmu": "c1", "cu": "c1"}, "overlap"},
	} {
		if _, err := NewMinter(c.naan, c.shoulders); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewMinter(%q, %v): %v", c.naan, c.shoulders, err)
		}
	}
	if DefaultShoulder("cmu") != "cm1" || DefaultShoulder("tu") != "t1" || DefaultShoulder("cu") != "c1" {
		t.Errorf("default shoulders: %s %s %s", DefaultShoulder("cmu"), DefaultShoulder("tu"), DefaultShoulder("cu"))
	}
}

// An identifier's hyphens, which ARKs do not count, are left out of its
// ARK, so the ARK reads back as itself.
func TestAnIdentifiersHyphensAreNotInItsARK(t *testing.T) {
	m, _ := NewMinter(TestNAAN, map[string]string{"chula": "k1"})
	a := m.Mint("chula", "arts-office")
	if strings.Contains(a[len("ark:/"):], "-") {
		t.Fatalf("minted %s", a)
	}
	if got, err := Parse(a); err != nil || got != a {
		t.Fatalf("Parse(%s) = %s, %v", a, got, err)
	}
}
