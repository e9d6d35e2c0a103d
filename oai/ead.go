package oai

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository"
)

// Finding aids are offered as EAD3 (metadataPrefix=ead) beside the items'
// Dublin Core: their records are archival units (oai:archive:fonds:{id});
// the lists hold every fonds, GetRecord any unit (a series too). A unit an
// anonymous visitor may not read is a deleted record, as an item is.

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
		rec, err := r.eadRecord(id, true)
		if errors.Is(err, repository.ErrNotFound) {
			return protoErr(idDoesNotExist, "no archival unit %q", id)
		}
		if err != nil {
			return err
		}
		resp.GetRecord = &getRecord{Record: *rec}
		return nil
	}
	if args.Has("resumptionToken") {
		return protoErr(badResumptionToken, "lists of finding aids are answered whole; this token was not issued")
	}
	t := token{Verb: verb, Set: args.Get("set"), From: args.Get("from"), Until: args.Get("until")}
	from, until, err := t.window(false)
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
	var recs []record
	for _, c := range tops {
		if c.Level == repository.Curated || c.Deleted || inst != "" && c.Institution != inst {
			continue
		}
		rec, err := r.eadRecord(c.ID, verb == "ListRecords")
		if err != nil {
			return err
		}
		stamp, _ := time.Parse(time.RFC3339, rec.Header.Datestamp)
		if !from.IsZero() && stamp.Before(from) || !until.IsZero() && stamp.After(until) {
			continue
		}
		recs = append(recs, *rec)
	}
	if len(recs) == 0 {
		return protoErr(noRecordsMatch, "no finding aids match these arguments")
	}
	if verb == "ListIdentifiers" {
		l := &listIdentifiers{}
		for _, rec := range recs {
			l.Headers = append(l.Headers, rec.Header)
		}
		resp.ListIdentifiers = l
		return nil
	}
	resp.ListRecords = &listRecords{Records: recs}
	return nil
}

// eadRecord is the record of unit id: its newest change dates it, and its
// finding aid is what an anonymous visitor may read of it.
func (r *request) eadRecord(id string, full bool) (*record, error) {
	tr, err := r.p.Store.Tree(id)
	if err != nil {
		return nil, err
	}
	newest := tr.Root.Modified
	tr.Walk(func(n *repository.Node) bool {
		if n.Modified.After(newest) {
			newest = n.Modified
		}
		return true
	})
	newest = newest.UTC().Truncate(time.Second)
	rec := &record{Header: header{Identifier: FondsIdentifier(id), Datestamp: datestamp(newest), SetSpecs: []string{tr.Root.Institution}}}
	res, err := access.CollectionResource(tr, tr.Root.Collection)
	if err != nil {
		return nil, err
	}
	if access.Decide(access.Principal{}, access.ReadMetadata, res, r.now) != nil {
		rec.Header.Status = "deleted"
		return rec, nil
	}
	if !full {
		return rec, nil
	}
	var b bytes.Buffer
	e := ead.Export{Tree: tr, Items: r.p.Store, Now: newest, Manifest: func(item string) string { return r.site + "/iiif/3/manifest/" + item }}
	if err := e.Write(&b); err != nil {
		return nil, err
	}
	doc := b.Bytes()
	if i := bytes.Index(doc, []byte("?>")); i >= 0 && bytes.HasPrefix(doc, []byte("<?xml")) {
		doc = bytes.TrimSpace(doc[i+2:])
	}
	rec.Metadata = &metadata{Raw: string(doc)}
	return rec, nil
}

var dcFormat = metadataFormat{Prefix: "oai_dc", Schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", Namespace: nsOAIDC}
