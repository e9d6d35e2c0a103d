package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// document is what the index keeps of an item: its words in every
// language, the values facets count, the years it covers in the Common Era,
// and the audiences that may read it (see access.Audience).
type document struct {
	Title      []string `json:"title"`
	Summary    []string `json:"summary"`
	Creator    []string `json:"creator"`
	Subjects   []string `json:"subjects"`
	Places     []string `json:"places"`
	Identifier []string `json:"identifier"`
	Date       []string `json:"date"`
	Collection []string `json:"collection"`
	Library    []string `json:"library"`
	Metadata   []string `json:"metadata"`
	Text       []string `json:"text"`
	Words      []string `json:"words"`
	// Pairs and TitlePairs hold each two words that stand together in a
	// value of the text fields (of the title): a phrase, a Thai compound
	// among them, is found by looking its pairs up, not by reading every
	// hit's word positions.
	Pairs      []string `json:"pairs"`
	TitlePairs []string `json:"title_pairs"`
	// Rank holds every word of the description (not of the pages, nor
	// the library's name), the title's three times and the creators' and
	// subjects' twice: a word is found and ranked by one look-up per hit,
	// where _all and three fields beside it took a step each (see word).
	Rank []string `json:"rank"`

	// Facet holds every facet value as "name:value", in one field so that
	// counting them reads one column per hit, not one per facet.
	Facet    []string `json:"facet"`
	Audience []string `json:"audience"`
	// Closed marks a record not every visitor may read (closedMark), so
	// that a search excludes the few closed records a visitor may not
	// read rather than walking the many open ones.
	Closed      []string `json:"closed,omitempty"`
	YearFrom    *float64 `json:"year_from,omitempty"`
	YearTo      *float64 `json:"year_to,omitempty"`
	SortTitleTH string   `json:"sort_title_th"`
	SortTitleEN string   `json:"sort_title_en"`
}

// Source is what the index reads of the repository: records, the lists
// that a full rebuild walks, and the change feed it follows.
type Source interface {
	access.Items
	Institutions() ([]*repository.Institution, error)
	ItemsOfInstitutionAt(institution string, offset, limit int) ([]string, int, error)
	ItemsOfInstitution(institution, after string, limit int) (repository.Page, error)
	ItemsInCollectionAt(collection string, offset, limit int) ([]string, int, error)
	Children(parent string) ([]*repository.Collection, error)
	FeedEpoch() (string, uint64, error)
	Feed(after uint64, limit int) ([]repository.FeedEntry, error)
	// The harvested catalogue entries (package harvest).
	Entry(id string) (*repository.Entry, error)
	EntryIDsOf(institution string) ([]string, error)
}

// Texts reads the text kept beside an item's pages (a PDF's text layer,
// later OCR): blob storage.
type Texts interface {
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// Bounds of the page text one item brings to the index.
const (
	maxPageText = 256 << 10
	maxItemText = 8 << 20
)

// pageTexts reads the text of an item's pages, within bounds; an item
// without any, or an index without Texts, has none.
func (x *Index) pageTexts(ctx context.Context, it *repository.Item) ([]string, error) {
	if x.opts.Texts == nil {
		return nil, nil
	}
	var out []string
	total := 0
	for _, f := range it.Files {
		key := f.Derivatives["text"]
		if key == "" || total >= maxItemText {
			continue
		}
		rc, err := x.opts.Texts.Get(ctx, key, 0, -1)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("item %s: page text: %w", it.ID, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxPageText))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("item %s: page text: %w", it.ID, err)
		}
		total += len(b)
		out = append(out, string(b))
	}
	return out, nil
}

// lookups caches the collections and libraries of one batch.
type lookups struct {
	src   Source
	colls map[string]*repository.Collection
	insts map[string]*repository.Institution
}

func newLookups(src Source) *lookups {
	return &lookups{src: src, colls: map[string]*repository.Collection{}, insts: map[string]*repository.Institution{}}
}

func (l *lookups) Collection(id string) (*repository.Collection, error) {
	if c, ok := l.colls[id]; ok {
		return c, nil
	}
	c, err := l.src.Collection(id)
	if err == nil {
		l.colls[id] = c
	}
	return c, err
}

func (l *lookups) Institution(id string) (*repository.Institution, error) {
	if in, ok := l.insts[id]; ok {
		return in, nil
	}
	in, err := l.src.Institution(id)
	if err == nil {
		l.insts[id] = in
	}
	return in, err
}

// placeLabels are metadata labels whose values are places.
var placeLabels = []string{"place", "places", "spatial", "coverage", "location", "สถานที่"}

// newDocument builds the index's document of an item, or nil when no one
// may find it (withdrawn).
func newDocument(l *lookups, it *repository.Item, now time.Time) (*document, error) {
	r, err := access.ItemResource(l, it)
	if err != nil {
		return nil, err
	}
	aud := access.Audience(r, now)
	if len(aud) == 0 {
		return nil, nil
	}
	d := &document{
		Title:       values(it.Title),
		Summary:     values(it.Summary),
		Creator:     values(it.Creator),
		Identifier:  []string{it.ID},
		Audience:    aud,
		Closed:      closed(aud),
		SortTitleTH: sortKey(it.Title, "th"),
		SortTitleEN: sortKey(it.Title, "en"),
	}
	d.facet("library", it.Institution)
	d.facet("type", it.Type)
	d.facet("access", access.Effective(r.Access, now))
	for _, l := range it.Language {
		d.facet("language", l)
	}
	for _, s := range it.Subjects {
		d.Subjects = append(d.Subjects, values(s)...)
	}
	d.points(it.Points)
	for _, f := range it.Metadata {
		label := strings.ToLower(f.Label.Get("en"))
		if isPlace(label) || isPlace(f.Label.Get("th")) {
			d.Places = append(d.Places, values(f.Value)...)
		} else {
			d.Metadata = append(d.Metadata, values(f.Value)...)
		}
		if label == "identifier" || strings.Contains(label, "call number") || strings.Contains(label, "reference code") {
			d.Identifier = append(d.Identifier, values(f.Value)...)
		}
	}
	for _, k := range []string{"identifier", "External-Identifier", "Bag-Group-Identifier"} {
		if v := it.Source[k]; v != "" {
			d.Identifier = append(d.Identifier, v)
		}
	}
	if in, err := l.Institution(it.Institution); err == nil {
		d.Library = values(in.Name)
	} else if !errors.Is(err, fault.NotFound) {
		return nil, err
	}
	for id, depth := it.Collection, 0; id != "" && depth < 64; depth++ {
		c, err := l.Collection(id)
		if errors.Is(err, fault.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		d.facet("collection", c.ID)
		if c.Description != nil {
			d.points(c.Description.Points)
		}
		d.Collection = append(d.Collection, values(c.Title)...)
		d.Collection = append(d.Collection, containerWords(c)...)
		id = c.Parent
	}
	for _, w := range [][]string{d.Title, d.Summary, d.Creator, d.Subjects, d.Places, d.Collection} {
		d.Words = append(d.Words, w...)
	}
	if err := d.setDates(it.Date); err != nil {
		return nil, fmt.Errorf("item %s: %w", it.ID, err)
	}
	return d, nil
}

// pair fills the pairs and rank fields from the text fields, once they
// are all set.
func (d *document) pair() {
	d.TitlePairs = d.Title
	// Not the name of the library that holds the record: every record of
	// the library has it, and a search for Chiang Mai would find all that
	// Chiang Mai University holds (library: and the library facet do).
	d.Pairs = slices.Concat(d.Title, d.Identifier, d.Creator, d.Subjects, d.Places, d.Collection, d.Summary, d.Metadata, d.Date, d.Text)
	d.Rank = slices.Concat(d.Title, d.Title, d.Title, d.Creator, d.Creator, d.Subjects, d.Subjects,
		d.Identifier, d.Places, d.Collection, d.Summary, d.Metadata, d.Date)
}

// closedMark is the term of field closed in the records that some
// visitors may not read.
const closedMark = "closed"

// closed is the mark of a record with audiences aud: none for a record
// everyone may read.
func closed(aud []string) []string {
	if slices.Contains(aud, access.Everyone) {
		return nil
	}
	return []string{closedMark}
}

func (d *document) facet(name, value string) {
	if value != "" {
		d.Facet = append(d.Facet, name+":"+value)
	}
}

func isPlace(label string) bool {
	for _, p := range placeLabels {
		if label == p {
			return true
		}
	}
	return false
}

// setDates indexes the years an EDTF date covers: as words in both eras (so
// 2562 finds 2019), as a range in the Common Era, and by decade. An open or
// unknown end is open: the range runs as far as any year can.
func (d *document) setDates(date string) error {
	if date == "" {
		return nil
	}
	parsed, err := edtf.Parse(date)
	if err != nil {
		return nil // stored dates are valid; an old unreadable one is just not dated
	}
	d.Date = append(d.Date, date)
	start, okStart := parsed.Start()
	end, okEnd := parsed.End()
	if !okStart && !okEnd {
		return nil
	}
	from, to := -openYear, openYear
	if okStart {
		from = float64(start.Year())
	}
	if okEnd {
		to = float64(end.Year())
	}
	d.YearFrom, d.YearTo = &from, &to
	// Words and decades for the years known: an open end adds none.
	if !okStart {
		start = end
	}
	if !okEnd {
		end = start
	}
	if end.Year()-start.Year() > 200 {
		return nil // a wide range: searchable by range, not by every year
	}
	for y := start.Year(); y <= end.Year(); y++ {
		d.Date = append(d.Date, strconv.Itoa(y), strconv.Itoa(y+edtf.BuddhistOffset))
		if y == start.Year() || y%10 == 0 {
			d.facet("decade", strconv.Itoa(y/10*10))
		}
	}
	return nil
}

// openYear stands for an open end of a date's range: beyond any year EDTF
// can write (Y-years run to nine digits).
const openYear = 1e10

// values lists a language map's texts, Thai first, without repeats.
func values(t repository.Text) []string {
	var out []string
	for _, l := range []string{"th", "en"} {
		if v := strings.TrimSpace(t[l]); v != "" {
			out = append(out, v)
		}
	}
	for l, v := range t {
		if v = strings.TrimSpace(v); l != "th" && l != "en" && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// sortKey is the title a reader of lang sorts by, folded for comparison.
func sortKey(t repository.Text, lang string) string {
	return strings.ToLower(strings.TrimSpace(t.Get(lang)))
}
