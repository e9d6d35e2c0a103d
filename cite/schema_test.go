package cite

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/access"
)

// cslSchema is the parts of the CSL-JSON schema (testdata/csl-data.json)
// an entry is checked against: its properties, none other allowed, the
// types, and the properties of names and dates.
type cslSchema struct {
	Items struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
		Required []string `json:"required"`
	} `json:"items"`
	Definitions map[string]struct {
		AnyOf []struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"anyOf"`
	} `json:"definitions"`
}

func (s *cslSchema) allows(def string, obj map[string]any) []string {
	var bad []string
	for k := range obj {
		ok := false
		for _, alt := range s.Definitions[def].AnyOf {
			_, in := alt.Properties[k]
			ok = ok || in
		}
		if !ok {
			bad = append(bad, k)
		}
	}
	return bad
}

func TestCSLJSONKeepsToTheCSLDataSchema(t *testing.T) {
	raw, err := os.ReadFile("testdata/csl-data.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema cslSchema
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	st := archive()
	for _, c := range []struct {
		id   string
		unit bool
		lang string
	}{{"letter-1", false, "th"}, {"letter-1", false, "en"}, {"photo-1", false, "en"}, {"file-1", true, "en"}, {"fonds-1", true, "th"}} {
		js, err := json.Marshal([]Entry{source(t, st, c.unit, c.id, access.Principal{}).CSL(c.lang, "https://h")})
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := json.Unmarshal(js, &items); err != nil {
			t.Fatal(err)
		}
		item := items[0]
		for _, k := range schema.Items.Required {
			if _, ok := item[k]; !ok {
				t.Errorf("%s (%s) lacks %q", c.id, c.lang, k)
			}
		}
		for k, v := range item {
			prop, ok := schema.Items.Properties[k]
			switch {
			case !ok:
				t.Errorf("%s (%s): %q is not a CSL-JSON property", c.id, c.lang, k)
			case len(prop.Enum) > 0 && !slices.Contains(prop.Enum, v.(string)):
				t.Errorf("%s (%s): %s %q is not one of CSL's", c.id, c.lang, k, v)
			}
		}
		authors, _ := item["author"].([]any)
		for _, a := range authors {
			if bad := schema.allows("name-variable", a.(map[string]any)); len(bad) > 0 {
				t.Errorf("%s (%s): a name has %v", c.id, c.lang, bad)
			}
		}
		if d, ok := item["issued"].(map[string]any); ok {
			if bad := schema.allows("date-variable", d); len(bad) > 0 {
				t.Errorf("%s (%s): a date has %v", c.id, c.lang, bad)
			}
			if parts, ok := d["date-parts"].([]any); ok && (len(parts) < 1 || len(parts) > 2) {
				t.Errorf("%s (%s): %d date parts", c.id, c.lang, len(parts))
			}
		}
	}
}
