package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Describing at the desk: a metadata sheet uploaded through a form (within
// the server's body limit) describes items already in the archive, through
// the same code as `archive describe`; and what a batch edit or a sheet did
// to each item, shown row by row.

// describeSheet reads an uploaded sheet and gives the items its rows name
// their descriptions, or with "check only", says what would change.
func (s *Server) describeSheet(c *gin.Context) {
	_, inst, err := s.chooseLibrary(c, c.PostForm("institution"))
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	fh, err := c.FormFile("sheet")
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(c, err)
		return
	}
	if err != nil {
		s.fail(c, invalid(t(lang, "describe_no_sheet")))
		return
	}
	name := path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	ext := strings.ToLower(path.Ext(name))
	if ext != ".csv" && ext != ".xlsx" {
		s.fail(c, invalid(t(lang, "describe_no_sheet")))
		return
	}
	file, err := keepUpload(fh, ext)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer os.Remove(file)
	p := editPage{page: s.newPage(c, ""), Sheet: name, DryRun: c.PostForm("dry_run") != ""}
	p.Title, p.CSRF = t(lang, "describe_title"), s.csrfToken(c)
	s.cache(c, privateOnly)
	rows, err := ingest.ReadDescribeSheet(file, name)
	if err != nil {
		if !errors.As(err, new(*ingest.Error)) {
			s.cfg.Log.Error("reading a sheet at the desk", "sheet", name, "err", err)
		}
		p.Error = say(lang, ingest.MessageOf(err))
		s.render(c, http.StatusBadRequest, "edit", p)
		return
	}
	outs := ingest.Describe(c.Request.Context(), ingest.DescribeConfig{Store: s.cfg.Store, Principal: who(c),
		Agent: who(c).Email + " (desk)", Institution: inst, DryRun: p.DryRun}, rows)
	for _, o := range outs {
		r := result{Row: o.Row, Item: o.Item, Changes: o.Changes}
		for _, w := range o.Warnings {
			r.Notes = append(r.Notes, say(lang, w))
		}
		p.Results = append(p.Results, s.rowResult(c, r, o.Status, sayAll(lang, o.Reason)))
	}
	logFailures(s.cfg.Log, name, outs)
	s.render(c, http.StatusOK, "edit", p)
}

// logFailures logs the rows of a sheet that failed as one line: how many,
// and the first (an outage fails every row alike).
func logFailures(log *slog.Logger, sheet string, outs []ingest.RowOutcome) {
	n, first := 0, -1
	for i, o := range outs {
		if o.Status == ingest.Failed {
			if n++; first < 0 {
				first = i
			}
		}
	}
	if n > 0 {
		log.Error("describing from a sheet", "sheet", sheet, "failed_rows", n, "first_row", outs[first].Row, "err", outs[first].Error)
	}
}

// keepUpload copies an uploaded sheet to a temporary file with its
// extension (CSV and Excel are told apart by it) and returns its path.
func keepUpload(fh *multipart.FileHeader, ext string) (string, error) {
	src, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer src.Close()
	f, err := os.CreateTemp("", "describe-*"+ext)
	if err != nil {
		return "", fmt.Errorf("keeping an uploaded sheet: %w", err)
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("keeping an uploaded sheet: %w", err)
	}
	return f.Name(), nil
}

// chooseLibrary is the library whose items the desk lists or changes: the
// one asked for, else the person's own, else the first they edit. Asking
// for a library they may not edit is refused by access.Decide.
func (s *Server) chooseLibrary(c *gin.Context, asked string) ([]*repository.Institution, string, error) {
	p, now := who(c), time.Now()
	all, err := s.cfg.Store.Institutions()
	if err != nil {
		return nil, "", err
	}
	var libs []*repository.Institution
	for _, in := range all {
		if access.Decide(p, access.Edit, access.LibraryResource(in.ID), now) == nil {
			libs = append(libs, in)
		}
	}
	known := func(id string) bool {
		return slices.ContainsFunc(libs, func(in *repository.Institution) bool { return in.ID == id })
	}
	if asked == "" {
		asked = p.Institution
		if !known(asked) && len(libs) > 0 {
			asked = libs[0].ID
		}
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(asked), now); err != nil {
		return nil, "", err
	}
	if !known(asked) {
		return nil, "", notFound(fmt.Sprintf("no library %q", asked))
	}
	return libs, asked, nil
}

// result is what became of one item (a batch edit) or one sheet row.
type result struct {
	Row     int // the sheet's row; 0 in a batch edit
	Item    string
	Title   repository.Text
	Status  string // ingest.Described, ingest.Unchanged, ingest.Refused…
	Label   string // the status in the reader's language
	Changes []ingest.Change
	Message string
	Notes   []string
}

// Done reports whether the row did (or in a check, would do) what was asked.
func (r result) Done() bool {
	return r.Status == ingest.Described || r.Status == ingest.WouldDescribe || r.Status == ingest.Unchanged
}

func (s *Server) rowResult(c *gin.Context, r result, status, msg string) result {
	r.Status, r.Message, r.Label = status, msg, statusLabel(s.lang(c), status)
	return r
}

// rowError reports an error about one item as that item's outcome: a
// conflict or a refusal with its reason, an outage without detail.
func (s *Server) rowError(c *gin.Context, r result, err error) result {
	switch st := Status(err); {
	case errors.Is(err, fault.Conflict):
		return s.rowResult(c, r, ingest.Conflict, s.deskReason(c, err))
	case st == http.StatusNotFound:
		return s.rowResult(c, r, ingest.Unknown, t(s.lang(c), "not_found"))
	case st < 500:
		return s.rowResult(c, r, ingest.Refused, s.deskReason(c, err))
	}
	s.cfg.Log.Error("changing an item at the desk", "item", r.Item, "err", err)
	return s.rowResult(c, r, ingest.Failed, t(s.lang(c), "err_unavailable"))
}

// statusLabel says a row's status in the reader's language.
func statusLabel(lang, status string) string {
	switch status {
	case ingest.Described:
		return t(lang, "saved")
	case ingest.WouldDescribe:
		return t(lang, "status_would")
	case ingest.Unchanged:
		return t(lang, "status_unchanged")
	case ingest.Unknown:
		return t(lang, "status_unknown")
	case ingest.Conflict:
		return t(lang, "status_conflict")
	case ingest.Refused:
		return t(lang, "status_refused")
	}
	return t(lang, "status_failed")
}

// say says what ingest tells a person (a refusal, a warning) in lang, in
// the words of messages["ingest_"+kind]; TestEveryIngestMessageIsInBothLanguages
// sees that every kind has them.
func say(lang string, m ingest.Message) string {
	return m.Say(func(kind string) string {
		w, ok := messages["ingest_"+kind]
		switch {
		case !ok:
			return ""
		case lang == "th":
			return w[0]
		}
		return w[1]
	}, func(dict, value string) string { return ingestWord(lang, dict, value) })
}

// sayAll says messages in lang, one after another.
func sayAll(lang string, ms []ingest.Message) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = say(lang, m)
	}
	return strings.Join(out, "; ")
}

// ingestWord names a value an ingest message gives in lang: an access
// level, a media type (as its kind of file and the type itself: "ข้อความ
// (text/plain)"); anything else as it is.
func ingestWord(lang, dict, value string) string {
	switch dict {
	case "level":
		if _, ok := messages["level_"+value]; ok {
			return t(lang, "level_"+value)
		}
	case "media":
		kind := t(lang, "kind_"+fileKind(value))
		if lang != "th" {
			kind = strings.ToLower(kind)
		}
		return kind + " (" + strings.TrimSpace(strings.Split(value, ";")[0]) + ")"
	}
	return value
}
