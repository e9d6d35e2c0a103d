package repository

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// Source is another repository whose records a library brings into the
// shared catalogue: an OAI-PMH base URL, with a set and a metadata format,
// or a IIIF Collection, harvested every Every. Run is the state of its runs: what the next run
// starts from and what the last one found. A removed source stays as a
// tombstone, so that a rebuild does not bring it back.
type Source struct {
	ID          string    `json:"id"`
	Institution string    `json:"institution"`    // the library that registered it
	OAI         string    `json:"oai,omitempty"`  // the OAI-PMH base URL
	IIIF        string    `json:"iiif,omitempty"` // or a IIIF Collection (v2 or v3), walked to its manifests
	Set         string    `json:"set,omitempty"`
	Format      string    `json:"format"` // metadataPrefix: oai_dc, qdc, mods, marcxml or ead
	Every       string    `json:"every"`  // a Go duration: 24h
	Run         SourceRun `json:"run,omitzero"`
	Deleted     bool      `json:"deleted,omitempty"`
	Version     int       `json:"version"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

// SourceRun is what a source's runs have done and where the next begins.
type SourceRun struct {
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"` // zero while a run is unfinished
	// Token is the resumption token of an unfinished run: the next run
	// asks for it first, so a run that stopped midway goes on from there.
	Token string `json:"token,omitempty"`
	// From is the datestamp the next run asks from: the start of the last
	// finished run, in the source's granularity ("" the first time).
	From        string `json:"from,omitempty"`
	Granularity string `json:"granularity,omitempty"` // from Identify
	Deleted     string `json:"deletedRecord,omitempty"`
	// Counts of the last run: records read, entries added, changed,
	// unchanged, removed, and records refused.
	Read      int `json:"read"`
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	Failed    int `json:"failed"`
	// Errors says why records were refused, by their identifier (the first
	// MaxRunErrors of a run).
	Errors []RecordError `json:"errors,omitempty"`
	// Error is why the last run stopped before its end ("" when it did not).
	Error string    `json:"error,omitempty"`
	Next  time.Time `json:"next,omitzero"` // when the source is due again
}

// RecordError is a record a run refused, and why.
type RecordError struct {
	Identifier string `json:"identifier"`
	Error      string `json:"error"`
}

// MaxRunErrors is how many refused records a run keeps by name.
const MaxRunErrors = 100

// Formats a source may be harvested in.
var Formats = []string{"oai_dc", "qdc", "mods", "marcxml", "ead"}

// Interval is how often s is harvested.
func (s *Source) Interval() time.Duration {
	d, err := time.ParseDuration(s.Every)
	if err != nil {
		return 24 * time.Hour
	}
	return d
}

// Validate checks a source's own fields.
func (s *Source) Validate() error {
	var problems []string
	if !ValidID(s.ID) || s.Institution == "" {
		problems = append(problems, "a source needs an id and its library")
	}
	switch {
	case (s.OAI == "") == (s.IIIF == ""):
		problems = append(problems, "a source is an OAI-PMH base URL or a IIIF Collection, one of the two")
	case s.IIIF != "":
		if u, err := url.Parse(s.IIIF); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			problems = append(problems, fmt.Sprintf("the IIIF Collection %q is not an http or https URL", s.IIIF))
		}
	default:
		u, err := url.Parse(s.OAI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problems = append(problems, fmt.Sprintf("the OAI-PMH base URL %q is not an http or https URL without a query", s.OAI))
		}
		known := false
		for _, f := range Formats {
			known = known || s.Format == f
		}
		if !known {
			problems = append(problems, fmt.Sprintf("the metadata format %q is not one of %s", s.Format, strings.Join(Formats, ", ")))
		}
	}
	if d, err := time.ParseDuration(s.Every); err != nil || d < time.Minute || d > 366*24*time.Hour {
		problems = append(problems, fmt.Sprintf("the schedule %q is not a duration between 1m and 8784h", s.Every))
	}
	if strings.ContainsAny(s.Set, " \t\r\n") || len(s.Set) > 500 {
		problems = append(problems, fmt.Sprintf("the set %q is not a set spec", s.Set))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %w", strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}

// Entry is a record of a source in the catalogue: a public description of
// someone else's material, with a link to the place to read it. Nothing of
// it is a master of this archive: it has no files, no ARK, no manifest of
// ours, and it is never one of this archive's OAI-PMH records. A record
// the source deleted stays as a tombstone.
type Entry struct {
	ID          string   `json:"id"`
	Source      string   `json:"source"`
	Institution string   `json:"institution"`
	Identifier  string   `json:"identifier"` // the OAI-PMH record's identifier
	Datestamp   string   `json:"datestamp,omitempty"`
	Sets        []string `json:"sets,omitempty"`
	Title       Text     `json:"title"`
	Summary     Text     `json:"summary,omitempty"`
	Creators    []string `json:"creators,omitempty"`
	Subjects    []Text   `json:"subjects,omitempty"`
	Date        string   `json:"date,omitempty"` // EDTF
	Type        string   `json:"type,omitempty"` // DCMI type when the record names one
	Language    []string `json:"language,omitempty"`
	// Link is the original, the place to read it: a URL, a handle or a DOI
	// as a URL.
	Link        string   `json:"link,omitempty"`
	Identifiers []string `json:"identifiers,omitempty"`
	Thumbnail   string   `json:"thumbnail,omitempty"`
	// Manifest is the original's IIIF manifest, on its own server: the
	// archive's viewer opens it there.
	Manifest string `json:"manifest,omitempty"`
	// Digest is the SHA-256 of the mapped description: a re-harvest that
	// maps to the same digest writes nothing.
	Digest   string    `json:"digest"`
	Deleted  bool      `json:"deleted,omitempty"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// Validate checks an entry's own fields.
func (e *Entry) Validate() error {
	switch {
	case !ValidID(e.ID) || e.Source == "" || e.Institution == "" || e.Identifier == "":
		return fmt.Errorf("an entry needs an id, its source, its library and its identifier: %w", fault.Invalid)
	case !e.Deleted && strings.TrimSpace(e.Title.Get("")) == "":
		return fmt.Errorf("record %s has no title: %w", e.Identifier, fault.Invalid)
	}
	return nil
}
