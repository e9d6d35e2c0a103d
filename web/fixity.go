package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fixity"
)

// FixityStatus says where the service's fixity audits stand; the auditor
// implements it.
type FixityStatus interface {
	Status() fixity.State
}

// fixityPage is the administrators' page of the fixity audits.
type fixityPage struct {
	page
	Off      bool // no audits run in this service
	Current  *passView
	Last     *passView
	Findings []findingView
	More     int // findings beyond those kept
}

type passView struct {
	Started, Ended    string
	Items, Blobs      int64
	MiB               string
	Damaged, Unrecord int
}

type findingView struct {
	fixity.Finding
	When, RoleLabel, OutcomeLabel string
}

// label is the words for a role or an outcome, or the name itself where
// there are none (a derivative role added later).
func label(lang, prefix, name string) string {
	if _, ok := messages[prefix+name]; ok {
		return t(lang, prefix+name)
	}
	return name
}

// when writes a moment for the reader: the Buddhist Era for Thai readers.
func when(lang string, t time.Time) string {
	t = t.UTC()
	if lang == "th" {
		return fmt.Sprintf("%d/%d/%d %s UTC", t.Day(), int(t.Month()), t.Year()+543, t.Format("15:04"))
	}
	return t.Format("2 Jan 2006 15:04 UTC")
}

func viewPass(lang string, r fixity.Report) *passView {
	v := &passView{Started: when(lang, r.Started), Items: r.Items, Blobs: r.Blobs, MiB: fmt.Sprintf("%.1f", float64(r.Bytes)/(1<<20)),
		Damaged: r.Damaged, Unrecord: r.Unrecorded}
	if !r.Ended.IsZero() {
		v.Ended = when(lang, r.Ended)
	}
	return v
}

// fixity shows system administrators the audit under way, the last
// complete one, and every blob found damaged or missing that is not yet
// mended.
func (s *Server) fixity(c *gin.Context) {
	if err := access.Decide(who(c), access.Administer, access.LibraryResource(""), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	p := fixityPage{page: s.newPage(c, ""), Off: s.cfg.Fixity == nil}
	p.Title = t(p.Lang, "fixity")
	if s.cfg.Fixity != nil {
		st := s.cfg.Fixity.Status()
		damaged := st.Damaged
		if st.Running() {
			p.Current = viewPass(p.Lang, st.Report)
		}
		if st.Last != nil {
			p.Last = viewPass(p.Lang, *st.Last)
			damaged = max(damaged, st.Last.Damaged)
		}
		seen := map[string]bool{}
		for _, fs := range [][]fixity.Finding{st.Findings, lastFindings(st)} {
			for _, f := range fs {
				if !seen[f.Key] {
					seen[f.Key] = true
					p.Findings = append(p.Findings, findingView{Finding: f, When: when(p.Lang, f.Time),
						RoleLabel: label(p.Lang, "fixity_role_", f.Role), OutcomeLabel: label(p.Lang, "fixity_outcome_", f.Outcome)})
				}
			}
		}
		p.More = max(0, damaged-len(p.Findings))
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "fixity", p)
}

func lastFindings(st fixity.State) []fixity.Finding {
	if st.Last == nil {
		return nil
	}
	return st.Last.Findings
}
