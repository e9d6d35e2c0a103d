package ingest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// Config is what a pipeline needs.
type Config struct {
	Store *bolt.Store
	Blobs storage.Blobs
	// Agent is recorded in every event (who ingested).
	Agent string
	// MaxPixels refuses images that declare more (decompression bombs).
	MaxPixels int64
	// MaxFileSize refuses larger files.
	MaxFileSize int64
	// Workers is how many items are processed at once (default two per
	// core).
	Workers int
	// DryRun checks everything and writes nothing.
	DryRun bool
	// KeepMismatched takes a file whose content does not match its name's
	// extension (a text file named scan.tif) as the file its content is,
	// with a note in its outcome, instead of refusing it. A file whose
	// content is of the family its name promises (a JPEG named .png) is
	// always taken as what it is, with a warning.
	KeepMismatched bool
	// FileTimeout bounds the time one file's derivatives may take (its
	// pages' access copies, a recording's probe and poster frame), so that
	// one file cannot hold a worker; a file that takes longer is refused
	// (default DefaultFileTimeout).
	FileTimeout time.Duration
	Log         *slog.Logger
}

// Defaults for Config.
const (
	DefaultMaxPixels   = 200_000_000
	DefaultMaxFileSize = 8 << 30
	DefaultFileTimeout = 30 * time.Minute
)

// Input is one file of a unit, with checksums its source vouches for.
type Input struct {
	Path      string
	Name      string            // as shown to people: path relative to the source
	Checksums map[string]string // algorithm (md5, sha1, sha256, sha512) → hex
	// Listed says a sheet row names this file, so it is one of the item's
	// files even if it is itself a sheet (.csv, .xlsx); any other sheet
	// that reaches the pipeline is refused (see refuseSheet).
	Listed bool
}

// Unit is one item to be: its files in reading order and its description.
type Unit struct {
	Files []Input
	Meta  repository.Item // descriptive fields, institution, collection
	// Where it comes from, for the report (a row of a sheet, a bag).
	Origin string
	// Notes are warnings about the description, such as a date read in
	// the Buddhist Era, given in every outcome of the unit.
	Notes []Message
}

// Statuses of an outcome.
const (
	Ingested  = "ingested"
	Duplicate = "duplicate"
	Refused   = "refused"
	Failed    = "failed" // storage or system trouble: running again finishes the work
	Checked   = "checked"
)

// Outcome is what became of one file.
type Outcome struct {
	File   string   `json:"file"`
	Status string   `json:"status"`
	Item   string   `json:"item,omitempty"`
	Images []string `json:"images,omitempty"`
	// Messages say why a file was refused or failed; for a duplicate, what
	// became of the existing item's access when the unit described one;
	// and for any status, the warnings of the unit and its files (a date
	// read in the Buddhist Era, a file kept under a mismatched name).
	// Error says them in English, for logs and the command line.
	Messages []Message `json:"messages,omitempty"`
	Error    string    `json:"error,omitempty"`
	Bytes    int64     `json:"bytes"`
	// Pixels is how many pixels the file's pages hold (for throughput).
	Pixels int64 `json:"pixels,omitempty"`
}

// Pipeline ingests units.
type Pipeline struct {
	cfg      Config
	mu       sync.Mutex
	inflight map[string]chan struct{} // digests being registered
}

// New returns a pipeline with defaults filled in.
func New(cfg Config) *Pipeline {
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = DefaultMaxFileSize
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2 * runtime.NumCPU()
	}
	if cfg.FileTimeout <= 0 {
		cfg.FileTimeout = DefaultFileTimeout
	}
	if cfg.Agent == "" {
		cfg.Agent = "archive ingest"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{cfg: cfg, inflight: map[string]chan struct{}{}}
}

// Run ingests units with bounded concurrency, calling report once per file
// (from any goroutine, one call at a time) as each unit finishes.
func (p *Pipeline) Run(ctx context.Context, units []Unit, report func(Outcome)) {
	var mu sync.Mutex
	work := make(chan Unit)
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				for _, o := range p.Ingest(ctx, u) {
					mu.Lock()
					report(o)
					mu.Unlock()
				}
			}
		}()
	}
	for _, u := range units {
		if ctx.Err() != nil {
			break
		}
		work <- u
	}
	close(work)
	wg.Wait()
}

// master is an input once hashed.
type master struct {
	Input
	sha256    string
	size      int64
	mediaType string
	kind      string
	note      *Message // for the outcome and the ingestion event: a mismatched name
}

// Ingest processes one unit to the end and says what became of each file.
// Content already in the archive is a duplicate; the access the unit
// describes still applies to the item that holds it when it is stricter
// (see keepAccess).
func (p *Pipeline) Ingest(ctx context.Context, u Unit) []Outcome {
	files, item, err := p.ingest(ctx, u)
	notes := slices.Clone(u.Notes)
	for _, f := range files {
		if f.note != nil {
			notes = append(notes, *f.note)
		}
	}
	outs := make([]Outcome, len(u.Files))
	for i, in := range u.Files {
		outs[i] = Outcome{File: in.Name}
		if i < len(files) {
			outs[i].Bytes = files[i].size
		}
	}
	status := Ingested
	var why []Message
	var dup *duplicate
	switch {
	case err == nil && p.cfg.DryRun:
		status = Checked
	case errors.As(err, &dup):
		status, why = Duplicate, dup.notes
	case errors.Is(err, ErrRefused), errors.Is(err, fault.Checksum), errors.Is(err, fault.Invalid):
		status, why = Refused, []Message{MessageOf(err)}
	case err != nil:
		status, why = Failed, []Message{MessageOf(err)}
	}
	msgs := append(why, notes...)
	for i := range outs {
		outs[i].Status, outs[i].Messages, outs[i].Error = status, msgs, sayAll(msgs)
		if item != nil {
			outs[i].Item = item.ID
			outs[i].Images = ImageIDs(item)
			for _, f := range item.Files {
				if i < len(files) && f.SHA256 == files[i].sha256 {
					outs[i].Pixels += int64(f.Width) * int64(f.Height)
				}
			}
		}
	}
	return outs
}

// ImageIDs are the IIIF image identifiers of an item's image files.
func ImageIDs(it *repository.Item) []string {
	var ids []string
	for i, f := range it.Files {
		if f.Derivatives["access"] != "" {
			ids = append(ids, fmt.Sprintf("%s-%d", it.ID, i+1))
		}
	}
	return ids
}

func (p *Pipeline) ingest(ctx context.Context, u Unit) ([]master, *repository.Item, error) {
	if len(u.Files) == 0 {
		return nil, nil, refuse("no_files")
	}
	for _, in := range u.Files {
		if err := refuseSheet(in); err != nil {
			return nil, nil, err
		}
	}
	files := make([]master, len(u.Files))
	for i, in := range u.Files {
		m, err := p.examine(ctx, in)
		files[i] = m
		if err != nil {
			return files, nil, p.which(u, in.Name, err)
		}
	}
	// Hold the digests so two units with the same content cannot both pass
	// the duplicate check.
	digests := make([]string, len(files))
	for i, f := range files {
		digests[i] = f.sha256
	}
	release := p.hold(digests)
	defer release()
	if it, err := p.existing(u.Meta.Institution, digests); err != nil {
		return files, nil, err
	} else if it != nil {
		it, note, err := p.keepAccess(ctx, u, it)
		if err != nil {
			return files, it, err
		}
		notes := note
		if !u.Meta.Title.Empty() && !maps.Equal(u.Meta.Title, it.Title) {
			// A sheet row describing content already in: say where its
			// description goes instead of dropping it without a word.
			notes = append(notes, Message{Kind: "duplicate_not_applied", Args: []string{it.ID}})
		}
		return files, it, &duplicate{item: it.ID, notes: notes}
	}
	item := u.Meta
	item.ID, item.Version = "", 0
	if item.Title.Empty() {
		shown := filepath.Base(DisplayName(files[0].Name))
		name := strings.TrimSuffix(shown, filepath.Ext(shown))
		item.Title = repository.Text{"none": name}
	}
	if item.Type == "" {
		item.Type = files[0].kind
	}
	if err := p.validate(&item); err != nil {
		return files, nil, err
	}
	var derived []string
	var wrote []string // digests whose master this unit put in storage
	for _, f := range files {
		if !p.cfg.DryRun && p.absent(ctx, f.sha256) {
			wrote = append(wrote, f.sha256)
		}
		fs, notes, err := p.store(ctx, f)
		if err != nil {
			return files, nil, p.discard(ctx, wrote, p.which(u, f.Name, err))
		}
		item.Files = append(item.Files, fs...)
		derived = append(derived, notes...)
	}
	if p.cfg.DryRun {
		return files, nil, nil
	}
	if err := sealDerivatives(ctx, p.cfg.Blobs, item.Files); err != nil {
		return files, nil, p.discard(ctx, wrote, err)
	}
	events := []repository.Event{
		{Type: "ingestion", Outcome: "success", Detail: ingestDetail(u, files)},
		{Type: "fixity check", Outcome: "success", Detail: fixityDetail(files)},
	}
	if len(derived) > 0 {
		events = append(events, repository.Event{Type: "derivation", Outcome: "success", Detail: strings.Join(derived, "; ")})
	}
	if err := p.cfg.Store.SaveItem(ctx, &item, p.cfg.Agent, events...); err != nil {
		return files, nil, p.discard(ctx, wrote, err)
	}
	return files, &item, nil
}

// absent reports whether storage surely holds no master of the digest.
func (p *Pipeline) absent(ctx context.Context, digest string) bool {
	_, err := p.cfg.Blobs.Stat(ctx, storage.DigestKey(digest))
	return errors.Is(err, fault.NotFound)
}

// discard removes, when err refuses the unit, the blobs of the digests
// whose masters it wrote (the masters and their derivatives) that no item
// holds, so a refused file leaves nothing for gc. A unit that failed
// keeps them for the run that finishes it. The unit still holds its
// digests, so no other unit is storing the same content meanwhile.
func (p *Pipeline) discard(ctx context.Context, digests []string, err error) error {
	if !errors.Is(err, ErrRefused) && !errors.Is(err, fault.Checksum) && !errors.Is(err, fault.Invalid) {
		return err
	}
	for _, d := range digests {
		ids, lerr := p.cfg.Store.ItemsWithDigest(d)
		if lerr != nil || len(ids) > 0 {
			continue // shared with an item, or unknown: kept
		}
		keys := []string{storage.DigestKey(d)}
		prefix := strings.TrimSuffix(DerivativeKey(d, "-"), "-")
		lerr = p.cfg.Blobs.List(ctx, prefix, func(i storage.Info) error {
			keys = append(keys, i.Key)
			return nil
		})
		if lerr != nil {
			p.cfg.Log.Warn("listing a refused file's derivatives", "sha256", d, "err", lerr)
		}
		for _, k := range keys {
			if derr := p.cfg.Blobs.Delete(ctx, k); derr != nil {
				p.cfg.Log.Warn("removing a blob of a refused file", "key", k, "err", derr)
			}
		}
	}
	return err
}

// which names the file an error is about when the unit has several and
// the error does not already name it.
func (p *Pipeline) which(u Unit, name string, err error) error {
	if len(u.Files) <= 1 || strings.HasPrefix(err.Error(), path.Base(name)+" ") {
		return err
	}
	if named, ok := at(err, func(m *Message) { m.File = name }); ok {
		return named
	}
	return fmt.Errorf("%s: %w", name, err)
}

func (p *Pipeline) validate(it *repository.Item) error {
	probe := *it
	probe.Access.Level = cmpOr(probe.Access.Level, repository.Public)
	if err := probe.Validate(); err != nil {
		return err
	}
	if _, err := p.cfg.Store.Institution(it.Institution); err != nil {
		return refuse("unknown_library", it.Institution)
	}
	if it.Collection != "" {
		c, err := p.cfg.Store.Collection(it.Collection)
		if err != nil {
			return refuse("no_collection", it.Collection)
		}
		if c.Institution != it.Institution {
			return refuse("collection_other", it.Collection, c.Institution, it.Institution)
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ingestDetail(u Unit, files []master) string {
	var names []string
	for _, f := range files {
		name := DisplayName(f.Name)
		if name != f.Name {
			name += " (named " + strconv.Quote(f.Name) + ")" // as it came, escaped
		}
		if f.note != nil {
			names = append(names, fmt.Sprintf("%s (%s, %d bytes: %s)", name, f.mediaType, f.size, f.note))
		} else {
			names = append(names, fmt.Sprintf("%s (%s, %d bytes)", name, f.mediaType, f.size))
		}
	}
	s := strings.Join(names, ", ")
	if u.Origin != "" {
		s = u.Origin + ": " + s
	}
	return s
}

func fixityDetail(files []master) string {
	var parts []string
	for _, f := range files {
		algs := []string{"sha256 " + f.sha256}
		for a := range f.Checksums {
			if a != "sha256" {
				algs = append(algs, a+" as supplied")
			}
		}
		parts = append(parts, DisplayName(f.Name)+": "+strings.Join(algs, ", "))
	}
	return "verified while streaming: " + strings.Join(parts, "; ")
}

// hold waits until no other unit holds any of the digests, then holds them.
func (p *Pipeline) hold(digests []string) func() {
	for {
		p.mu.Lock()
		var busy chan struct{}
		for _, d := range digests {
			if c, ok := p.inflight[d]; ok {
				busy = c
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for _, d := range digests {
				p.inflight[d] = done
			}
			p.mu.Unlock()
			return func() {
				p.mu.Lock()
				for _, d := range digests {
					delete(p.inflight, d)
				}
				p.mu.Unlock()
				close(done)
			}
		}
		p.mu.Unlock()
		<-busy
	}
}

// existing returns a live item of the institution (of any, when "") that
// already holds all the digests. Another library's item is not a
// duplicate: the same content becomes an item of this library too (its
// files shared in storage, which a purge of either leaves to the other),
// and an upload never tells one library of another's item, which it may
// not be allowed to see.
func (p *Pipeline) existing(institution string, digests []string) (*repository.Item, error) {
	ids, err := p.cfg.Store.ItemsWithDigest(digests[0])
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		it, err := p.cfg.Store.Item(id)
		if err != nil || it.Deleted || institution != "" && it.Institution != institution {
			continue
		}
		have := map[string]bool{}
		for _, f := range it.Files {
			have[f.SHA256] = true
		}
		all := true
		for _, d := range digests {
			all = all && have[d]
		}
		if all {
			return it, nil
		}
	}
	return nil, nil
}

// examine checks an input's size and type and hashes it, verifying any
// checksum its source supplied.
func (p *Pipeline) examine(ctx context.Context, in Input) (master, error) {
	m := master{Input: in}
	f, err := os.Open(in.Path)
	if err != nil {
		return m, refuse("unreadable", unwrapPath(err).Error())
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return m, refuse("not_regular")
	}
	m.size = st.Size()
	if m.size > p.cfg.MaxFileSize {
		return m, refuse("too_large", strconv.FormatInt(m.size, 10), strconv.FormatInt(p.cfg.MaxFileSize, 10))
	}
	if m.size == 0 {
		return m, refuse("empty")
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	m.mediaType, m.kind = sniff(head[:n])
	if m.kind == "" {
		return m, refuse("unsupported_content")
	}
	if misnamed(in.Name, m.mediaType) {
		args := []string{path.Base(in.Name), m.mediaType, strings.ToLower(path.Ext(in.Name))}
		switch {
		case sameFamily(in.Name, m.mediaType):
			m.note = &Message{Kind: "identified_by_content", Args: args}
		case !p.cfg.KeepMismatched:
			return m, refuse("mismatched", args...)
		default:
			m.note = &Message{Kind: "kept_mismatched", Args: args}
		}
	}
	hashes := map[string]hash.Hash{"sha256": sha256.New()}
	for alg := range in.Checksums {
		switch alg {
		case "md5":
			hashes[alg] = md5.New()
		case "sha1":
			hashes[alg] = sha1.New()
		case "sha512":
			hashes[alg] = sha512.New()
		case "sha224", "sha384": // a bag's manifests may vouch for these too
			hashes[alg] = bagAlgs[alg]()
		case "sha256":
		default:
			return m, refuse("checksum_algorithm", alg)
		}
	}
	ws := make([]io.Writer, 0, len(hashes))
	for _, h := range hashes {
		ws = append(ws, h)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return m, err
	}
	if _, err := io.CopyBuffer(io.MultiWriter(ws...), storage.ContextReader(ctx, f), make([]byte, 1<<20)); err != nil {
		return m, err
	}
	m.sha256 = hex.EncodeToString(hashes["sha256"].Sum(nil))
	for alg, want := range in.Checksums {
		if got := hex.EncodeToString(hashes[alg].Sum(nil)); !strings.EqualFold(got, want) {
			return m, &Error{Message: Message{Kind: "checksum_mismatch", Args: []string{alg, got, want}}, Err: fault.Checksum}
		}
	}
	return m, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
