package annotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
)

// Line is one line of a page's text: where it lies and what it says.
type Line struct {
	Box  ocr.Box
	Text string
}

// Change is one transcription of a page, as its history shows it.
type Change struct {
	ID      string
	Version int
	Box     ocr.Box // zero: the whole page
	Lines   []string
	// Was is what the machine read where it lies.
	Was        []string
	Creator    string // user id
	Created    time.Time
	Modified   time.Time
	Review     string
	ReviewedBy string // user id
	ReviewedAt time.Time
}

// PageWork is what transcribing a page shows a person: its text now and
// as the machine read it, its transcriptions they may read, newest
// first, and what they may do.
type PageWork struct {
	Item          *repository.Item
	Canvas        int
	Width, Height int
	Lines         []Line
	Machine       []Line
	Changes       []Change
	// Transcribes: p may transcribe the page; Reviews: p approves.
	Transcribes, Reviews bool
}

// Edit is a transcription made from a form: the text of the region Box
// (zero: of the whole page, a line of text a line of the page), in Lang.
type Edit struct {
	Box  ocr.Box
	Text string
	Lang string
}

// MaxEdits is how many lines one form may transcribe at once.
const MaxEdits = 500

// Work is page w.Canvas of item w.Item for transcribing by p, who must be
// able to read the page whole.
func (s *Service) Work(ctx context.Context, p access.Principal, w Where) (*PageWork, error) {
	it, res, err := s.item(p, w)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := access.Decide(p, access.ReadContent, res, now); err != nil {
		return nil, err
	}
	if w.Canvas < 1 {
		return nil, fmt.Errorf("item %s has no page %d: %w", it.ID, w.Canvas, fault.NotFound)
	}
	f := &it.Files[w.Canvas-1]
	out := &PageWork{Item: it, Canvas: w.Canvas, Reviews: access.Decide(p, access.Edit, res, now) == nil,
		Transcribes: p.SignedIn() && p.Scope != access.ScopeRead && access.Transcribes(p, res, now)}
	page, err := s.machinePage(ctx, f, f.Derivatives["alto"])
	if err != nil {
		return nil, err
	}
	machine := page
	if f.Transcribed {
		if machine, err = s.machinePage(ctx, f, f.Derivatives["machine-alto"]); err != nil {
			return nil, err
		}
	}
	out.Width, out.Height, out.Lines, out.Machine = page.Width, page.Height, linesOf(page), linesOf(machine)
	list, _, err := s.visible(p, w)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range list {
		if e.Review != "" {
			ids = append(ids, e.ID)
		}
	}
	annos, err := s.Store.Annotations(ids)
	if err != nil {
		return nil, err
	}
	for _, a := range slices.Backward(annos) {
		t := readTranscript(a.Doc, out.Width, out.Height)
		c := Change{ID: a.ID, Version: a.Version, Box: t.box, Lines: t.lines, Creator: a.Creator, Created: a.Created, Modified: a.Modified,
			Review: a.Review, ReviewedBy: a.ReviewedBy, ReviewedAt: a.ReviewedAt}
		for _, l := range out.Machine {
			if t.box == (ocr.Box{}) || t.box.Overlaps(ocr.Box{X: l.Box.X + l.Box.W/2, Y: l.Box.Y + l.Box.H/2, W: 1, H: 1}) {
				c.Was = append(c.Was, l.Text)
			}
		}
		out.Changes = append(out.Changes, c)
	}
	return out, nil
}

// transcribable reads the item of w for p to transcribe: refused to whom
// may not know of it as not found, else to all but the staff and the
// transcribers the library invited; a withdrawn item is gone.
func (s *Service) transcribable(p access.Principal, w Where) (*repository.Item, access.Resource, error) {
	it, res, err := s.load(w)
	if err != nil {
		return nil, res, err
	}
	now := s.now()
	if !p.SignedIn() || p.Scope == access.ScopeRead || !access.Transcribes(p, res, now) {
		if err := access.Decide(p, access.ReadMetadata, res, now); err != nil && !errors.Is(err, fault.Gone) {
			return nil, res, err
		}
		if !p.SignedIn() {
			return nil, res, fmt.Errorf("to transcribe, sign in: %w", fault.Unauthenticated)
		}
		return nil, res, fmt.Errorf("only the holding library's staff and the transcribers it invites transcribe its pages: ask the library to invite you: %w", fault.Forbidden)
	}
	if _, _, err := s.item(p, w); err != nil { // withdrawn, or no such page
		return nil, res, err
	}
	if w.Canvas < 1 {
		return nil, res, invalid("transcribe a page, %s{n}/", w.Container())
	}
	return it, res, nil
}

func linesOf(p *ocr.Page) []Line {
	out := make([]Line, len(p.Lines))
	for i, l := range p.Lines {
		words := make([]string, len(l.Words))
		for j, w := range l.Words {
			words[j] = w.Text
		}
		out[i] = Line{Box: l.Box, Text: strings.Join(words, " ")}
	}
	return out
}

// Transcribe saves edits of page w.Canvas as p's transcriptions, as one
// change, and writes the page's text once if they are approved (p is
// the library's staff); a transcriber's wait for review. It counts as
// one annotation against p's limit a minute.
func (s *Service) Transcribe(ctx context.Context, p access.Principal, w Where, edits []Edit) ([]*repository.Annotation, error) {
	it, res, err := s.transcribable(p, w)
	if err != nil {
		return nil, err
	}
	if len(edits) == 0 {
		return nil, invalid("nothing to save: no line was changed")
	}
	if len(edits) > MaxEdits {
		return nil, fmt.Errorf("a page is transcribed %d lines at a time at most, not %d: %w", MaxEdits, len(edits), fault.TooLarge)
	}
	var made []*repository.Annotation
	for i, e := range edits {
		if strings.TrimSpace(e.Text) == "" || !utf8.ValidString(e.Text) {
			return nil, invalid("line %d has no text", i+1)
		}
		var target any = w.CanvasURI(w.Canvas)
		if e.Box != (ocr.Box{}) {
			target = map[string]any{"type": "SpecificResource", "source": w.CanvasURI(w.Canvas),
				"selector": map[string]string{"type": "FragmentSelector", "conformsTo": MediaFrags, "value": e.Box.XYWH()}}
		}
		body := map[string]string{"type": "TextualBody", "value": e.Text, "format": "text/plain"}
		if e.Lang != "" {
			body["language"] = e.Lang
		}
		doc, err := json.Marshal(map[string]any{"@context": Context, "type": "Annotation", "motivation": "supplementing",
			"body": body, "target": target})
		if err != nil {
			return nil, err
		}
		in, err := parse(doc, w.CanvasURI(w.Canvas))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		a := &repository.Annotation{ID: newUUID(), Item: it.ID, Canvas: w.Canvas, Institution: it.Institution,
			Creator: p.User, Audience: repository.AudiencePublic, Doc: in.doc}
		if err := s.judge(p, res, a); err != nil {
			return nil, err
		}
		made = append(made, a)
	}
	if err := s.allow(p.User); err != nil {
		return nil, err
	}
	if err := s.Store.AddAnnotations(ctx, made); err != nil {
		return nil, err
	}
	if made[0].Review == repository.ReviewApproved {
		if err := s.refresh(ctx, it.ID, w.Canvas, p.Email+" (transcription)"); err != nil {
			return made, unwritten(w.Canvas, err)
		}
	}
	return made, nil
}
