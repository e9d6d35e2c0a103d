package web

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// webCopy serves the copy of a recording that browsers play, with byte
// ranges (seeking), to whoever may have the master itself.
func (s *Server) webCopy(c *gin.Context) {
	it, f, res, ok := s.itemFile(c, access.ReadContent)
	if !ok {
		return
	}
	key := f.WebKey()
	if key == "" {
		s.fail(c, notFound(fmt.Sprintf("file %s of item %s has no copy for browsers yet", c.Param("n"), it.ID)))
		return
	}
	s.serveBlob(c, res, key, f.Web.MediaType, `"`+f.SHA256+`-web"`, "")
}

// player is a recording as the item page plays it.
type player struct {
	Video                   bool
	Label, URL, Type, Image string
	Width, Height           int
	// Note says, while there is no copy for browsers, how its making goes.
	Note string
}

// players are the recordings of an item for its page, when the reader may
// have them whole (the same right as the master's).
func (s *Server) players(site presentation.Site, lang string, it *repository.Item, full bool) []player {
	if !full {
		return nil
	}
	var out []player
	notes := s.copyNotes(lang, it)
	for i, f := range it.Files {
		video := strings.HasPrefix(f.MediaType, "video/")
		if !video && !strings.HasPrefix(f.MediaType, "audio/") {
			continue
		}
		p := player{Video: video, Label: f.Name}
		if !f.Label.Empty() {
			p.Label = f.Label.Get(lang)
		}
		switch {
		case f.Derivatives["poster"] != "":
			p.Image = fmt.Sprintf("%s/api/v1/items/%s/files/%d/poster", site.Base, it.ID, i+1)
		case f.Derivatives["thumb"] != "":
			p.Image = fmt.Sprintf("%s/api/v1/items/%s/files/%d/thumb", site.Base, it.ID, i+1)
		}
		if f.Web != nil {
			p.URL, p.Type, p.Width, p.Height = site.WebURL(it.ID, i+1), f.Web.MediaType, f.Web.Width, f.Web.Height
		} else {
			p.Note = notes[i+1]
		}
		out = append(out, p)
	}
	return out
}

// copyNotes say, for each recording of an item (by file number) still
// without a copy for browsers, how its making goes, in lang.
func (s *Server) copyNotes(lang string, it *repository.Item) map[int]string {
	notes := map[int]string{}
	for i, f := range it.Files {
		if f.Web == nil && (strings.HasPrefix(f.MediaType, "audio/") || strings.HasPrefix(f.MediaType, "video/")) {
			notes[i+1] = t(lang, "copy_waiting")
		}
	}
	for _, p := range s.cfg.Transcoder.Progress(it.ID) {
		if _, ok := notes[p.File]; !ok {
			continue
		}
		switch p.State {
		case ingest.JobWorking:
			notes[p.File] = fmt.Sprintf(t(lang, "copy_working"), p.Percent)
		case ingest.JobFailed:
			notes[p.File] = t(lang, "copy_failed") + " " + say(lang, *p.Message)
		}
	}
	return notes
}

// copyNote is how a recording's copy for browsers comes along.
type copyNote struct{ Name, Note string }

// copyList is copyNotes in file order, with the files' names.
func (s *Server) copyList(lang string, it *repository.Item) []copyNote {
	notes := s.copyNotes(lang, it)
	var out []copyNote
	for i, f := range it.Files {
		if n, ok := notes[i+1]; ok {
			out = append(out, copyNote{f.Name, n})
		}
	}
	return out
}

// copyProgress is the state of a batch file's copy for browsers.
type copyProgress struct {
	State   string  `json:"state"` // ready, waiting, transcoding, failed
	Percent float64 `json:"percent,omitempty"`
	Said    string  `json:"said"`
}

// batchCopies fills in, for the recordings of a batch's report, how their
// copies for browsers are coming along.
func (s *Server) batchCopies(lang string, b *batchReport) {
	items := map[string]*repository.Item{}
	for _, f := range b.Files {
		if f.Item == "" || f.Status != ingest.Ingested && f.Status != ingest.Duplicate {
			continue
		}
		it, ok := items[f.Item]
		if !ok {
			var err error
			if it, err = s.cfg.Store.Item(f.Item); err != nil {
				it = nil
			}
			items[f.Item] = it
		}
		if it == nil {
			continue
		}
		for i, file := range it.Files {
			if file.Name != f.Name && len(it.Files) > 1 {
				continue
			}
			if !strings.HasPrefix(file.MediaType, "audio/") && !strings.HasPrefix(file.MediaType, "video/") {
				break
			}
			cp := &copyProgress{State: "ready", Said: t(lang, "copy_ready")}
			if file.Web == nil {
				cp.State, cp.Said = ingest.JobWaiting, s.copyNotes(lang, it)[i+1]
				for _, p := range s.cfg.Transcoder.Progress(it.ID) {
					if p.File == i+1 {
						cp.State, cp.Percent = p.State, p.Percent
					}
				}
			}
			f.Copy = cp
			break
		}
	}
}
