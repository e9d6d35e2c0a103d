package desk

import (
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// keepImported keeps what a unit's form does not edit from the stored
// unit: the dates its finding aid wrote, the texts it kept internal, its
// containers and access points, a fonds's finding aid's own header, and
// texts in languages other than Thai and English (a title in Hebrew, or in
// a language the finding aid did not name), which the form has no fields
// for. A save that carries them (an import) replaces them.
func keepImported(c, stored *repository.Collection) {
	keepOthers(&c.Title, stored.Title)
	keepOthers(&c.Summary, stored.Summary)
	old := stored.Description
	if old == nil {
		return
	}
	if c.Description == nil {
		c.Description = &repository.Description{}
	}
	d := c.Description
	if d.Dates == nil {
		d.Dates = old.Dates
	}
	if d.Internal == nil {
		d.Internal = old.Internal
	}
	if d.Header == nil { // nothing edits it: the export writes it back
		d.Header = old.Header
	}
	if d.Containers == nil { // the desk's boxes edit them
		d.Containers = old.Containers
	}
	if d.Points == nil { // their own pages edit them
		d.Points, d.PointGroups = old.Points, old.PointGroups
	}
	for _, p := range []struct{ to, from *repository.Text }{{&d.Extent, &old.Extent}, {&d.Creator, &old.Creator},
		{&d.History, &old.History}, {&d.Scope, &old.Scope}, {&d.Arrangement, &old.Arrangement}, {&d.Access, &old.Access},
		{&d.Reproduction, &old.Reproduction}, {&d.FindingAids, &old.FindingAids}, {&d.Notes, &old.Notes}} {
		keepOthers(p.to, *p.from)
	}
}

// keepOthers keeps old's texts in languages other than Thai and English
// that t lacks, but for one the form showed and sent back as its Thai or
// English text (a title in no language said shows in the English field).
func keepOthers(t *repository.Text, old repository.Text) {
	for l, v := range old {
		if l == "th" || l == "en" || v == "" || (*t)[l] != "" {
			continue
		}
		if w := strings.Join(strings.Fields(v), " "); w == strings.Join(strings.Fields((*t)["en"]), " ") || w == strings.Join(strings.Fields((*t)["th"]), " ") {
			continue
		}
		if strings.HasPrefix(l, "und") && old["en"] == "" && old["th"] == "" && ((*t)["en"] != "" || (*t)["th"] != "") {
			continue // the form showed it in its English field, which the edit filled
		}
		if *t == nil {
			*t = repository.Text{}
		}
		(*t)[l] = v
	}
}
