package web

import (
	"strings"
	"unicode"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// unitDates says a unit's dates as its finding aid wrote them, for a reader
// of lang: a bulk date so marked, and for Thai readers the Buddhist Era
// beside words that do not give it.
func unitDates(lang string, d *repository.Description) []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, ud := range d.Dates {
		s := ud.Expression()
		if s == "" {
			continue
		}
		if p, err := edtf.Parse(ud.EDTF); err == nil && ud.EDTF != "" && lang == "th" && !strings.ContainsFunc(s, isThai) {
			s += " (" + p.Format("th") + ")"
		}
		if ud.Bulk() && !strings.HasPrefix(strings.ToLower(s), "bulk") {
			s = t(lang, "date_bulk") + " " + s
		}
		out = append(out, s)
	}
	return out
}

func isThai(r rune) bool { return unicode.Is(unicode.Thai, r) }
