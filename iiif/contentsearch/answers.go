package contentsearch

import "fmt"

// Typed documents: a thousand hits marshal several times faster than maps.
type (
	textBody struct {
		Type   string `json:"type"`
		Value  string `json:"value"`
		Format string `json:"format"`
	}
	anno2 struct {
		ID         string   `json:"id"`
		Type       string   `json:"type"`
		Motivation string   `json:"motivation"`
		Body       textBody `json:"body"`
		Target     string   `json:"target"`
	}
	quoteSelector struct {
		Type   string `json:"type"`
		Prefix string `json:"prefix"`
		Exact  string `json:"exact"`
		Suffix string `json:"suffix"`
	}
	specific struct {
		Type     string          `json:"type"`
		Source   string          `json:"source"`
		Selector []quoteSelector `json:"selector"`
	}
	context2 struct {
		ID         string     `json:"id"`
		Type       string     `json:"type"`
		Motivation string     `json:"motivation"`
		Target     []specific `json:"target"`
	}
	page2 struct {
		Type  string     `json:"type"`
		Items []context2 `json:"items"`
	}
	ref2 struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	collection2 struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		Total int    `json:"total"`
		First ref2   `json:"first"`
		Last  ref2   `json:"last"`
	}
	answer2 struct {
		Context     string       `json:"@context"`
		ID          string       `json:"id"`
		Type        string       `json:"type"`
		PartOf      *collection2 `json:"partOf,omitempty"`
		StartIndex  *int         `json:"startIndex,omitempty"`
		Prev        *ref2        `json:"prev,omitempty"`
		Next        *ref2        `json:"next,omitempty"`
		Items       []anno2      `json:"items"`
		Annotations []page2      `json:"annotations,omitempty"`
	}
	chars struct {
		Type  string `json:"@type"`
		Chars string `json:"chars"`
	}
	anno1 struct {
		ID         string `json:"@id"`
		Type       string `json:"@type"`
		Motivation string `json:"motivation"`
		Resource   chars  `json:"resource"`
		On         string `json:"on"`
	}
	hit1 struct {
		Type        string   `json:"@type"`
		Annotations []string `json:"annotations"`
		Match       string   `json:"match"`
		Before      string   `json:"before"`
		After       string   `json:"after"`
	}
	layer struct {
		Type  string `json:"@type"`
		Total int    `json:"total"`
		First string `json:"first,omitempty"`
		Last  string `json:"last,omitempty"`
	}
	answer1 struct {
		Context    []string `json:"@context"`
		ID         string   `json:"@id"`
		Type       string   `json:"@type"`
		Within     layer    `json:"within"`
		StartIndex *int     `json:"startIndex,omitempty"`
		Prev       string   `json:"prev,omitempty"`
		Next       string   `json:"next,omitempty"`
		Resources  []anno1  `json:"resources"`
		Hits       []hit1   `json:"hits"`
	}
)

// v2 is a Content Search 2.0 answer: an annotation page of highlighting
// annotations, one per line a hit covers, and contextualizing annotations
// that quote each hit with the words around it. When the hits take more
// than one page, it is part of a collection of them (its total, first and
// last pages) and links the pages before and after it.
func (s *Service) v2(r Request, q string, pg paging, hits []Hit) answer2 {
	out := answer2{Context: "http://iiif.io/api/search/2/context.json", ID: r.pageURL(q, pg, pg.page), Type: "AnnotationPage", Items: make([]anno2, 0, len(hits))}
	if pg.last > 1 {
		page := func(n int) *ref2 { return &ref2{ID: r.pageURL(q, pg, n), Type: "AnnotationPage"} }
		out.PartOf = &collection2{ID: r.self(false, q, 0), Type: "AnnotationCollection", Total: pg.total, First: *page(1), Last: *page(pg.last)}
		out.StartIndex = &pg.start
		if pg.page > 1 {
			out.Prev = page(pg.page - 1)
		}
		if pg.page < pg.last {
			out.Next = page(pg.page + 1)
		}
	}
	var quotes []context2
	for i, h := range hits {
		i += pg.start
		var targets []specific
		for b := range h.Boxes {
			id := annoID(r, i, b)
			out.Items = append(out.Items, anno2{ID: id, Type: "Annotation", Motivation: "highlighting",
				Body: textBody{Type: "TextualBody", Value: h.Match, Format: "text/plain"}, Target: s.target(r, h, b)})
			targets = append(targets, specific{Type: "SpecificResource", Source: id,
				Selector: []quoteSelector{{Type: "TextQuoteSelector", Prefix: h.Before, Exact: h.Match, Suffix: h.After}}})
		}
		quotes = append(quotes, context2{ID: fmt.Sprintf("%s/iiif/search/%s/match/%d", r.Base, r.Item, i+1),
			Type: "Annotation", Motivation: "contextualizing", Target: targets})
	}
	if len(quotes) > 0 {
		out.Annotations = []page2{{Type: "AnnotationPage", Items: quotes}}
	}
	return out
}

// v1 is a Content Search 1.0 answer: an annotation list, and hits naming
// their annotations with the words before and after (what Mirador reads).
// When the hits take more than one page, its layer names the first and
// last, and it links the pages before and after it.
func (s *Service) v1(r Request, q string, pg paging, hits []Hit) answer1 {
	out := answer1{Context: []string{"http://iiif.io/api/presentation/2/context.json", "http://iiif.io/api/search/1/context.json"},
		ID: r.pageURL(q, pg, pg.page), Type: "sc:AnnotationList", Within: layer{Type: "sc:Layer", Total: pg.total},
		Resources: make([]anno1, 0, len(hits)), Hits: make([]hit1, 0, len(hits))}
	if pg.last > 1 {
		out.Within.First, out.Within.Last = r.pageURL(q, pg, 1), r.pageURL(q, pg, pg.last)
		out.StartIndex = &pg.start
		if pg.page > 1 {
			out.Prev = r.pageURL(q, pg, pg.page-1)
		}
		if pg.page < pg.last {
			out.Next = r.pageURL(q, pg, pg.page+1)
		}
	}
	for i, h := range hits {
		i += pg.start
		var ids []string
		for b := range h.Boxes {
			id := annoID(r, i, b)
			ids = append(ids, id)
			out.Resources = append(out.Resources, anno1{ID: id, Type: "oa:Annotation", Motivation: "sc:painting",
				Resource: chars{Type: "cnt:ContentAsText", Chars: h.Match}, On: s.target(r, h, b)})
		}
		out.Hits = append(out.Hits, hit1{Type: "search:Hit", Annotations: ids, Match: h.Match, Before: h.Before, After: h.After})
	}
	return out
}
