package web

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html):
// records are the items, oai_dc is the format, libraries and collections are
// sets, withdrawn and closed items are deleted records.

const oaiPage = 100

var oaiVerbs = map[string][]string{
	"Identify":            nil,
	"ListMetadataFormats": {"identifier"},
	"ListSets":            {"resumptionToken"},
	"GetRecord":           {"identifier", "metadataPrefix"},
	"ListIdentifiers":     {"metadataPrefix", "from", "until", "set", "resumptionToken"},
	"ListRecords":         {"metadataPrefix", "from", "until", "set", "resumptionToken"},
}

type oaiError struct{ code, msg string }

func (e *oaiError) Error() string { return e.code + ": " + e.msg }

func oaiErr(code, format string, a ...any) *oaiError {
	return &oaiError{code, fmt.Sprintf(format, a...)}
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (s *Server) oai(c *gin.Context) {
	c.Request.ParseForm()
	args := c.Request.Form
	base := s.baseURL(c) + "/oai"
	var body strings.Builder
	verb, err := s.oaiVerb(c, args, base, &body)
	var out strings.Builder
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
		`xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">` + "\n")
	fmt.Fprintf(&out, "<responseDate>%s</responseDate>\n", time.Now().UTC().Format(time.RFC3339))
	if err != nil && (err.code == "badVerb" || err.code == "badArgument") {
		fmt.Fprintf(&out, "<request>%s</request>\n", esc(base))
	} else {
		out.WriteString("<request")
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&out, ` %s="%s"`, k, esc(args.Get(k)))
		}
		fmt.Fprintf(&out, ">%s</request>\n", esc(base))
	}
	if err != nil {
		fmt.Fprintf(&out, "<error code=\"%s\">%s</error>\n", err.code, esc(err.msg))
	} else {
		fmt.Fprintf(&out, "<%s>\n%s</%s>\n", verb, body.String(), verb)
	}
	out.WriteString("</OAI-PMH>\n")
	c.Header("Cache-Control", "no-store")
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "text/xml; charset=utf-8", []byte(out.String()))
}

func (s *Server) oaiVerb(c *gin.Context, args url.Values, base string, w *strings.Builder) (string, *oaiError) {
	verbs := args["verb"]
	if len(verbs) != 1 {
		return "", oaiErr("badVerb", "give exactly one verb (Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords)")
	}
	verb := verbs[0]
	allowed, ok := oaiVerbs[verb]
	if !ok {
		return "", oaiErr("badVerb", "%q is not an OAI-PMH verb", verb)
	}
	for k, v := range args {
		if k == "verb" {
			continue
		}
		if !slices.Contains(allowed, k) {
			return "", oaiErr("badArgument", "%s does not take the argument %q", verb, k)
		}
		if len(v) != 1 {
			return "", oaiErr("badArgument", "argument %q is repeated", k)
		}
	}
	if args.Has("resumptionToken") && len(args) > 2 {
		return "", oaiErr("badArgument", "resumptionToken is an exclusive argument")
	}
	switch verb {
	case "Identify":
		earliest := time.Now().UTC()
		if ch, _, _ := s.cfg.Store.Changes(time.Time{}, time.Time{}, "", 1); len(ch) > 0 {
			earliest = ch[0].Modified
		}
		fmt.Fprintf(w, "<repositoryName>%s</repositoryName>\n<baseURL>%s</baseURL>\n<protocolVersion>2.0</protocolVersion>\n"+
			"<adminEmail>%s</adminEmail>\n<earliestDatestamp>%s</earliestDatestamp>\n<deletedRecord>persistent</deletedRecord>\n"+
			"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n",
			esc("Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities"), esc(base), esc(s.adminEmail()), earliest.Format(time.RFC3339))
	case "ListMetadataFormats":
		if id := args.Get("identifier"); id != "" {
			if _, err := s.oaiItem(id); err != nil {
				return "", err
			}
		}
		w.WriteString("<metadataFormat><metadataPrefix>oai_dc</metadataPrefix><schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>" +
			"<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace></metadataFormat>\n")
	case "ListSets":
		if args.Has("resumptionToken") {
			return "", oaiErr("badResumptionToken", "ListSets is answered whole; this token was not issued")
		}
		ins, _ := s.cfg.Store.Institutions()
		for _, in := range ins {
			fmt.Fprintf(w, "<set><setSpec>%s</setSpec><setName>%s</setName></set>\n", in.ID, esc(in.Name.Get("en")+" / "+in.Name.Get("th")))
			cols, _ := s.cfg.Store.Collections(in.ID)
			for _, col := range cols {
				if !col.Deleted {
					fmt.Fprintf(w, "<set><setSpec>%s</setSpec><setName>%s</setName></set>\n", esc(col.Institution+":"+col.ID), esc(col.Title.Get("en")))
				}
			}
		}
	case "GetRecord":
		if args.Get("metadataPrefix") == "" || args.Get("identifier") == "" {
			return "", oaiErr("badArgument", "GetRecord needs identifier and metadataPrefix")
		}
		if args.Get("metadataPrefix") != "oai_dc" {
			return "", oaiErr("cannotDisseminateFormat", "only oai_dc is offered")
		}
		it, err := s.oaiItem(args.Get("identifier"))
		if err != nil {
			return "", err
		}
		s.oaiRecord(c, w, it, true)
	default:
		return verb, s.oaiList(c, verb, args, w)
	}
	return verb, nil
}

func (s *Server) adminEmail() string {
	if s.cfg.AdminEmail != "" {
		return s.cfg.AdminEmail
	}
	return "archive@localhost"
}

func (s *Server) oaiItem(id string) (*repository.Item, *oaiError) {
	item, ok := strings.CutPrefix(id, "oai:archive:")
	if !ok || !repository.ValidID(item) {
		return nil, oaiErr("idDoesNotExist", "%q is not an identifier of this repository (oai:archive:ITEM)", id)
	}
	it, err := s.cfg.Store.Item(item)
	if err != nil {
		return nil, oaiErr("idDoesNotExist", "no item %q", item)
	}
	return it, nil
}

// token is the state of a list request, carried in its resumption token.
type oaiToken struct {
	Verb, Set, From, Until, After string
	Cursor                        int
}

func (t oaiToken) encode() string {
	raw := strings.Join([]string{t.Verb, t.Set, t.From, t.Until, base64.RawURLEncoding.EncodeToString([]byte(t.After)), fmt.Sprint(t.Cursor)}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeToken(s, verb string) (oaiToken, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	parts := strings.Split(string(raw), "|")
	if err != nil || len(parts) != 6 || parts[0] != verb {
		return oaiToken{}, false
	}
	after, err := base64.RawURLEncoding.DecodeString(parts[4])
	var n int
	if _, serr := fmt.Sscan(parts[5], &n); err != nil || serr != nil || len(after) < 9 {
		return oaiToken{}, false
	}
	return oaiToken{Verb: verb, Set: parts[1], From: parts[2], Until: parts[3], After: string(after), Cursor: n}, true
}

// oaiDate parses a from or until argument, returning the instant and its granularity.
func oaiDate(s string, until bool) (time.Time, string, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if until {
			t = t.AddDate(0, 0, 1) // the whole day
		}
		return t, "day", true
	}
	if t, err := time.Parse("2006-01-02T15:04:05Z", s); err == nil {
		if until {
			t = t.Add(time.Second)
		}
		return t, "seconds", true
	}
	return time.Time{}, "", false
}

func (s *Server) oaiList(c *gin.Context, verb string, args url.Values, w *strings.Builder) *oaiError {
	var t oaiToken
	if tok := args.Get("resumptionToken"); tok != "" {
		var ok bool
		if t, ok = decodeToken(tok, verb); !ok {
			return oaiErr("badResumptionToken", "this resumption token is not one this repository issued")
		}
	} else {
		switch p := args.Get("metadataPrefix"); p {
		case "":
			return oaiErr("badArgument", "%s needs metadataPrefix", verb)
		case "oai_dc":
		default:
			return oaiErr("cannotDisseminateFormat", "metadataPrefix %q is not offered; oai_dc is", p)
		}
		t = oaiToken{Verb: verb, Set: args.Get("set"), From: args.Get("from"), Until: args.Get("until")}
	}
	var from, until time.Time
	var gf, gu string
	var ok bool
	if t.From != "" {
		if from, gf, ok = oaiDate(t.From, false); !ok {
			return oaiErr("badArgument", "from %q is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", t.From)
		}
	}
	if t.Until != "" {
		if until, gu, ok = oaiDate(t.Until, true); !ok {
			return oaiErr("badArgument", "until %q is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", t.Until)
		}
	}
	if gf != "" && gu != "" && gf != gu {
		return oaiErr("badArgument", "from and until have different granularities")
	}
	if !from.IsZero() && !until.IsZero() && !from.Before(until) {
		return oaiErr("badArgument", "from is after until")
	}
	if t.Set != "" && !s.setExists(t.Set) {
		return oaiErr("noRecordsMatch", "there is no set %q", t.Set)
	}
	n, after, more := 0, t.After, false
scan:
	for {
		changes, _, err := s.cfg.Store.Changes(from, until, after, oaiPage)
		if err != nil {
			return oaiErr("badArgument", "the archive cannot be read now; try again")
		}
		if len(changes) == 0 {
			break
		}
		for _, ch := range changes {
			if n == oaiPage {
				more = true
				break scan
			}
			after = repository.ChangeCursor(ch)
			it, err := s.cfg.Store.Item(ch.ID)
			if err != nil || !s.inSet(it, t.Set) {
				continue
			}
			s.oaiRecord(c, w, it, verb == "ListRecords")
			n++
		}
	}
	if n == 0 && t.After == "" {
		return oaiErr("noRecordsMatch", "no records match these arguments")
	}
	if more {
		next := oaiToken{Verb: verb, Set: t.Set, From: t.From, Until: t.Until, After: after, Cursor: t.Cursor + n}
		fmt.Fprintf(w, "<resumptionToken cursor=\"%d\">%s</resumptionToken>\n", t.Cursor, next.encode())
	} else if t.After != "" {
		fmt.Fprintf(w, "<resumptionToken cursor=\"%d\"/>\n", t.Cursor)
	}
	return nil
}

func (s *Server) setExists(spec string) bool {
	inst, coll, _ := strings.Cut(spec, ":")
	if _, err := s.cfg.Store.Institution(inst); err != nil {
		return false
	}
	if coll == "" {
		return true
	}
	col, err := s.cfg.Store.Collection(coll)
	return err == nil && col.Institution == inst
}

// sets are the set specs an item belongs to: its library and every
// collection up its hierarchy.
func (s *Server) sets(it *repository.Item) []string {
	out := []string{it.Institution}
	for id, depth := it.Collection, 0; id != "" && depth < 32; depth++ {
		col, err := s.cfg.Store.Collection(id)
		if err != nil {
			break
		}
		out = append(out, col.Institution+":"+col.ID)
		id = col.Parent
	}
	return out
}

func (s *Server) inSet(it *repository.Item, spec string) bool {
	return spec == "" || slices.Contains(s.sets(it), spec)
}

// oaiRecord writes an item's header and, unless it is deleted or closed to
// the public, its oai_dc metadata.
func (s *Server) oaiRecord(c *gin.Context, w *strings.Builder, it *repository.Item, full bool) {
	deleted := it.Deleted || !it.Access.Open(time.Now())
	status := ""
	if deleted {
		status = ` status="deleted"`
	}
	head := fmt.Sprintf("<header%s><identifier>%s</identifier><datestamp>%s</datestamp>", status,
		presentation.OAIIdentifier(it.ID), it.Modified.UTC().Format(time.RFC3339))
	for _, set := range s.sets(it) {
		head += "<setSpec>" + esc(set) + "</setSpec>"
	}
	head += "</header>\n"
	if !full {
		w.WriteString(head)
		return
	}
	w.WriteString("<record>" + head)
	if !deleted {
		w.WriteString("<metadata>\n" + s.dublinCore(c, it) + "</metadata>\n")
	}
	w.WriteString("</record>\n")
}

func (s *Server) dublinCore(c *gin.Context, it *repository.Item) string {
	var b strings.Builder
	b.WriteString(`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">` + "\n")
	text := func(el string, t repository.Text) {
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if t[k] == "" {
				continue
			}
			lang := ""
			if k != "none" {
				lang = ` xml:lang="` + esc(k) + `"`
			}
			fmt.Fprintf(&b, "<dc:%s%s>%s</dc:%s>\n", el, lang, esc(t[k]), el)
		}
	}
	plain := func(el, v string) {
		if v != "" {
			fmt.Fprintf(&b, "<dc:%s>%s</dc:%s>\n", el, esc(v), el)
		}
	}
	text("title", it.Title)
	text("creator", it.Creator)
	for _, sub := range it.Subjects {
		text("subject", sub)
	}
	text("description", it.Summary)
	if in, err := s.cfg.Store.Institution(it.Institution); err == nil {
		text("publisher", in.Name)
	}
	plain("date", it.Date)
	if d, err := edtf.Parse(it.Date); err == nil {
		fmt.Fprintf(&b, "<dc:date xml:lang=\"th\">%s</dc:date>\n", esc(d.Format("th")))
	}
	plain("type", it.Type)
	for _, f := range it.Files {
		plain("format", strings.Split(f.MediaType, ";")[0])
	}
	plain("identifier", s.baseURL(c)+"/items/"+it.ID)
	plain("identifier", s.baseURL(c)+"/iiif/3/manifest/"+it.ID)
	for _, l := range it.Language {
		plain("language", l)
	}
	plain("rights", it.Rights)
	if it.Collection != "" {
		if col, err := s.cfg.Store.Collection(it.Collection); err == nil {
			text("relation", col.Title)
		}
	}
	b.WriteString("</oai_dc:dc>\n")
	return b.String()
}
