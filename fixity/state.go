package fixity

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// MaxFindings bounds the findings a report keeps (a failed disk could
// make millions); Damaged counts them all.
const MaxFindings = 1000

// Report is what one pass checked and found.
type Report struct {
	Started    time.Time `json:"started"`
	Ended      time.Time `json:"ended,omitzero"`
	Items      int64     `json:"items"`
	Blobs      int64     `json:"blobs"`
	Bytes      int64     `json:"bytes"`
	Damaged    int       `json:"damaged"`    // blobs damaged, missing or unreadable
	Unrecorded int       `json:"unrecorded"` // derivatives without a registered digest
	Findings   []Finding `json:"findings,omitempty"`
}

// State is where the audit stands: the pass under way (a zero Started
// when none is), the last item it finished, and the last complete pass.
type State struct {
	Report
	After string  `json:"after,omitempty"`
	Last  *Report `json:"last,omitempty"`
}

// Running reports whether a pass is under way (or was, when the service
// stopped).
func (s State) Running() bool { return !s.Started.IsZero() }

func loadState(path string) (State, error) {
	var st State
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("the fixity audit's state %s is not valid JSON (%v): remove it to start a new pass", path, err)
	}
	return st, nil
}

// saveLocked writes the state (a.mu held) to a temporary file renamed into
// place, so a crash leaves the old state or the new.
func (a *Auditor) saveLocked() error {
	if a.cfg.StatePath == "" {
		return nil
	}
	b, err := json.MarshalIndent(a.state, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(a.cfg.StatePath), ".fixity-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), a.cfg.StatePath)
}

// Forget removes findings of blobs that have been mended (by key), from
// the pass under way and the last one, so the administrators' page shows
// what is still wrong.
func (a *Auditor) Forget(keys map[string]bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	drop := func(r *Report) {
		kept := r.Findings[:0]
		for _, f := range r.Findings {
			if keys[f.Key] {
				r.Damaged--
				continue
			}
			kept = append(kept, f)
		}
		r.Findings = kept
	}
	drop(&a.state.Report)
	if a.state.Last != nil {
		drop(a.state.Last)
	}
	return a.saveLocked()
}
