package ead

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/thaiarchives/archive/repository"
)

// Object is one item to ingest, made from an attachment: the digital
// object (file) its <dao> names and the description it gets. The caller hands it to the ingest
// pipeline (ead does not link the pipeline, so that OAI-PMH, which exports
// finding aids, does not either).
type Object struct {
	Path   string          // the file, inside the folder of the document
	Name   string          // as shown to people: relative to that folder
	Meta   repository.Item // institution, collection (the unit), title
	Origin string          // where it comes from, for the report
}

// Units makes each attachment an object to ingest: the file its <dao> names,
// found in dir (the folder of the document), becomes an item of its unit.
// A file is looked for only inside dir (a link in it that leads out does
// not count). Files that are not there are listed as problems, each a
// sentence.
func Units(atts []Attachment, dir, institution string) ([]Object, []string) {
	var units []Object
	var problems []string
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, []string{"the folder of the finding aid cannot be read; no digital object was attached"}
	}
	defer root.Close()
	for _, a := range atts {
		rel, ok := Dao{Href: a.Href}.Path()
		if _, _, web := Elsewhere(repository.Markup{Name: "dao", Attrs: []repository.Attr{{Name: "href", Value: a.Href}}}); !ok && web {
			problems = append(problems, fmt.Sprintf("the digital object %q of unit %s is elsewhere on the web: kept as a link, shown on the unit's page and written back out", a.Href, a.Unit))
			continue
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("the digital object %q of unit %s is not a file beside the finding aid; it was left out", a.Href, a.Unit))
			continue
		}
		if st, err := root.Stat(filepath.FromSlash(rel)); err != nil || !st.Mode().IsRegular() {
			problems = append(problems, fmt.Sprintf("the file %s named by a <dao> of unit %s is not beside the finding aid; put it there and import again, or attach it in the desk", rel, a.Unit))
			continue
		}
		units = append(units, Object{
			Path:   filepath.Join(dir, filepath.FromSlash(rel)),
			Name:   rel,
			Meta:   repository.Item{Institution: institution, Collection: a.Unit, Title: a.Title},
			Origin: "EAD <dao> " + rel,
		})
	}
	return units, problems
}
