package oai

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Finding aids are offered as EAD3 (metadataPrefix=ead) beside the items'
// Dublin Core: their records are archival units (oai:archive:fonds:{id});
// the lists hold every fonds (ten finding aids, or a hundred headers, to a
// page), GetRecord any unit (a series too). A unit an anonymous visitor
// may not read is a deleted record, as an item is, if it was ever
// published, and no record at all otherwise.

const (
	eadPrefix     = "ead"
	fondsIDPrefix = idPrefix + "fonds:"
)

var eadFormat = metadataFormat{Prefix: eadPrefix, Schema: "https://www.loc.gov/ead/ead3.xsd", Namespace: ead.Namespace}

// FondsIdentifier is an archival unit's identifier in OAI-PMH.
func FondsIdentifier(unit string) string { return fondsIDPrefix + unit }

// eadVerb answers GetRecord, ListIdentifiers and ListRecords for ead.
func (r *request) eadVerb(verb string, args url.Values, resp *response) error {
	if verb == "GetRecord" {
		id, ok := strings.CutPrefix(args.Get("identifier"), fondsIDPrefix)
		if !ok || !repository.ValidID(id) {
			return protoErr(cannotDisseminateFormat, "ead is offered for archival units (%sUNIT); items are offered as oai_dc", fondsIDPrefix)
		}
		rec, write, err := r.eadRecord(id)
		if err == nil && write != nil {
			err = write()
		}
		if errors.Is(err, fault.NotFound) {
			return protoErr(idDoesNotExist, "no archival unit %q", id)
		}
		if err != nil {
			return err
		}
		resp.GetRecord = &getRecord{Record: *rec}
		return nil
	}
	t := token{Verb: eadPrefix + verb, Set: args.Get("set"), From: args.Get("from"), Until: args.Get("until")}
	resumed := args.Has("resumptionToken")
	if resumed {
		var err error
		if t, err = decodeToken(args.Get("resumptionToken"), eadPrefix+verb); err != nil {
			return err
		}
	}
	from, until, err := t.window(resumed)
	if err != nil {
		return err
	}
	inst, _, nested := strings.Cut(t.Set, ":")
	if nested {
		return protoErr(noRecordsMatch, "finding aids are listed by library (set=cmu), not by collection")
	}
	tops, err := r.p.Store.Children("")
	if err != nil {
		return err
	}
	// In the order of their ids, a page at a time (each finding aid may
	// hold thousands of units), each page going on after the last id given.
	slices.SortFunc(tops, func(a, b *repository.Collection) int { return strings.Compare(a.ID, b.ID) })
	size := eadPageSize
	if verb == "ListIdentifiers" {
		size = pageSize
	}
	var recs []record
	more := false
	for _, c := range tops {
		if c.Level == repository.Curated || c.Deleted || inst != "" && c.Institution != inst || resumed && c.ID <= t.After.ID {
			continue
		}
		rec, write, err := r.eadRecord(c.ID)
		if errors.Is(err, fault.NotFound) {
			continue // never published, or not an archival unit
		}
		if err != nil {
			return err
		}
		stamp, _ := time.Parse(time.RFC3339, rec.Header.Datestamp)
		if !from.IsZero() && stamp.Before(from) || !until.IsZero() && stamp.After(until) {
			continue
		}
		if len(recs) == size { // another record follows: not one that is never shown
			more = true
			break
		}
		if verb == "ListRecords" && write != nil { // the finding aid is written only when it is sent
			if err := write(); err != nil {
				return err
			}
		}
		recs = append(recs, *rec)
	}
	if len(recs) == 0 && !resumed {
		return protoErr(noRecordsMatch, "no finding aids match these arguments")
	}
	var tok *resumptionToken
	switch {
	case more:
		next := t
		_, last, _ := strings.Cut(recs[len(recs)-1].Header.Identifier, fondsIDPrefix)
		next.After, next.Cursor = repository.Change{Modified: firstInstant, ID: last}, t.Cursor+len(recs)
		tok = &resumptionToken{Cursor: t.Cursor, Value: next.encode()}
	case resumed:
		tok = &resumptionToken{Cursor: t.Cursor}
	}
	if verb == "ListIdentifiers" {
		l := &listIdentifiers{ResumptionToken: tok}
		for _, rec := range recs {
			l.Headers = append(l.Headers, rec.Header)
		}
		resp.ListIdentifiers = l
		return nil
	}
	resp.ListRecords = &listRecords{Records: recs, ResumptionToken: tok}
	return nil
}

// eadPageSize is the most finding aids one ListRecords answer holds.
const eadPageSize = 10

// isEADToken reports whether a resumption token continues a list of
// finding aids for verb.
func isEADToken(s, verb string) bool {
	if s == "" {
		return false
	}
	_, err := decodeToken(s, eadPrefix+verb)
	return err == nil
}

// eadRecord is the record of unit id: the newest change an anonymous
// visitor may see dates it, and write puts in it the finding aid of what
// they may read (nil for a deleted record).
func (r *request) eadRecord(id string) (rec *record, write func() error, err error) {
	tr, err := r.p.Store.Tree(id)
	if err != nil {
		return nil, nil, err
	}
	if tr.Root.Level == repository.Curated {
		return nil, nil, fmt.Errorf("collection %s is curated, not an archival unit: %w", id, fault.NotFound)
	}
	// A unit closed to anonymous visitors is a deleted record, dated by its
	// own last change (when it closed); an open one by the newest change
	// they may see.
	rec = &record{Header: header{Identifier: FondsIdentifier(id), Datestamp: datestamp(tr.Root.Modified.Truncate(time.Second)), SetSpecs: []string{tr.Root.Institution}}}
	res, err := access.CollectionResource(tr, tr.Root.Collection)
	if err != nil {
		return nil, nil, err
	}
	if access.Decide(access.Principal{}, access.ReadMetadata, res, r.now) != nil {
		if tr.Root.Published.IsZero() { // never published: not a record
			return nil, nil, fmt.Errorf("archival unit %s was never public: %w", id, fault.NotFound)
		}
		rec.Header.Status = "deleted"
		return rec, nil, nil
	}
	e := ead.Export{Tree: tr, Items: r.p.Store, At: r.now, Manifest: func(item string) string { return r.site + "/iiif/3/manifest/" + item }, Points: r.p.Store.Point}
	if e.Now, err = e.Newest(); err != nil {
		return nil, nil, err
	}
	rec.Header.Datestamp = datestamp(e.Now)
	write = func() error {
		var b bytes.Buffer
		if err := e.Write(&b); err != nil {
			return err
		}
		doc := b.Bytes()
		if i := bytes.Index(doc, []byte("?>")); i >= 0 && bytes.HasPrefix(doc, []byte("<?xml")) {
			doc = bytes.TrimSpace(doc[i+2:])
		}
		rec.Metadata = &metadata{Raw: string(doc)}
		return nil
	}
	return rec, write, nil
}

var dcFormat = metadataFormat{Prefix: "oai_dc", Schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", Namespace: nsOAIDC}
