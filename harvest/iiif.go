package harvest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Bounds of a walk through IIIF Collections.
const (
	maxCollections = 10000   // collections one walk visits
	maxDepth       = 16      // collections inside collections
	maxDocument    = 8 << 20 // bytes of one collection or manifest
)

// iiifDoc is what a walk reads of a IIIF Collection or Manifest, in
// Presentation 3 (id, type, items, homepage) or 2 (@id, @type,
// collections, manifests, members, related).
type iiifDoc struct {
	ID          string          `json:"id"`
	AtID        string          `json:"@id"`
	Type        string          `json:"type"`
	AtType      string          `json:"@type"`
	Label       json.RawMessage `json:"label"`
	Summary     json.RawMessage `json:"summary"`
	Description json.RawMessage `json:"description"`
	Items       []iiifRef       `json:"items"`
	Collections []iiifRef       `json:"collections"`
	Manifests   []iiifRef       `json:"manifests"`
	Members     []iiifRef       `json:"members"`
	Thumbnail   json.RawMessage `json:"thumbnail"`
	Homepage    []iiifRef       `json:"homepage"`
	Related     json.RawMessage `json:"related"`
	NavDate     string          `json:"navDate"`
}

type iiifRef struct {
	ID     string `json:"id"`
	AtID   string `json:"@id"`
	Type   string `json:"type"`
	AtType string `json:"@type"`
}

func (r iiifRef) url() string { return firstOf(r.ID, r.AtID) }

func (r iiifRef) kind() string {
	switch firstOf(r.Type, r.AtType) {
	case "Collection", "sc:Collection":
		return "collection"
	case "Manifest", "sc:Manifest":
		return "manifest"
	}
	return ""
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// walk harvests a IIIF Collection: every collection inside it, to depth
// maxDepth, and each manifest as an entry. A manifest that cannot be read
// or has no label is named and passed over; the entries of manifests the
// collections no longer list leave the catalogue once a walk has seen
// them all.
func (s *Service) walk(ctx context.Context, c *client, src *repository.Source) error {
	src.Run = repository.SourceRun{Started: s.Now().UTC()}
	seen := map[string]bool{}
	visited := map[string]bool{}
	type todo struct {
		url   string
		depth int
	}
	queue := []todo{{src.IIIF, 0}}
	var page []*repository.Entry
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		if visited[next.url] || len(visited) >= maxCollections {
			continue
		}
		visited[next.url] = true
		var coll iiifDoc
		if err := c.getJSON(ctx, next.url, &coll); err != nil {
			return err
		}
		refs := slices.Concat(coll.Items, coll.Collections, coll.Manifests, coll.Members)
		for _, ref := range refs {
			switch ref.kind() {
			case "collection":
				if next.depth < maxDepth {
					queue = append(queue, todo{ref.url(), next.depth + 1})
				}
			case "manifest":
				u := ref.url()
				if seen[u] {
					continue
				}
				seen[u] = true
				src.Run.Read++
				e, err := s.manifestEntry(ctx, c, src, u)
				if err != nil {
					if ctx.Err() != nil || fault.KindOf(err) == fault.Unavailable {
						return err
					}
					refuse(src, u, err)
					continue
				}
				if page = append(page, e); len(page) >= pageEntries {
					if err := s.save(ctx, src, page); err != nil {
						return err
					}
					page = page[:0]
				}
			}
		}
	}
	if err := s.save(ctx, src, page); err != nil {
		return err
	}
	// The whole walk is done: what it did not meet is gone at the source.
	had, err := s.store.EntryIdentifiers(src.ID)
	if err != nil {
		return err
	}
	var gone []*repository.Entry
	for _, id := range had {
		if !seen[id] {
			gone = append(gone, &repository.Entry{Source: src.ID, Institution: src.Institution, Identifier: id, Deleted: true})
		}
	}
	for start := 0; start < len(gone); start += pageEntries {
		if err := s.save(ctx, src, gone[start:min(start+pageEntries, len(gone))]); err != nil {
			return err
		}
	}
	src.Run.Finished = s.Now().UTC()
	return nil
}

// getJSON reads the JSON document at u into v.
func (c *client) getJSON(ctx context.Context, u string, v any) error {
	return c.fetch(ctx, u, func(r io.Reader) error {
		if err := json.NewDecoder(io.LimitReader(r, maxDocument)).Decode(v); err != nil {
			return fmt.Errorf("%s is not a IIIF document (%v): %w", u, err, fault.Invalid)
		}
		return nil
	})
}

// manifestEntry reads manifest u and maps it to an entry of src.
func (s *Service) manifestEntry(ctx context.Context, c *client, src *repository.Source, u string) (*repository.Entry, error) {
	var m iiifDoc
	if err := c.getJSON(ctx, u, &m); err != nil {
		return nil, err
	}
	e := &repository.Entry{Source: src.ID, Institution: src.Institution, Identifier: u, Manifest: u,
		Title: languageMap(m.Label), Summary: languageMap(firstRaw(m.Summary, m.Description)), Thumbnail: safeURL(resourceID(m.Thumbnail))}
	if len(m.Homepage) > 0 {
		e.Link = safeURL(m.Homepage[0].url())
	}
	if e.Link == "" {
		e.Link = safeURL(resourceID(m.Related))
	}
	if e.Link == "" {
		e.Link = u
	}
	if len(m.NavDate) >= 4 {
		e.Date = pickDate([]string{m.NavDate[:4]})
	}
	if strings.TrimSpace(e.Title.Get("")) == "" {
		return nil, fmt.Errorf("manifest %s has no label: %w", u, fault.Invalid)
	}
	e.Digest = digest(e)
	return e, nil
}

func firstRaw(a, b json.RawMessage) json.RawMessage {
	if len(a) > 0 {
		return a
	}
	return b
}

// languageMap reads a label: Presentation 3's language map ({"th":
// ["…"], "none": ["…"]}), or 2's string, {"@value", "@language"} or list
// of them. Values without a language are placed by their script.
func languageMap(raw json.RawMessage) repository.Text {
	out := repository.Text{}
	put := func(lang, v string) {
		v = strings.Join(strings.Fields(v), " ")
		if v != "" {
			out = add(out, language(lang, v), v, " ; ")
		}
	}
	var v3 map[string][]string
	if json.Unmarshal(raw, &v3) == nil {
		for lang, vs := range v3 {
			for _, v := range vs {
				put(lang, v)
			}
		}
		return out
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		put("", one)
		return out
	}
	type value struct {
		Value    string `json:"@value"`
		Language string `json:"@language"`
	}
	var list []value
	var single value
	if json.Unmarshal(raw, &list) != nil && json.Unmarshal(raw, &single) == nil {
		list = []value{single}
	}
	for _, v := range list {
		put(v.Language, v.Value)
	}
	return out
}

// resourceID is the URL a thumbnail or related resource names: a string,
// an object with id or @id, or the first of a list of those.
func resourceID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ref iiifRef
	if json.Unmarshal(raw, &ref) == nil && ref.url() != "" {
		return ref.url()
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return resourceID(list[0])
	}
	return ""
}

// safeURL is u when it is an http or https URL, else "".
func safeURL(u string) string {
	if link, _ := resolvable(u); link != "" && !strings.HasPrefix(strings.ToLower(u), "doi:") && !strings.HasPrefix(strings.ToLower(u), "hdl:") {
		return link
	}
	return ""
}
