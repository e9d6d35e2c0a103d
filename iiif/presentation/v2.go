package presentation

import (
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/repository"
)

// Context2 is the Presentation 2.1 JSON-LD context.
const Context2 = "http://iiif.io/api/presentation/2/context.json"

// ManifestV2 builds a Presentation 2.1 manifest for viewers that need it;
// strings are in lang, falling back as Text.Get does.
func (s Site) ManifestV2(in Input, lang string) Doc {
	if in.Stub {
		in.Item, in.Collection, in.Download = stub(in.Item), nil, false
	}
	s.room = in.Room
	it := in.Item
	id := s.Base + "/iiif/2/manifest/" + it.ID
	m := Doc{
		"@context":    Context2,
		"@id":         id,
		"@type":       "sc:Manifest",
		"label":       it.Title.Get(lang),
		"attribution": it.Attribution.Get(lang),
		"related":     Doc{"@id": s.Base + "/items/" + it.ID, "format": "text/html"},
	}
	if m["attribution"] == "" {
		m["attribution"] = in.Institution.Name.Get(lang)
	}
	if !it.Summary.Empty() {
		m["description"] = it.Summary.Get(lang)
	}
	if it.Rights != "" {
		m["license"] = it.Rights
	}
	if it.ViewingDirection != "" {
		m["viewingDirection"] = it.ViewingDirection
	}
	var md []Doc
	for _, f := range s.metadata(in) {
		md = append(md, Doc{"label": pick(f["label"], lang), "value": pick(f["value"], lang)})
	}
	m["metadata"] = md
	var canvases []Doc
	for i, f := range it.Files {
		if f.Derivatives["access"] == "" {
			continue // 2.1 viewers show images only
		}
		n := i + 1
		img := ImageID(it.ID, n)
		cid := fmt.Sprintf("%s/canvas/%d", id, n)
		label := f.Label.Get(lang)
		if label == "" {
			label = fmt.Sprint(n)
		}
		canvases = append(canvases, Doc{
			"@id": cid, "@type": "sc:Canvas", "label": label, "width": f.Width, "height": f.Height,
			"images": []Doc{{
				"@type": "oa:Annotation", "motivation": "sc:painting", "on": cid,
				"resource": Doc{"@id": s.Base + "/iiif/2/" + img + "/full/full/0/default.jpg", "@type": "dctypes:Image", "format": "image/jpeg",
					"width": f.Width, "height": f.Height,
					"service": s.service2(img, in.Protected || in.Room)},
			}},
		})
	}
	m["sequences"] = []Doc{{"@type": "sc:Sequence", "canvases": canvases}}
	if in.Download && contentsearch.HasText(it) {
		m["service"] = Doc{"@context": "http://iiif.io/api/search/1/context.json", "@id": contentsearch.SearchURL2(s.Base, it.ID),
			"profile": "http://iiif.io/api/search/1/search",
			"service": Doc{"@id": contentsearch.AutocompleteURL2(s.Base, it.ID), "profile": "http://iiif.io/api/search/1/autocomplete"}}
	}
	return m
}

// pick chooses one language of a v3 language map for 2.1.
func pick(v any, lang string) string {
	d, _ := v.(Doc)
	t := repository.Text{}
	for k, vals := range d {
		if list, ok := vals.([]string); ok {
			t[k] = strings.Join(list, "; ")
		}
	}
	return t.Get(lang)
}

// service2 is a 2.1 image service, with the sign-in services when the image
// is not public.
func (s Site) service2(img string, protected bool) Doc {
	d := Doc{"@context": "http://iiif.io/api/image/2/context.json", "@id": s.Base + "/iiif/2/" + img, "profile": "http://iiif.io/api/image/2/level2.json"}
	if protected {
		d["service"] = s.authServices(img)
	}
	return d
}
