// Package harvest brings the records of the libraries' own repositories
// into the shared catalogue: it keeps the sources (an OAI-PMH base URL,
// a set, a metadata format and a schedule), harvests them as the protocol
// means (Identify first, ListRecords from the last run's datestamp,
// resumption tokens to the end, retries and a polite rate) and maps each
// record to a catalogue entry of the library that registered the source.
package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Store is what the service needs of the metadata store.
type Store interface {
	Institution(id string) (*repository.Institution, error)
	SaveSource(ctx context.Context, src *repository.Source) error
	Source(id string) (*repository.Source, error)
	Sources() ([]*repository.Source, error)
	SaveEntries(ctx context.Context, es []*repository.Entry) ([]bool, []error, error)
	EntryIdentifiers(source string) ([]string, error)
}

// Service keeps the sources and runs their harvests. Its zero options are
// the defaults; tests shorten the waits.
type Service struct {
	store Store
	http  *http.Client
	// Now is the clock.
	Now func() time.Time
	// Pause is the least time between two requests to one source (1s).
	Pause time.Duration
	// Retries is how many times a failed request is tried again (5).
	Retries int
	// Backoff is the first wait after a failed request, doubled each time (2s).
	Backoff time.Duration
	// MaxWait bounds a wait a 503's Retry-After asks for (5m).
	MaxWait time.Duration

	mu      sync.Mutex
	running map[string]bool
}

// New returns the service over store, asking providers with client (nil:
// a client with a one-minute timeout).
func New(store Store, client *http.Client) *Service {
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	return &Service{store: store, http: client, Now: time.Now, Pause: time.Second, Retries: 5, Backoff: 2 * time.Second, MaxWait: 5 * time.Minute, running: map[string]bool{}}
}

// library is the resource of a library's sources: its administrators and
// the system administrators manage them, as they manage its users.
func library(id string) access.Resource {
	return access.Resource{Kind: "library", ID: id, Institution: id}
}

// Add registers src for its library, due at once. Format and Every
// default to oai_dc and 24h.
func (s *Service) Add(ctx context.Context, p access.Principal, src *repository.Source) error {
	if err := access.Decide(p, access.ManageUsers, library(src.Institution), s.Now()); err != nil {
		return err
	}
	if _, err := s.store.Institution(src.Institution); errors.Is(err, fault.NotFound) {
		return fmt.Errorf("no library %q: %w", src.Institution, fault.NotFound)
	} else if err != nil {
		return err
	}
	next := repository.Source{Institution: src.Institution, OAI: src.OAI, IIIF: src.IIIF, Set: src.Set, Format: src.Format, Every: src.Every}
	switch {
	case next.IIIF != "":
		next.Format = "iiif"
	case next.Format == "":
		next.Format = "oai_dc"
	}
	if next.Every == "" {
		next.Every = "24h"
	}
	next.Run.Next = s.Now().UTC()
	if err := s.store.SaveSource(ctx, &next); err != nil {
		return err
	}
	*src = next
	return nil
}

// List returns the sources p manages: every source for a system
// administrator, the library's for its administrators.
func (s *Service) List(ctx context.Context, p access.Principal) ([]*repository.Source, error) {
	all, err := s.store.Sources()
	if err != nil {
		return nil, err
	}
	if p.Role != access.SystemAdmin {
		if err := access.Decide(p, access.ManageUsers, library(p.Institution), s.Now()); err != nil {
			return nil, err
		}
	}
	var out []*repository.Source
	for _, src := range all {
		if access.Decide(p, access.ManageUsers, library(src.Institution), s.Now()) == nil {
			out = append(out, src)
		}
	}
	return out, nil
}

// source is the source id that p manages, not removed.
func (s *Service) source(p access.Principal, id string) (*repository.Source, error) {
	src, err := s.store.Source(id)
	if err == nil && src.Deleted || errors.Is(err, fault.NotFound) {
		err = fmt.Errorf("no source %q: %w", id, fault.NotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := access.Decide(p, access.ManageUsers, library(src.Institution), s.Now()); err != nil {
		return nil, err
	}
	return src, nil
}

// Remove removes a source and takes its entries out of the catalogue.
func (s *Service) Remove(ctx context.Context, p access.Principal, id string) error {
	if !s.claim(id) {
		return fmt.Errorf("source %s is being harvested; remove it when the run is over: %w", id, fault.Conflict)
	}
	defer s.release(id)
	src, err := s.source(p, id)
	if err != nil {
		return err
	}
	// The entries first: a removal cut short leaves the source, which a
	// second removal finishes.
	ids, err := s.store.EntryIdentifiers(id)
	if err != nil {
		return err
	}
	for start := 0; start < len(ids); start += pageEntries {
		var page []*repository.Entry
		for _, ident := range ids[start:min(start+pageEntries, len(ids))] {
			page = append(page, &repository.Entry{Source: id, Institution: src.Institution, Identifier: ident, Deleted: true})
		}
		if _, _, err := s.store.SaveEntries(ctx, page); err != nil {
			return err
		}
	}
	src.Deleted = true
	return s.store.SaveSource(ctx, src)
}

func (s *Service) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[id] {
		return false
	}
	s.running[id] = true
	return true
}

func (s *Service) release(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
}

// Due makes source id due now: the service harvests it within a minute
// (a run may take hours; no request waits for it).
func (s *Service) Due(ctx context.Context, p access.Principal, id string) (*repository.Source, error) {
	if !s.claim(id) {
		return nil, fmt.Errorf("source %s is being harvested now: %w", id, fault.Conflict)
	}
	defer s.release(id)
	src, err := s.source(p, id)
	if err != nil {
		return nil, err
	}
	src.Run.Next = s.Now().UTC()
	if err := s.store.SaveSource(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}

// Run harvests source id now and returns its state after the run. A run
// that stops early (a malformed page, a provider that stopped answering)
// keeps its resumption token and returns its error; the next run goes on
// from that token.
func (s *Service) Run(ctx context.Context, p access.Principal, id string) (*repository.Source, error) {
	if !s.claim(id) {
		return nil, fmt.Errorf("source %s is being harvested already: %w", id, fault.Conflict)
	}
	defer s.release(id)
	// Read once claimed: the state a run saves is the version it read.
	src, err := s.source(p, id)
	if err != nil {
		return nil, err
	}
	err = s.run(ctx, src)
	return src, err
}

// RunDue harvests every source whose time has come, one after another,
// and returns when none is due. A source's failure is logged and kept in
// its state; the others go on.
func (s *Service) RunDue(ctx context.Context, log *slog.Logger) error {
	all, err := s.store.Sources()
	if err != nil {
		return err
	}
	for _, src := range all {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if src.Run.Next.After(s.Now()) || !s.claim(src.ID) {
			continue
		}
		// Read again once claimed: the desk may have changed it meanwhile.
		err := s.runFresh(ctx, src.ID)
		s.release(src.ID)
		if err != nil && ctx.Err() == nil {
			log.Warn("harvest", "source", src.ID, "err", err)
		}
	}
	return nil
}

// runFresh runs source id as the store holds it now, unless it was
// removed or is no longer due.
func (s *Service) runFresh(ctx context.Context, id string) error {
	src, err := s.store.Source(id)
	if err != nil || src.Deleted || src.Run.Next.After(s.Now()) {
		return err
	}
	return s.run(ctx, src)
}

// Loop runs the due sources every interval until ctx ends.
func (s *Service) Loop(ctx context.Context, every time.Duration, log *slog.Logger) error {
	for {
		if err := s.RunDue(ctx, log); err != nil && ctx.Err() == nil {
			log.Error("harvest", "err", err)
		}
		if err := pause(ctx, every); err != nil {
			return nil
		}
	}
}

// run harvests src, saving its state after each page.
func (s *Service) run(ctx context.Context, src *repository.Source) error {
	c := &client{http: s.http, base: src.OAI, pause: s.Pause, retries: s.Retries, backoff: s.Backoff, maxWait: s.MaxWait}
	var err error
	if src.IIIF != "" {
		err = s.walk(ctx, c, src)
	} else {
		err = s.harvest(ctx, c, src)
	}
	if ctx.Err() != nil {
		return err // stopped: the token saved after the last page stays
	}
	src.Run.Error = ""
	src.Run.Next = s.Now().UTC().Add(src.Interval())
	if err != nil {
		// A run that stopped early goes on within the hour, from its token.
		src.Run.Error = err.Error()
		src.Run.Next = s.Now().UTC().Add(min(src.Interval(), retryFailed))
	}
	if serr := s.store.SaveSource(context.WithoutCancel(ctx), src); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// harvest asks Identify, then ListRecords from the unfinished run's token
// or from the last run's start, page by page to the end.
func (s *Service) harvest(ctx context.Context, c *client, src *repository.Source) error {
	id, err := c.identify(ctx)
	if err != nil {
		return err
	}
	src.Run.Granularity, src.Run.Deleted = id.Granularity, id.Deleted
	params := url.Values{"verb": {"ListRecords"}}
	if src.Run.Token != "" {
		params.Set("resumptionToken", src.Run.Token)
	} else {
		started := id.Now
		if started.IsZero() {
			started = s.Now()
		}
		src.Run = repository.SourceRun{Started: started.UTC(), From: src.Run.From, Granularity: id.Granularity, Deleted: id.Deleted}
		params.Set("metadataPrefix", src.Format)
		if src.Set != "" {
			params.Set("set", src.Set)
		}
		if src.Run.From != "" {
			params.Set("from", src.Run.From)
		}
	}
	for {
		var page []*repository.Entry
		token, err := c.listPage(ctx, params, func(rec *record) error {
			if e := s.take(src, rec); e != nil {
				page = append(page, e)
			}
			if len(page) < pageEntries {
				return nil
			}
			err := s.save(ctx, src, page)
			page = page[:0]
			return err
		})
		// What was read of a page is kept, a malformed one's too: the page
		// is asked for again, and what did not change is not written again.
		if serr := s.save(ctx, src, page); serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			var oe *oaiError
			if errors.As(err, &oe) && oe.Code == "badResumptionToken" {
				src.Run.Token = "" // expired: the next run starts again from From
			}
			return err
		}
		src.Run.Token = token
		if token == "" {
			src.Run.Finished = s.Now().UTC()
			src.Run.From = datestamp(src.Run.Started, id.Granularity)
			return nil
		}
		if err := s.store.SaveSource(ctx, src); err != nil {
			return err
		}
		params = url.Values{"verb": {"ListRecords"}, "resumptionToken": {token}}
	}
}

// retryFailed is the longest a source whose run stopped early waits.
const retryFailed = time.Hour

// pageEntries bounds the entries a page keeps before they are saved.
const pageEntries = 500

// take maps one record to its entry (a deleted record to a tombstone),
// or counts and names a record that does not map and returns nil.
func (s *Service) take(src *repository.Source, rec *record) *repository.Entry {
	src.Run.Read++
	if rec.Header.Status == "deleted" {
		return &repository.Entry{Source: src.ID, Institution: src.Institution, Identifier: rec.Header.Identifier, Deleted: true}
	}
	e, err := mapRecord(src, rec)
	if err != nil {
		refuse(src, rec.Header.Identifier, err)
		return nil
	}
	return e
}

// save brings a page's entries into the catalogue: a deleted record out of
// it, a new or changed one in, an unchanged one nowhere.
func (s *Service) save(ctx context.Context, src *repository.Source, page []*repository.Entry) error {
	if len(page) == 0 {
		return nil
	}
	wrote, refused, err := s.store.SaveEntries(ctx, page)
	if err != nil {
		return err
	}
	for i, e := range page {
		switch {
		case refused[i] != nil:
			refuse(src, e.Identifier, refused[i])
		case !wrote[i]:
			if !e.Deleted {
				src.Run.Unchanged++
			}
		case e.Deleted:
			src.Run.Removed++
		case e.Version == 1:
			src.Run.Added++
		default:
			src.Run.Changed++
		}
	}
	return nil
}

// refuse counts a record that was not taken and names the first ones.
func refuse(src *repository.Source, identifier string, err error) {
	src.Run.Failed++
	if len(src.Run.Errors) < repository.MaxRunErrors {
		src.Run.Errors = append(src.Run.Errors, repository.RecordError{Identifier: identifier, Error: err.Error()})
	}
}
