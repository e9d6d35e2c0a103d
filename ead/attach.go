package ead

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Units makes each attachment an ingest unit: the file its <dao> names,
// found in dir (the folder of the document), becomes an item of its unit.
// Files that are not there are listed as problems, each a sentence.
func Units(atts []Attachment, dir, institution string) ([]ingest.Unit, []string) {
	var units []ingest.Unit
	var problems []string
	for _, a := range atts {
		u, err := url.Parse(a.Href)
		if err != nil || !(Dao{Href: a.Href}).Local() {
			problems = append(problems, fmt.Sprintf("the digital object %q of unit %s is not a file beside the finding aid; it was left out", a.Href, a.Unit))
			continue
		}
		rel := path.Clean(u.Path)
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			problems = append(problems, fmt.Sprintf("the file %s named by a <dao> of unit %s is not beside the finding aid; put it there and import again, or attach it in the desk", rel, a.Unit))
			continue
		}
		units = append(units, ingest.Unit{
			Files:  []ingest.Input{{Path: p, Name: rel}},
			Meta:   repository.Item{Institution: institution, Collection: a.Unit, Title: a.Title},
			Origin: "EAD <dao> " + rel,
		})
	}
	return units, problems
}
