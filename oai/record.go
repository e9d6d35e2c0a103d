package oai

import (
	"errors"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// record is an item's header and, unless an anonymous visitor may not read
// its description (withdrawn, restricted, embargoed), its oai_dc metadata.
// Such an item is a deleted record, so that harvesters drop what they had
// (§2.5.1), if it was ever published; one that never was is no record at
// all (ok false), as if it did not exist.
func (r *request) record(it *repository.Item, sets []string, full bool) (rec record, ok bool, err error) {
	res, err := access.ItemResource(r, it)
	if err != nil {
		return record{}, false, err
	}
	rec = record{Header: header{Identifier: Identifier(it.ID), Datestamp: datestamp(it.Modified), SetSpecs: sets}}
	if access.Decide(access.Principal{}, access.ReadMetadata, res, r.now) != nil {
		rec.Header.Status = "deleted"
		shown, err := r.published(it)
		return rec, shown, err
	}
	if full {
		dc, err := r.dublinCore(it)
		if err != nil {
			return record{}, false, err
		}
		rec.Metadata = &metadata{DC: dc}
	}
	return rec, true, nil
}

// published reports whether an item was ever open to anonymous visitors:
// saved so, or open of its own in a unit that was published (it showed
// while the unit was open, though it was not saved then).
func (r *request) published(it *repository.Item) (bool, error) {
	if !it.Published.IsZero() {
		return true, nil
	}
	if access.Effective(it.Access, r.now) == repository.Restricted {
		return false, nil
	}
	for id, depth := it.Collection, 0; id != "" && depth < 64; depth++ {
		c, err := r.Collection(id)
		if errors.Is(err, fault.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !c.Published.IsZero() {
			return true, nil
		}
		id = c.Parent
	}
	return false, nil
}

// dublinCore describes an item an anonymous visitor may read in simple
// Dublin Core: every language of a text with its xml:lang, and the date
// also in the Buddhist Era, as Thai readers write it.
func (r *request) dublinCore(it *repository.Item) (*dublinCore, error) {
	dc := &dublinCore{
		XmlnsOAIDC:     nsOAIDC,
		XmlnsDC:        nsDC,
		XmlnsXSI:       nsXSI,
		SchemaLocation: nsOAIDC + " http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
		Title:          texts(it.Title),
		Creator:        texts(it.Creator),
		Description:    texts(it.Summary),
		Date:           plain(it.Date),
		Type:           plain(it.Type),
		Identifier:     plain(r.site+"/items/"+it.ID, r.site+"/iiif/3/manifest/"+it.ID),
		Language:       plain(it.Language...),
		Rights:         plain(it.Rights),
	}
	if it.ARK != "" { // the identifier to cite, first
		dc.Identifier = append(plain(r.site+"/"+it.ARK), dc.Identifier...)
	}
	for _, s := range it.Subjects {
		dc.Subject = append(dc.Subject, texts(s)...)
	}
	if err := r.points(dc, it.Points); err != nil {
		return nil, err
	}
	in, err := r.Institution(it.Institution)
	switch {
	case err == nil:
		dc.Publisher = texts(in.Name)
	case !errors.Is(err, fault.NotFound):
		return nil, err
	}
	if d, err := edtf.Parse(it.Date); err == nil && it.Date != "" {
		dc.Date = append(dc.Date, dcValue{Lang: "th", Value: d.Format("th")})
	}
	var formats []string
	for _, f := range it.Files {
		if mt := strings.TrimSpace(strings.Split(f.MediaType, ";")[0]); mt != "" && !slices.Contains(formats, mt) {
			formats = append(formats, mt)
		}
	}
	dc.Format = plain(formats...)
	if it.Collection != "" {
		c, err := r.Collection(it.Collection)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return nil, err
		}
		if err == nil {
			ok, err := r.collectionVisible(c)
			if err != nil {
				return nil, err
			}
			if ok {
				dc.Relation = texts(c.Title)
			}
		}
	}
	return dc, nil
}

// texts are a language map's texts in language order; "none" has no xml:lang.
func texts(t repository.Text) []dcValue {
	langs := make([]string, 0, len(t))
	for l := range t {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	var out []dcValue
	for _, l := range langs {
		if t[l] == "" {
			continue
		}
		v := dcValue{Lang: l, Value: t[l]}
		if l == "none" {
			v.Lang = ""
		}
		out = append(out, v)
	}
	return out
}

// plain are values without a language; empty ones are left out.
func plain(vs ...string) []dcValue {
	var out []dcValue
	for _, v := range vs {
		if v != "" {
			out = append(out, dcValue{Value: v})
		}
	}
	return out
}
