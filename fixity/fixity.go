// Package fixity audits the archive's bits: it re-reads every master and
// every derivative (access copies, thumbnails, posters, copies for
// browsers, text layers) and holds each to the SHA-256 it was registered
// with, at a pace that leaves storage to the readers. Each item's result is
// an event in its trail; where a pass stands is saved after every item, so
// a restart resumes it; what it finds is logged, counted and kept for the
// administrators' page and for repair, which mends a blob from a second
// store after checking the copy.
package fixity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Store is what an audit needs of the repository.
type Store interface {
	ItemIDsAfter(after string, limit int) ([]string, error)
	Item(id string) (*repository.Item, error)
	Record(ctx context.Context, events ...repository.Event) error
}

// Observer is told of every blob checked (role master or derivative;
// outcome ok, damaged, missing, unrecorded or error) and of how many a
// pass has found damaged or missing so far: the metrics implement it.
type Observer interface {
	FixityChecked(role, outcome string, bytes int64)
	FixityPass(damaged int, complete bool)
}

// Source is the storage an audit reads: blobs, and whether the store as a
// whole answers (to tell a blob that cannot be read from a store that is
// down).
type Source interface {
	storage.Fetcher
	Check(ctx context.Context) error
}

// Config is what an Auditor is built from.
type Config struct {
	Store Store
	Blobs Source
	// Rate bounds the reading, in bytes per second; 0: as fast as storage
	// answers.
	Rate int64
	// StatePath is the file where the audit keeps where it stands and what
	// it found (in the data folder).
	StatePath string
	// Every is how long after one pass began the next begins (Run).
	Every time.Duration
	// Delay is how long Run waits at start before a new pass (not before
	// resuming one), so a service's start is not slowed.
	Delay    time.Duration
	Agent    string
	Log      *slog.Logger
	Observer Observer
}

// Outcomes of one blob's check.
const (
	OK         = "ok"
	Damaged    = "damaged"    // read whole, but not the registered digest or size
	Missing    = "missing"    // not in storage
	Unreadable = "error"      // storage failed while reading it
	Unrecorded = "unrecorded" // a derivative registered before digests were kept
)

// Finding is a blob that is not as registered.
type Finding struct {
	Item    string    `json:"item"`
	File    string    `json:"file"`
	Role    string    `json:"role"` // master, or the derivative's role (access, thumb…)
	Key     string    `json:"key"`
	SHA256  string    `json:"sha256"`         // as registered
	Size    int64     `json:"size,omitempty"` // as registered (masters)
	Outcome string    `json:"outcome"`
	Problem string    `json:"problem"`
	Time    time.Time `json:"time"`
}

// Auditor runs audits and remembers where they stand.
type Auditor struct {
	cfg   Config
	mu    sync.Mutex // guards state
	state State
	pass  sync.Mutex // one pass at a time
}

// New makes an auditor, reading the saved state (an interrupted pass is
// resumed by the next Pass).
func New(cfg Config) (*Auditor, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Agent == "" {
		cfg.Agent = "fixity audit"
	}
	if cfg.Every <= 0 {
		cfg.Every = 30 * 24 * time.Hour
	}
	a := &Auditor{cfg: cfg}
	st, err := loadState(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	a.state = st
	if cfg.Observer != nil {
		// What earlier runs found and no repair has mended is still wrong.
		cfg.Observer.FixityPass(st.unmended(), false)
	}
	return a, nil
}

// unmended is how many blobs are known to be wrong: those of the pass
// under way, or of the last complete one if it found more (until a pass
// completes, what it has not reached yet is as the last one saw it).
func (s State) unmended() int {
	if s.Last != nil {
		return max(s.Damaged, s.Last.Damaged)
	}
	return s.Damaged
}

// Status is a copy of where the audit stands and what it found.
func (a *Auditor) Status() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.state
	st.Findings = slices.Clone(st.Findings)
	if st.Last != nil {
		last := *st.Last
		last.Findings = slices.Clone(last.Findings)
		st.Last = &last
	}
	return st
}

// Pass audits every item once, resuming the pass a stop interrupted, and
// returns its report. ctx ending stops it where it is (saved).
func (a *Auditor) Pass(ctx context.Context) (*Report, error) {
	a.pass.Lock()
	defer a.pass.Unlock()
	a.mu.Lock()
	if a.state.Started.IsZero() {
		a.state.Report = Report{Started: time.Now().UTC()}
		a.state.After = ""
	} else {
		a.cfg.Log.Info("fixity: resuming the audit", "started", a.state.Started, "after", a.state.After, "items", a.state.Items)
	}
	after := a.state.After
	a.mu.Unlock()
	pace := NewPace(a.cfg.Rate)
	// Every item, withdrawn ones too, in identifier order (so that a saved
	// position means the same after a restart), a page at a time.
	for {
		ids, err := a.cfg.Store.ItemIDsAfter(after, 1000)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		if err := a.auditAll(ctx, ids, pace); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	rep := a.state.Report
	rep.Ended = time.Now().UTC()
	a.state.Last = &rep
	a.state.Report, a.state.After = Report{}, ""
	err := a.saveLocked()
	a.mu.Unlock()
	if a.cfg.Observer != nil {
		a.cfg.Observer.FixityPass(rep.Damaged, true)
	}
	a.cfg.Log.Info("fixity: audit complete", "items", rep.Items, "blobs", rep.Blobs, "bytes", rep.Bytes, "damaged", rep.Damaged, "unrecorded", rep.Unrecorded,
		"seconds", rep.Ended.Sub(rep.Started).Round(time.Second).Seconds())
	return &rep, err
}

// auditAll audits the items ids, in their order.
func (a *Auditor) auditAll(ctx context.Context, ids []string, pace *Pace) error {
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := a.cfg.Store.Item(id)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if it.Withdrawal != nil && it.Withdrawal.Purged {
			continue // its files were removed on purpose
		}
		// Each item costs a pass some reading, files or not: a pass over a
		// million descriptions is paced too.
		if err := pace.wait(ctx, itemCost); err != nil {
			return err
		}
		if err := a.audit(ctx, it, pace); err != nil {
			return err
		}
	}
	return nil
}

// audit checks one item's blobs, records its event and saves the position.
func (a *Auditor) audit(ctx context.Context, it *repository.Item, pace *Pace) error {
	results, bytes, err := Check(ctx, a.cfg.Blobs, it, pace)
	if err != nil {
		return err // the item is done again next time
	}
	if len(results) == 0 {
		// A description without files: nothing was read, so no event;
		// the position is saved now and then (a restart looks at a few
		// such items again, which costs nothing).
		a.mu.Lock()
		defer a.mu.Unlock()
		a.state.After = it.ID
		a.state.Items++
		if a.state.Items%savedEvery == 0 {
			return a.saveLocked()
		}
		return nil
	}
	var problems, unrecorded []string
	var found []Finding
	for _, r := range results {
		if a.cfg.Observer != nil {
			role := "derivative"
			if r.Role == "master" {
				role = "master"
			}
			a.cfg.Observer.FixityChecked(role, r.Outcome, r.Bytes)
		}
		switch r.Outcome {
		case OK:
		case Unrecorded:
			unrecorded = append(unrecorded, r.File+" "+r.Role)
		default:
			found = append(found, r.Finding)
			problems = append(problems, fmt.Sprintf("%s %s (%s): %s", r.File, r.Role, r.Key, r.Problem))
			a.cfg.Log.Error("fixity: a stored blob is not as registered", "item", it.ID, "file", r.File, "role", r.Role, "key", r.Key, "outcome", r.Outcome, "problem", r.Problem)
		}
	}
	ev := repository.Event{Object: it.ID, Type: "fixity check", Agent: a.cfg.Agent, Outcome: "success",
		Detail: fmt.Sprintf("%d blobs re-read (%d bytes), sha256 as registered", len(results), bytes)}
	switch {
	case len(problems) > 0:
		ev.Outcome, ev.Detail = "failure", strings.Join(problems, "; ")
	case len(unrecorded) > 0:
		ev.Outcome = "warning"
		ev.Detail += fmt.Sprintf("; no digest was registered for %s, so they were only read", strings.Join(unrecorded, ", "))
	}
	if err := a.cfg.Store.Record(ctx, ev); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := &a.state
	st.After = it.ID
	st.Items++
	st.Blobs += int64(len(results))
	st.Bytes += bytes
	st.Unrecorded += len(unrecorded)
	st.Damaged += len(found)
	for _, f := range found {
		if len(st.Findings) < MaxFindings {
			st.Findings = append(st.Findings, f)
		}
	}
	if a.cfg.Observer != nil && len(found) > 0 {
		a.cfg.Observer.FixityPass(st.unmended(), false)
	}
	return a.saveLocked()
}

// itemCost is what an item counts for in a pass's pace, besides its
// files: about reading its record.
const itemCost = 16 << 10

// savedEvery is how many items without files a pass goes through between
// saves of its position.
const savedEvery = 1000

// Result is one blob's check.
type Result struct {
	Finding
	Bytes int64 // read
}

// Check re-reads every blob of an item (each master once, every
// derivative) and says how each is; pace, when not nil, bounds the
// reading. A blob that cannot be read is a result, unless storage as a
// whole does not answer (fault.Unavailable: a pass stops and goes on later
// from where it was) or the context ends: those are errors, and say nothing
// of the item.
func Check(ctx context.Context, blobs Source, it *repository.Item, pace *Pace) ([]Result, int64, error) {
	var out []Result
	var total int64
	seen := map[string]bool{}
	check := func(f *repository.File, role, key, want string, size int64) error {
		if seen[key] {
			return nil
		}
		seen[key] = true
		r := Result{Finding: Finding{Item: it.ID, File: f.Name, Role: role, Key: key, SHA256: want, Size: size, Time: time.Now().UTC()}}
		sum, n, err := digest(ctx, blobs, key, pace)
		r.Bytes = n
		total += n
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, fault.NotFound):
			r.Outcome, r.Problem = Missing, "not in storage"
		case err != nil && blobs.Check(ctx) != nil:
			return fault.E("fixity check", fault.Unavailable, key, err)
		case err != nil:
			r.Outcome, r.Problem = Unreadable, err.Error()
		case want == "":
			r.Outcome, r.Problem, r.SHA256 = Unrecorded, "no digest registered; read whole, sha256 "+sum, sum
		case sum != want || size > 0 && n != size:
			r.Outcome = Damaged
			r.Problem = fmt.Sprintf("stored copy has sha256 %s and %d bytes, registered %s", sum, n, want)
			if size > 0 {
				r.Problem += fmt.Sprintf(" and %d bytes", size)
			}
		default:
			r.Outcome = OK
		}
		out = append(out, r)
		return nil
	}
	for i := range it.Files {
		f := &it.Files[i]
		if err := check(f, "master", storage.DigestKey(f.SHA256), f.SHA256, f.Size); err != nil {
			return nil, total, err
		}
		roles := slices.Sorted(maps.Keys(f.Derivatives))
		for _, role := range roles {
			if err := check(f, role, f.Derivatives[role], f.Digests[role], 0); err != nil {
				return nil, total, err
			}
		}
	}
	return out, total, nil
}

// digest reads a blob whole and returns its SHA-256 and length.
func digest(ctx context.Context, blobs storage.Fetcher, key string, pace *Pace) (string, int64, error) {
	rc, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var n int64
	for {
		m, err := rc.Read(buf)
		if m > 0 {
			h.Write(buf[:m])
			n += int64(m)
			if err := pace.wait(ctx, m); err != nil {
				return "", n, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", n, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
