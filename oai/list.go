package oai

import (
	"encoding/base64"
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// token is the whole state of a list request, carried in its resumption
// token (§3.5): the arguments, the last change read and how many records
// came before.
type token struct {
	Verb, Set, From, Until string
	After                  repository.Change
	Cursor                 int
}

// maxCursor is more records than the archive will hold: a larger count is
// not one this repository issued.
const maxCursor = 1 << 40

func (t token) encode() string {
	raw := strings.Join([]string{t.Verb, t.Set, t.From, t.Until,
		strconv.FormatInt(t.After.Modified.UnixNano(), 10), t.After.ID, strconv.Itoa(t.Cursor)}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeToken parses a token issued for verb; anything else is refused.
func decodeToken(s, verb string) (token, error) {
	bad := protoErr(badResumptionToken, "this resumption token is not one this repository issued for %s", verb)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return token{}, bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 7 || parts[0] != verb || !repository.ValidID(parts[5]) {
		return token{}, bad
	}
	nanos, ok := number(parts[4], math.MaxInt64)
	if !ok {
		return token{}, bad
	}
	cursor, ok := number(parts[6], maxCursor)
	if !ok {
		return token{}, bad
	}
	return token{Verb: verb, Set: parts[1], From: parts[2], Until: parts[3],
		After: repository.Change{Modified: time.Unix(0, nanos).UTC(), ID: parts[5]}, Cursor: int(cursor)}, nil
}

// number parses a count of at most max written in decimal digits alone.
func number(s string, max int64) (int64, bool) {
	if s == "" || len(s) > 19 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= max
}

// The change index keys instants in int64 nanoseconds since 1970.
var (
	firstInstant = time.Unix(0, 0).UTC()
	lastInstant  = time.Unix(0, math.MaxInt64).UTC()
)

// parseDate parses a from or until argument (§3.3.1), returning the
// instant and its granularity. until is inclusive: it becomes the first
// instant after its day or second.
func parseDate(s string, until bool) (time.Time, string, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if until {
			t = t.AddDate(0, 0, 1)
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

// window parses the token's from and until. A badArgument of a token's own
// state is a token this repository did not issue.
func (t token) window(resumed bool) (from, until time.Time, err error) {
	fail := func(code, format string, a ...any) (time.Time, time.Time, error) {
		if resumed {
			code, format, a = badResumptionToken, "this resumption token is not one this repository issued", nil
		}
		return time.Time{}, time.Time{}, protoErr(code, format, a...)
	}
	var gf, gu string
	var ok bool
	if t.From != "" {
		if from, gf, ok = parseDate(t.From, false); !ok {
			return fail(badArgument, "from %q is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", t.From)
		}
	}
	if t.Until != "" {
		if until, gu, ok = parseDate(t.Until, true); !ok {
			return fail(badArgument, "until %q is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", t.Until)
		}
	}
	if gf != "" && gu != "" && gf != gu {
		return fail(badArgument, "from and until have different granularities")
	}
	if !from.IsZero() && !until.IsZero() && !from.Before(until) {
		return fail(badArgument, "from is after until")
	}
	if from.Before(firstInstant) {
		from = time.Time{} // nothing was changed before 1970: no lower bound
	}
	return from, until, nil
}

// list answers ListIdentifiers and ListRecords: a page of records in
// change order, and the token that continues it.
func (r *request) list(verb string, args url.Values, full bool) ([]record, *resumptionToken, error) {
	var t token
	resumed := args.Has("resumptionToken")
	if resumed {
		var err error
		if t, err = decodeToken(args.Get("resumptionToken"), verb); err != nil {
			return nil, nil, err
		}
	} else {
		switch p := args.Get("metadataPrefix"); p {
		case "":
			return nil, nil, protoErr(badArgument, "%s needs metadataPrefix", verb)
		case "oai_dc":
		default:
			return nil, nil, protoErr(cannotDisseminateFormat, "metadataPrefix %q is not offered; oai_dc is", p)
		}
		t = token{Verb: verb, Set: args.Get("set"), From: args.Get("from"), Until: args.Get("until")}
	}
	from, until, err := t.window(resumed)
	if err != nil {
		return nil, nil, err
	}
	if t.Set != "" {
		ok, err := r.setExists(t.Set)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, protoErr(noRecordsMatch, "there is no set %q", t.Set)
		}
	}
	recs, last, more, err := r.scan(t, from, until, full)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(recs) == 0 && !resumed:
		return nil, nil, protoErr(noRecordsMatch, "no records match these arguments")
	case more:
		next := t
		next.After, next.Cursor = last, t.Cursor+len(recs)
		return recs, &resumptionToken{Cursor: t.Cursor, Value: next.encode()}, nil
	case resumed:
		return recs, &resumptionToken{Cursor: t.Cursor}, nil
	}
	return recs, nil, nil
}

// walkBound is how many entries a selective request walks without filling
// its page before it answers with what it has and a resumption token, so
// that a sparse set or window costs each request no more than this.
const walkBound = 10 * pageSize

// scan reads changes after the token's until a page of records in its set
// is full, and says whether another record follows. last is the last change
// read before the page ended (records outside the set are not read again).
// A set's changes come from its own index; a selective request that walked
// walkBound entries ends its page early once it holds a record (a list
// holds at least one, §3.5).
func (r *request) scan(t token, from, until time.Time, full bool) (recs []record, last repository.Change, more bool, err error) {
	if from.After(lastInstant) {
		return nil, last, false, nil
	}
	after := ""
	if t.After.ID != "" {
		after = bolt.ChangeCursor(t.After)
	}
	changes := r.p.Store.Changes
	if t.Set != "" {
		inst, unit, _ := strings.Cut(t.Set, ":")
		changes = func(from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
			return r.p.Store.SetChanges(inst, unit, from, until, after, limit)
		}
	}
	selective := t.Set != "" || t.From != "" || t.Until != ""
	walked := 0
	for {
		if err := r.ctx.Err(); err != nil {
			return nil, last, false, err
		}
		page, next, err := changes(from, until, after, pageSize)
		if err != nil {
			return nil, last, false, err
		}
		for _, ch := range page {
			if selective && walked >= walkBound && len(recs) > 0 {
				return recs, last, true, nil
			}
			walked++
			it, err := r.p.Store.Item(ch.ID)
			if err != nil && !errors.Is(err, fault.NotFound) {
				return nil, last, false, err
			}
			var sets []string
			if err == nil {
				if sets, err = r.sets(it); err != nil {
					return nil, last, false, err
				}
			}
			if it == nil || t.Set != "" && !slices.Contains(sets, t.Set) {
				last = ch
				continue
			}
			rec, ok, err := r.record(it, sets, full && len(recs) < pageSize)
			if err != nil {
				return nil, last, false, err
			}
			if !ok { // never published: not a record
				last = ch
				continue
			}
			if len(recs) == pageSize {
				return recs, last, true, nil
			}
			recs = append(recs, rec)
			last = ch
		}
		if next == "" || len(page) == 0 {
			return recs, last, false, nil
		}
		after = bolt.ChangeCursor(last)
	}
}

// setExists reports whether spec names a library, or a collection of that
// library an anonymous visitor may read.
func (r *request) setExists(spec string) (bool, error) {
	inst, coll, nested := strings.Cut(spec, ":")
	if _, err := r.Institution(inst); err != nil {
		if errors.Is(err, fault.NotFound) {
			return false, nil
		}
		return false, err
	}
	if !nested {
		return true, nil
	}
	c, err := r.Collection(coll)
	if errors.Is(err, fault.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.Institution != inst {
		return false, nil
	}
	return r.collectionVisible(c)
}

// sets are the set specs of an item: its library, and every collection up
// its hierarchy that an anonymous visitor may read.
func (r *request) sets(it *repository.Item) ([]string, error) {
	out := []string{it.Institution}
	for id, depth := it.Collection, 0; id != "" && depth < 64; depth++ {
		c, err := r.Collection(id)
		if errors.Is(err, fault.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		ok, err := r.collectionVisible(c)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c.Institution+":"+c.ID)
		}
		id = c.Parent
	}
	return out, nil
}
