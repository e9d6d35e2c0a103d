package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/ocr"
)

// The transcription page of one page of an item: its text line by line
// beside the picture of each line, to correct, or as a whole; the staff's
// review of transcribers' lines; the page's history; inviting
// transcribers. The rules are the annotation service's.

type transcribePage struct {
	page
	ItemID, ItemTitle string
	N, Prev, Next     int
	Pages             int
	Image             string // the page's picture, whole
	Lines             []lineRow
	Whole             string
	Changes           []changeRow
	Transcribes       bool
	Reviews           bool
	Saved             string
	Today, Until      string
}

type lineRow struct {
	Box, Crop, Text string
}

type changeRow struct {
	ID, Who, When, Review, ReviewedBy string
	Version                           int
	Was, Now                          string
	Whole                             bool
}

// transcribeWhere is the page the request names.
func (s *Server) transcribeWhere(c *gin.Context) (annotation.Where, bool) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || strconv.Itoa(n) != c.Param("n") {
		s.fail(c, notFound("no page "+strconv.Quote(c.Param("n"))+": pages are numbered from 1"))
		return annotation.Where{}, false
	}
	return annotation.Where{Base: s.baseURL(c), Item: c.Param("id"), Canvas: n}, true
}

// transcribe shows a page to transcribe (GET /items/{id}/transcribe/{n}).
func (s *Server) transcribe(c *gin.Context) {
	w, ok := s.transcribeWhere(c)
	if !ok {
		return
	}
	p := who(c)
	work, err := s.cfg.Annotations.Work(c, p, w)
	if err != nil {
		s.fail(c, err)
		return
	}
	it := work.Item
	pg := transcribePage{page: s.newPage(c, ""), ItemID: it.ID, N: w.Canvas, Pages: len(it.Files),
		Transcribes: work.Transcribes, Reviews: work.Reviews, Saved: c.Query("saved")}
	pg.ItemTitle = it.Title.Get(pg.Lang)
	pg.Title = fmt.Sprintf(t(pg.Lang, "transcribe_title"), w.Canvas, pg.ItemTitle)
	pg.CSRF, pg.LoginNext = s.csrfToken(c), c.Request.URL.Path
	if w.Canvas > 1 {
		pg.Prev = w.Canvas - 1
	}
	if w.Canvas < len(it.Files) {
		pg.Next = w.Canvas + 1
	}
	now := time.Now().In(desk.Zone)
	pg.Today, pg.Until = now.Format(time.DateOnly), now.Add(90*24*time.Hour).Format(time.DateOnly)
	f := it.Files[w.Canvas-1]
	img := ""
	if f.Derivatives["access"] != "" {
		img = "/iiif/3/" + presentation.ImageID(it.ID, w.Canvas)
		pg.Image = img + "/full/!1200,1600/0/default.jpg"
	}
	var whole []string
	for _, l := range work.Lines {
		row := lineRow{Box: fmt.Sprintf("%d,%d,%d,%d", l.Box.X, l.Box.Y, l.Box.W, l.Box.H), Text: l.Text}
		if img != "" && l.Box.W > 0 && l.Box.H > 0 {
			row.Crop = fmt.Sprintf("%s/%s/!1200,160/0/default.jpg", img, row.Box)
		}
		pg.Lines = append(pg.Lines, row)
		whole = append(whole, l.Text)
	}
	pg.Whole = strings.Join(whole, "\n")
	names := map[string]string{}
	name := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := t(pg.Lang, "a_transcriber")
		if u, err := s.cfg.Store.User(id); err == nil {
			switch {
			case u.Name != "":
				n = u.Name
			case work.Reviews:
				n = u.Email
			}
		}
		names[id] = n
		return n
	}
	for _, ch := range work.Changes {
		pg.Changes = append(pg.Changes, changeRow{ID: ch.ID, Version: ch.Version, Who: name(ch.Creator), When: ch.Modified.In(desk.Zone).Format("2006-01-02 15:04"),
			Review: ch.Review, ReviewedBy: name(ch.ReviewedBy), Was: strings.Join(ch.Was, "\n"), Now: strings.Join(ch.Lines, "\n"), Whole: ch.Box == (ocr.Box{})})
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "transcribe", pg)
}

// saveTranscription saves the form of the transcription page: the lines
// changed (box_i, was_i, text_i) or the whole page (whole).
func (s *Server) saveTranscription(c *gin.Context) {
	w, ok := s.transcribeWhere(c)
	if !ok {
		return
	}
	lang := c.PostForm("lang")
	if lang != "th" && lang != "en" {
		lang = ""
	}
	var edits []annotation.Edit
	if c.PostForm("mode") == "page" {
		edits = append(edits, annotation.Edit{Text: c.PostForm("whole"), Lang: lang})
	} else {
		for i := 0; i < annotation.MaxEdits+1; i++ {
			k := strconv.Itoa(i)
			box, ok := c.GetPostForm("box_" + k)
			if !ok {
				break
			}
			text := strings.TrimSpace(c.PostForm("text_" + k))
			if text == strings.TrimSpace(c.PostForm("was_"+k)) || text == "" {
				continue
			}
			var b ocr.Box
			if _, err := fmt.Sscanf(box, "%d,%d,%d,%d", &b.X, &b.Y, &b.W, &b.H); err != nil || b.W <= 0 || b.H <= 0 {
				s.fail(c, invalid(fmt.Sprintf("line %d has no place on the page (%q): reload the page", i+1, box)))
				return
			}
			edits = append(edits, annotation.Edit{Box: b, Text: text, Lang: lang})
		}
	}
	made, err := s.cfg.Annotations.Transcribe(c, who(c), w, edits)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/items/%s/transcribe/%d?saved=%s", w.Item, w.Canvas, made[0].Review))
}

// reviewTranscription approves or rejects a transcriber's line from the
// transcription page (anno, version, decision).
func (s *Server) reviewTranscription(c *gin.Context) {
	w, ok := s.transcribeWhere(c)
	if !ok {
		return
	}
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.fail(c, invalid("the form has no version; reload the page"))
		return
	}
	d := c.PostForm("decision")
	if d != "approve" && d != "reject" {
		s.fail(c, invalid("say decision=approve or decision=reject"))
		return
	}
	if _, err := s.cfg.Annotations.Review(c, who(c), w, c.PostForm("anno"), v, d == "approve"); err != nil {
		s.annoFail(c, err)
		return
	}
	saved := map[string]string{"approve": "approved", "reject": "rejected"}[d]
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/items/%s/transcribe/%d?saved=%s", w.Item, w.Canvas, saved))
}

// inviteTranscriber makes a person a transcriber of the item or of its
// collection (email, scope, until), from the transcription page.
func (s *Server) inviteTranscriber(c *gin.Context) {
	w, ok := s.transcribeWhere(c)
	if !ok {
		return
	}
	_, err := s.cfg.Requests.Invite(c, who(c), w.Item, c.PostForm("email"), desk.Decision{Approve: true, Until: c.PostForm("until"), Scope: c.PostForm("scope")})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/items/%s/transcribe/%d?saved=invited", w.Item, w.Canvas))
}
