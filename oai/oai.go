// Package oai is the archive's OAI-PMH 2.0 data provider
// (https://www.openarchives.org/OAI/openarchivesprotocol.html): records are
// the items, oai_dc is the one metadata format, libraries and their
// collections are sets, and an item whose description an anonymous visitor
// may not read (withdrawn, restricted, embargoed) is a deleted record if it
// was ever published, and does not exist for harvesters otherwise. It
// knows nothing of HTTP: the web layer hands it the arguments and sends the
// bytes it returns.
package oai

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// Store is what the provider reads.
type Store interface {
	access.Items // Item, Collection, Institution
	Institutions() ([]*repository.Institution, error)
	Collections(institution string) ([]*repository.Collection, error)
	Changes(from, until time.Time, after string, limit int) ([]repository.Change, string, error)
	SetChanges(institution, unit string, from, until time.Time, after string, limit int) ([]repository.Change, string, error)
	Children(parent string) ([]*repository.Collection, error)
	Tree(id string) (*repository.Tree, error)
	Point(id string) (*repository.Point, error)
}

var _ Store = (*bolt.Store)(nil)

// Provider answers OAI-PMH requests from the store. Its zero Now is time.Now.
type Provider struct {
	Store      Store
	Name       string // repositoryName; "" names the shared archive
	AdminEmail string // "" is archive@localhost
	Now        func() time.Time
}

// Identifier is an item's identifier in OAI-PMH.
func Identifier(item string) string { return idPrefix + item }

const idPrefix = "oai:archive:"

// pageSize is the most records (or headers) one list response holds.
const pageSize = 100

// arguments lists the arguments each verb takes besides verb itself (§3.1.1).
var arguments = map[string][]string{
	"Identify":            nil,
	"ListMetadataFormats": {"identifier"},
	"ListSets":            {"resumptionToken"},
	"GetRecord":           {"identifier", "metadataPrefix"},
	"ListIdentifiers":     {"metadataPrefix", "from", "until", "set", "resumptionToken"},
	"ListRecords":         {"metadataPrefix", "from", "until", "set", "resumptionToken"},
}

// Answer answers one OAI-PMH request (args are the GET query or POST form)
// for a harvester, who is always anonymous: a record whose description an
// anonymous visitor may not read is a deleted record (header
// status="deleted", no metadata) if it was ever published, and otherwise
// answered as an identifier that does not exist. Protocol errors are part of the XML body,
// as the protocol says (§3.6). base is the baseURL (scheme://host/oai); site
// is scheme://host, for the dc:identifier links. A store that does not
// answer is returned as the error (wrapping fault.Unavailable), never
// turned into an empty list or a protocol error.
func (p *Provider) Answer(ctx context.Context, base, site string, args url.Values) ([]byte, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	r := &request{p: p, ctx: ctx, now: now(), site: site,
		cols: map[string]lookup[repository.Collection]{}, insts: map[string]lookup[repository.Institution]{}, visible: map[string]bool{}}
	resp := &response{
		Xmlns:          nsOAI,
		XmlnsXSI:       nsXSI,
		SchemaLocation: nsOAI + " http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
		ResponseDate:   datestamp(r.now),
		Request:        echo{URL: base},
	}
	err := r.answer(args, base, resp)
	var perr *protocolError
	switch {
	case errors.As(err, &perr):
		resp.Error = perr
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("oai %.20q: %w", args.Get("verb"), err)
	case err != nil:
		return nil, fmt.Errorf("oai %.20q: %w", args.Get("verb"), err)
	}
	// §3.2: after badVerb or badArgument, the request element holds the
	// base URL only; the arguments are echoed otherwise.
	if perr == nil || perr.Code != badVerb && perr.Code != badArgument {
		resp.Request.Attrs = attributes(args)
	}
	return encode(resp)
}

// request is one answer in the making: the clock it decides at, and the
// collections and libraries it has read (a page of records shares them).
type request struct {
	p       *Provider
	ctx     context.Context
	now     time.Time
	site    string
	cols    map[string]lookup[repository.Collection]
	insts   map[string]lookup[repository.Institution]
	visible map[string]bool // collection id → an anonymous visitor may read it
}

func (r *request) answer(args url.Values, base string, resp *response) error {
	verb, err := checkArguments(args)
	if err != nil {
		return err
	}
	if (args.Get("metadataPrefix") == eadPrefix || isEADToken(args.Get("resumptionToken"), verb)) && (verb == "GetRecord" || verb == "ListIdentifiers" || verb == "ListRecords") {
		return r.eadVerb(verb, args, resp) // finding aids: ead.go
	}
	switch verb {
	case "Identify":
		resp.Identify, err = r.identify(base)
	case "ListMetadataFormats":
		resp.ListMetadataFormats, err = r.listMetadataFormats(args)
	case "ListSets":
		resp.ListSets, err = r.listSets(args)
	case "GetRecord":
		resp.GetRecord, err = r.getRecord(args)
	case "ListIdentifiers":
		var recs []record
		var tok *resumptionToken
		if recs, tok, err = r.list(verb, args, false); err == nil {
			l := &listIdentifiers{ResumptionToken: tok}
			for _, rec := range recs {
				l.Headers = append(l.Headers, rec.Header)
			}
			resp.ListIdentifiers = l
		}
	case "ListRecords":
		var recs []record
		var tok *resumptionToken
		if recs, tok, err = r.list(verb, args, true); err == nil {
			resp.ListRecords = &listRecords{Records: recs, ResumptionToken: tok}
		}
	}
	return err
}

// checkArguments returns the verb, or badVerb or badArgument (§3.1.1).
func checkArguments(args url.Values) (string, error) {
	verbs := args["verb"]
	if len(verbs) != 1 {
		return "", protoErr(badVerb, "give exactly one verb (Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords)")
	}
	verb := verbs[0]
	allowed, ok := arguments[verb]
	if !ok {
		return "", protoErr(badVerb, "%q is not an OAI-PMH verb", verb)
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same complaint for the same request
	for _, k := range keys {
		if k == "verb" {
			continue
		}
		if !slices.Contains(allowed, k) {
			return "", protoErr(badArgument, "%s does not take the argument %q", verb, k)
		}
		if len(args[k]) != 1 {
			return "", protoErr(badArgument, "argument %q is repeated", k)
		}
	}
	if args.Has("resumptionToken") && len(args) > 2 {
		return "", protoErr(badArgument, "resumptionToken is an exclusive argument")
	}
	return verb, nil
}

func (r *request) identify(base string) (*identify, error) {
	earliest := r.now
	changes, _, err := r.p.Store.Changes(time.Time{}, time.Time{}, "", 1)
	if err != nil {
		return nil, err
	}
	if len(changes) > 0 {
		earliest = changes[0].Modified
	}
	name, email := r.p.Name, r.p.AdminEmail
	if name == "" {
		name = "Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities"
	}
	if email == "" {
		email = "archive@localhost"
	}
	return &identify{
		RepositoryName:    name,
		BaseURL:           base,
		ProtocolVersion:   "2.0",
		AdminEmail:        email,
		EarliestDatestamp: datestamp(earliest),
		DeletedRecord:     "persistent",
		Granularity:       "YYYY-MM-DDThh:mm:ssZ",
	}, nil
}

func (r *request) listMetadataFormats(args url.Values) (*listMetadataFormats, error) {
	if id, ok := strings.CutPrefix(args.Get("identifier"), fondsIDPrefix); ok {
		if _, _, err := r.eadRecord(id); errors.Is(err, fault.NotFound) {
			return nil, protoErr(idDoesNotExist, "no archival unit %q", id)
		} else if err != nil {
			return nil, err
		}
		return &listMetadataFormats{Formats: []metadataFormat{eadFormat}}, nil
	}
	if args.Get("identifier") == "" {
		return &listMetadataFormats{Formats: []metadataFormat{dcFormat, eadFormat}}, nil
	}
	it, err := r.item(args.Get("identifier"))
	if err != nil {
		return nil, err
	}
	if _, ok, err := r.record(it, nil, false); err != nil {
		return nil, err
	} else if !ok {
		return nil, noItem(it.ID)
	}
	return &listMetadataFormats{Formats: []metadataFormat{{
		Prefix:    "oai_dc",
		Schema:    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
		Namespace: nsOAIDC,
	}}}, nil
}

// listSets lists the libraries and, under each, the collections an
// anonymous visitor may read: a hidden collection's title is not public.
func (r *request) listSets(args url.Values) (*listSets, error) {
	if args.Has("resumptionToken") {
		return nil, protoErr(badResumptionToken, "ListSets is answered whole; this token was not issued")
	}
	ins, err := r.p.Store.Institutions()
	if err != nil {
		return nil, err
	}
	out := &listSets{}
	for _, in := range ins {
		out.Sets = append(out.Sets, set{Spec: in.ID, Name: in.Name.Get("en") + " / " + in.Name.Get("th")})
		cols, err := r.p.Store.Collections(in.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			ok, err := r.collectionVisible(c)
			if err != nil {
				return nil, err
			}
			if ok {
				out.Sets = append(out.Sets, set{Spec: c.Institution + ":" + c.ID, Name: c.Title.Get("en")})
			}
		}
	}
	if len(out.Sets) == 0 {
		return nil, protoErr(noSetHierarchy, "this repository has no sets")
	}
	return out, nil
}

func (r *request) getRecord(args url.Values) (*getRecord, error) {
	if args.Get("metadataPrefix") == "" || args.Get("identifier") == "" {
		return nil, protoErr(badArgument, "GetRecord needs identifier and metadataPrefix")
	}
	if p := args.Get("metadataPrefix"); p != "oai_dc" {
		return nil, protoErr(cannotDisseminateFormat, "metadataPrefix %q is not offered; oai_dc is", p)
	}
	it, err := r.item(args.Get("identifier"))
	if err != nil {
		return nil, err
	}
	sets, err := r.sets(it)
	if err != nil {
		return nil, err
	}
	rec, ok, err := r.record(it, sets, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noItem(it.ID)
	}
	return &getRecord{Record: rec}, nil
}

// item reads the item an OAI identifier names; withdrawn and closed items
// exist (as deleted records if they were ever published: see record).
func (r *request) item(identifier string) (*repository.Item, error) {
	id, ok := strings.CutPrefix(identifier, idPrefix)
	if !ok || !repository.ValidID(id) {
		return nil, protoErr(idDoesNotExist, "%q is not an identifier of this repository (%sITEM)", identifier, idPrefix)
	}
	it, err := r.p.Store.Item(id)
	if errors.Is(err, fault.NotFound) {
		return nil, noItem(id)
	}
	return it, err
}

// noItem is the answer for an item that does not exist, or that anonymous
// visitors never could read: the two are not told apart.
func noItem(id string) error { return protoErr(idDoesNotExist, "no item %q", id) }

// lookup is a store answer kept for the rest of the request.
type lookup[T any] struct {
	v   *T
	err error
}

// remember reads id through get once per request; answers other than found
// and not found are not kept (they end the request anyway).
func remember[T any](m map[string]lookup[T], id string, get func(string) (*T, error)) (*T, error) {
	if l, ok := m[id]; ok {
		return l.v, l.err
	}
	v, err := get(id)
	if err == nil || errors.Is(err, fault.NotFound) {
		m[id] = lookup[T]{v, err}
	}
	return v, err
}

// Collection reads a collection for the access decisions of this request.
func (r *request) Collection(id string) (*repository.Collection, error) {
	return remember(r.cols, id, r.p.Store.Collection)
}

// Institution reads a library for the access decisions of this request.
func (r *request) Institution(id string) (*repository.Institution, error) {
	return remember(r.insts, id, r.p.Store.Institution)
}

var _ access.Lookup = (*request)(nil)

// collectionVisible reports whether an anonymous visitor may read the
// collection's description: only those collections are sets.
func (r *request) collectionVisible(c *repository.Collection) (bool, error) {
	if ok, seen := r.visible[c.ID]; seen {
		return ok, nil
	}
	res, err := access.CollectionResource(r, c)
	if err != nil {
		return false, err
	}
	// A deleted collection is a withdrawn resource: Decide refuses it too.
	ok := access.Decide(access.Principal{}, access.ReadMetadata, res, r.now) == nil
	r.visible[c.ID] = ok
	return ok, nil
}
