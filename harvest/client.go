package harvest

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// client asks one OAI-PMH provider, at a polite rate, with retries and
// back-off on network errors and 5xx answers, and 503's Retry-After
// honoured up to a bound.
type client struct {
	http    *http.Client
	base    string
	pause   time.Duration // at least this between two requests
	retries int           // tries after the first
	backoff time.Duration // the first wait after a failure; doubled each time
	maxWait time.Duration // the longest wait a Retry-After is honoured for
	last    time.Time
}

// identity is what Identify says of a provider that a harvest needs.
type identity struct {
	Granularity string // YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ
	Earliest    string
	Deleted     string // no, transient or persistent
	Now         time.Time
}

// oaiError is an OAI-PMH error answer (noRecordsMatch, badResumptionToken…).
type oaiError struct{ Code, Text string }

func (e *oaiError) Error() string {
	return fmt.Sprintf("the provider answered %s: %s", e.Code, strings.TrimSpace(e.Text))
}

// get asks the provider for verb with params and hands the answer's body
// to read. A network error or a 5xx answer is tried again after a wait
// that doubles (503's Retry-After instead, up to maxWait); read's own
// error is not.
func (c *client) get(ctx context.Context, params url.Values, read func(io.Reader) error) error {
	return c.fetch(ctx, c.base+"?"+params.Encode(), read)
}

// fetch asks for u as get does.
func (c *client) fetch(ctx context.Context, u string, read func(io.Reader) error) error {
	wait := c.backoff
	for try := 0; ; try++ {
		if err := c.polite(ctx); err != nil {
			return err
		}
		again, err := c.once(ctx, u, read)
		if err == nil || again < 0 || try >= c.retries {
			return err
		}
		if again == 0 {
			again = wait
			wait *= 2
		}
		if err := pause(ctx, min(again, c.maxWait)); err != nil {
			return err
		}
	}
}

// once makes one request. It returns how long to wait before trying
// again (0: the back-off's time; negative: do not try again).
func (c *client) once(ctx context.Context, u string, read func(io.Reader) error) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return -1, fmt.Errorf("%q cannot be asked: %w", u, fault.Invalid)
	}
	req.Header.Set("User-Agent", "thaiarchives-harvest/1")
	c.last = time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return 0, fmt.Errorf("the provider did not answer: %w", fault.Unavailable)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable:
		return retryAfter(resp.Header.Get("Retry-After"), time.Now()), fmt.Errorf("the provider answered 503: %w", fault.Unavailable)
	case resp.StatusCode >= 500:
		return 0, fmt.Errorf("the provider answered %d: %w", resp.StatusCode, fault.Unavailable)
	case resp.StatusCode != http.StatusOK:
		return -1, fmt.Errorf("the provider answered %d: %w", resp.StatusCode, fault.Invalid)
	}
	return -1, read(resp.Body)
}

// polite waits until pause has passed since the last request.
func (c *client) polite(ctx context.Context) error {
	if c.last.IsZero() {
		return nil
	}
	return pause(ctx, time.Until(c.last.Add(c.pause)))
}

func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when
// it says nothing usable.
func retryAfter(h string, now time.Time) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// identify asks the provider what it is.
func (c *client) identify(ctx context.Context) (identity, error) {
	var id identity
	err := c.get(ctx, url.Values{"verb": {"Identify"}}, func(r io.Reader) error {
		var doc struct {
			ResponseDate string    `xml:"responseDate"`
			Error        *xmlError `xml:"error"`
			Identify     struct {
				Granularity string `xml:"granularity"`
				Earliest    string `xml:"earliestDatestamp"`
				Deleted     string `xml:"deletedRecord"`
			} `xml:"Identify"`
		}
		if err := xml.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&doc); err != nil {
			return fmt.Errorf("the answer to Identify is not OAI-PMH XML (%v): %w", err, fault.Invalid)
		}
		if doc.Error != nil {
			return &oaiError{doc.Error.Code, doc.Error.Text}
		}
		id.Granularity = strings.TrimSpace(doc.Identify.Granularity)
		id.Earliest = strings.TrimSpace(doc.Identify.Earliest)
		id.Deleted = strings.TrimSpace(doc.Identify.Deleted)
		id.Now, _ = time.Parse(time.RFC3339, strings.TrimSpace(doc.ResponseDate))
		if id.Granularity != dayGranularity && id.Granularity != secondGranularity {
			return fmt.Errorf("the answer to Identify names no granularity the protocol knows (%q): %w", id.Granularity, fault.Invalid)
		}
		return nil
	})
	return id, err
}

// The two granularities of OAI-PMH datestamps.
const (
	dayGranularity    = "YYYY-MM-DD"
	secondGranularity = "YYYY-MM-DDThh:mm:ssZ"
)

// datestamp is t in a provider's granularity.
func datestamp(t time.Time, granularity string) string {
	if granularity == dayGranularity {
		return t.UTC().Format(time.DateOnly)
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

type xmlError struct {
	Code string `xml:"code,attr"`
	Text string `xml:",chardata"`
}

// record is one record of a ListRecords answer.
type record struct {
	Header struct {
		Status     string
		Identifier string
		Datestamp  string
		Sets       []string
	}
	// Metadata holds the record's one element (oai_dc:dc, qdc:qualifieddc,
	// mods, marc:record, ead) as a tree each format's mapping reads.
	Metadata struct {
		Root *node
	}
	// Cut is whether the record was larger than maxRecord, and its tree
	// cut short.
	Cut bool
}

// node is an element of a record's metadata: its name, attributes, own
// text and child elements.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []*node    `xml:",any"`
}

// attr is the value of the attribute named local (in any namespace).
func (n *node) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// lang is the element's xml:lang, or its MODS lang attribute.
func (n *node) lang() string {
	return n.attr("lang")
}

// value is the element's own text with its white space folded.
func (n *node) value() string {
	return strings.Join(strings.Fields(n.Text), " ")
}

// children are the child elements named local.
func (n *node) children(local string) []*node {
	var out []*node
	for _, c := range n.Nodes {
		if c.XMLName.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// first is the value of the first child named local that has one.
func (n *node) first(local string) string {
	for _, c := range n.children(local) {
		if v := c.value(); v != "" {
			return v
		}
	}
	return ""
}

// listPage asks for one page of ListRecords and hands each record to each
// as it is read. It returns the page's resumption token ("" at the end).
// A page that is not well-formed is an error with what was read before
// it already handed on: the caller asks for the page again. A page is
// read record by record, so memory is bounded by a record, not a page.
func (c *client) listPage(ctx context.Context, params url.Values, each func(*record) error) (string, error) {
	var token string
	err := c.get(ctx, params, func(r io.Reader) error {
		token = ""
		d := xml.NewDecoder(r)
		oai := false
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) && oai {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("an answer to ListRecords is not OAI-PMH: %w", fault.Invalid)
			}
			if err != nil {
				return fmt.Errorf("a page of ListRecords is not well-formed XML (%v): %w", err, fault.Invalid)
			}
			start, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch start.Name.Local {
			case "OAI-PMH":
				oai = true
			case "error":
				var e xmlError
				if err := d.DecodeElement(&e, &start); err != nil {
					return fmt.Errorf("a page of ListRecords is not well-formed XML (%v): %w", err, fault.Invalid)
				}
				if e.Code == "noRecordsMatch" {
					return nil
				}
				return &oaiError{e.Code, e.Text}
			case "record":
				tree, cut, err := readTree(d, start, maxRecord)
				if err != nil {
					return fmt.Errorf("a page of ListRecords is not well-formed XML (%v): %w", err, fault.Invalid)
				}
				rec := recordOf(tree, cut)
				if strings.TrimSpace(rec.Header.Identifier) == "" {
					return fmt.Errorf("a record of ListRecords has no identifier: %w", fault.Invalid)
				}
				if err := each(rec); err != nil {
					return err
				}
			case "resumptionToken":
				var t string
				if err := d.DecodeElement(&t, &start); err != nil {
					return fmt.Errorf("a page of ListRecords is not well-formed XML (%v): %w", err, fault.Invalid)
				}
				token = strings.TrimSpace(t)
			}
		}
	})
	return token, err
}
