package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/thaiarchives/archive/repository"
)

// Defaults are what the command line says of every item, before a sheet or
// bag says more.
type Defaults struct {
	Institution string
	Collection  string
	Access      string
	Rights      string
}

// Item is a new item carrying the defaults. Its access level stays empty
// when none was given, so that a unit says whether it asks for a level (the
// store makes a new item public); see Pipeline.Ingest on duplicates.
func (d Defaults) Item() repository.Item {
	return repository.Item{Institution: d.Institution, Collection: d.Collection, Rights: d.Rights,
		Access: repository.Access{Level: d.Access}}
}

// thaiLevels are the Thai words a sheet may use for the access levels.
var thaiLevels = map[string]string{
	"สาธารณะ":       repository.Public,
	"ภาพขนาดย่อ":    repository.Reduced,
	"เฉพาะคำอธิบาย": repository.MetadataOnly,
	"จำกัด":         repository.Restricted,
}

// accessLevel reads an access level as a sheet writes it: a level's name in
// any case, or its Thai word.
func accessLevel(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if slices.Contains(repository.Levels, v) {
		return v, true
	}
	level, ok := thaiLevels[v]
	return level, ok
}

// accessChoices lists the levels a sheet may use, open to closed, each
// with its Thai word.
func accessChoices() string {
	var out []string
	for _, l := range repository.Levels {
		choice := l
		for w, level := range thaiLevels {
			if level == l {
				choice += " (" + w + ")"
			}
		}
		out = append(out, choice)
	}
	return strings.Join(out, ", ")
}

// MaxSheetSize bounds a metadata sheet.
const MaxSheetSize = 64 << 20

// readSheetText reads a sheet as UTF-8, converting Thai Windows-874 /
// TIS-620 (what Thai Excel saves as "CSV") when the bytes are not UTF-8.
func readSheetText(path, name string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fail("sheet_unreadable", name, unwrapPath(err).Error())
	}
	if st.Size() > MaxSheetSize {
		return "", fail("sheet_too_large", name, strconv.FormatInt(st.Size(), 10), strconv.Itoa(MaxSheetSize))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fail("sheet_unreadable", name, unwrapPath(err).Error())
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(b) {
		return string(b), nil
	}
	dec, err := charmap.Windows874.NewDecoder().Bytes(b)
	if err == nil && hasThai(string(dec)) && !strings.ContainsRune(string(dec), utf8.RuneError) {
		return string(dec), nil
	}
	return "", fail("sheet_encoding", name)
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E01 && r <= 0x0E5B {
			return true
		}
	}
	return false
}

var langColumn = regexp.MustCompile(`^([a-z]+)(?:\.([a-z]{2,3}))?$`)

// Columns a sheet may have. Language-mapped ones take a suffix (title.th).
var (
	textColumns = map[string]bool{"title": true, "description": true, "summary": true, "creator": true, "attribution": true,
		"publisher": true, "contributor": true, "coverage": true, "source": true, "relation": true, "format": true, "subject": true}
	plainColumns = map[string]bool{"file": true, "files": true, "date": true, "rights": true, "access": true, "embargo": true, "readingroom": true,
		"collection": true, "institution": true, "type": true, "identifier": true, "language": true, "viewingdirection": true,
		"behavior": true, "toc": true}
)

// extraLabels are Dublin Core fields shown as labelled metadata.
var extraLabels = map[string]repository.Text{
	"publisher":   {"th": "สำนักพิมพ์", "en": "Publisher"},
	"contributor": {"th": "ผู้ร่วมสร้างสรรค์", "en": "Contributor"},
	"coverage":    {"th": "ขอบเขต", "en": "Coverage"},
	"source":      {"th": "แหล่งที่มา", "en": "Source"},
	"relation":    {"th": "ความสัมพันธ์", "en": "Relation"},
	"format":      {"th": "รูปแบบ", "en": "Format"},
	"identifier":  {"th": "รหัส", "en": "Identifier"},
}

// Sheet reads a metadata sheet (CSV, or an Excel workbook's first
// worksheet): one row per item, files relative to the sheet's folder. Every
// bad cell is reported with its row and column; a sheet with any problem
// yields no units.
func Sheet(path string, d Defaults) ([]Unit, []Problem, error) {
	return sheet(path, path, d)
}

// sheet reads the sheet at path, calling it name in messages (a bag's
// sheet is named inside the bag, not by where it was unpacked).
func sheet(path, name string, d Defaults) ([]Unit, []Problem, error) {
	rows, err := sheetRows(path, name)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) < 2 {
		return nil, nil, fail("sheet_no_rows", name)
	}
	var problems []Problem
	header := rows[0]
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		m := langColumn.FindStringSubmatch(h)
		if m == nil || !(textColumns[m[1]] || plainColumns[m[1]] && m[2] == "") {
			problems = append(problems, problem(Message{Kind: "column_unknown", Args: []string{h}, Column: strconv.Itoa(i + 1)}))
		}
	}
	dir := filepath.Dir(path)
	var units []Unit
	for n, row := range rows[1:] {
		rowNo := n + 2 // 1-based, after the header
		if len(strings.Join(row, "")) == 0 {
			continue
		}
		u, ps := sheetRow(dir, filepath.Base(path), header, row, rowNo, d)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			units = append(units, u)
		}
	}
	if len(problems) > 0 {
		return nil, firstProblems(problems), nil
	}
	return units, nil, nil
}

// firstProblems keeps the first maxProblems of a sheet's problems and
// counts the rest in one more: a sheet of ten thousand bad rows is told
// in a screenful.
func firstProblems(ps []Problem) []Problem {
	if len(ps) <= maxProblems {
		return ps
	}
	more := problem(Message{Kind: "sheet_more_problems", Args: []string{strconv.Itoa(len(ps) - maxProblems)}})
	return append(ps[:maxProblems:maxProblems], more)
}

// Bounds of a sheet's cells. A sheet of more rows is split into several; the
// bounds keep a small file that unpacks or parses to millions of cells (a
// workbook compresses a thousandfold) from taking the memory of the service.
const (
	// MaxSheetRows is how many rows a sheet may have under its header.
	MaxSheetRows = 10_000
	// MaxSheetColumns is how many columns a row may have.
	MaxSheetColumns = 100
	// maxUnzipped bounds what an Excel workbook may unpack to, all parts
	// together; maxUnzippedPart, one part held in memory (a larger
	// worksheet is unpacked to a temporary file and read from there).
	maxUnzipped     = 32 << 20
	maxUnzippedPart = 8 << 20
	// maxSharedElements bounds the XML elements of the shared strings: two
	// for a plain string (si and t), more for formatted text; ten strings a
	// row with room for some formatting.
	maxSharedElements = 3 * 10 * MaxSheetRows
	// maxProblems is how many problems a sheet reports one by one; the
	// rest are counted.
	maxProblems = 100
)

// sheetRows reads the cells of a CSV sheet, or of the first worksheet of an
// Excel workbook (.xlsx).
func sheetRows(path, name string) ([][]string, error) {
	if strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		return xlsxRows(path, name)
	}
	text, err := readSheetText(path, name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fail("sheet_not_csv", name, err.Error())
		}
		if err := boundRow(name, len(rows)+1, row); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

// boundRow refuses the n-th row (the header being 1) of a sheet when it
// is past the last row a sheet may have or has too many columns.
func boundRow(name string, n int, row []string) error {
	if n > MaxSheetRows+1 {
		return fail("sheet_too_many_rows", name, strconv.Itoa(MaxSheetRows))
	}
	if len(row) > MaxSheetColumns {
		return fail("sheet_too_many_columns", name, strconv.Itoa(n), strconv.Itoa(MaxSheetColumns))
	}
	return nil
}

// xlsxRows reads the cells of the first worksheet of an Excel workbook,
// within the bounds of what it may unpack to and of its rows and columns.
func xlsxRows(path, name string) ([][]string, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, fail("sheet_unreadable", name, unwrapPath(err).Error())
	} else if st.Size() > MaxSheetSize {
		return nil, fail("sheet_too_large", name, strconv.FormatInt(st.Size(), 10), strconv.Itoa(MaxSheetSize))
	}
	if err := sharedStringsBound(path, name); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedPart})
	if err != nil {
		return nil, fail("sheet_not_xlsx", name, unwrapPath(err).Error())
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fail("sheet_no_worksheet", name)
	}
	rows, err := worksheetRows(f, sheets[0], name, false)
	if err != nil {
		return nil, err
	}
	if err := excelDates(f, sheets[0], name, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// sharedStringsBound refuses a workbook whose shared strings hold more
// than maxSharedElements XML elements. Excelize decodes that part whole
// before the first cell is read (about 400 bytes and 6 µs an element), so
// its bound is set by how many elements it holds, not by its bytes: 30 MB
// of one-letter strings took 22 s and 1.4 GB to open.
func sharedStringsBound(path, name string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return fail("sheet_not_xlsx", name, unwrapPath(err).Error())
	}
	defer z.Close()
	var size uint64
	for _, f := range z.File {
		if size += f.UncompressedSize64; size > maxUnzipped {
			return fail("sheet_unzips_too_large", name, strconv.Itoa(maxUnzipped))
		}
	}
	for _, f := range z.File {
		if !strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), "xl/sharedStrings.xml") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return fail("sheet_not_xlsx", name, err.Error())
		}
		n, err := countElements(io.LimitReader(r, maxUnzipped+1))
		r.Close()
		if err != nil {
			return fail("sheet_not_xlsx", name, err.Error())
		}
		if n > maxSharedElements {
			return fail("sheet_too_many_strings", name, strconv.Itoa(maxSharedElements))
		}
	}
	return nil
}

// countElements counts the start and empty-element tags of XML: each '<'
// that does not begin an end tag, a comment or a declaration.
func countElements(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	n, last := 0, byte(0)
	for {
		k, err := r.Read(buf)
		for _, b := range buf[:k] {
			if last == '<' && b != '/' && b != '?' && b != '!' {
				n++
			}
			last = b
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// worksheetRows streams a worksheet's rows (their raw values, or as Excel
// shows them), refusing it at the first row past the bounds. Missing rows
// count: a row numbered a million is a million rows.
func worksheetRows(f *excelize.File, sheet, name string, raw bool) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, fail("sheet_broken", name, unwrapPath(err).Error())
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		row, err := it.Columns(excelize.Options{RawCellValue: raw})
		if err != nil {
			return nil, fail("sheet_broken", name, unwrapPath(err).Error())
		}
		if err := boundRow(name, len(rows)+1, row); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if err := it.Error(); errors.Is(err, excelize.ErrMaxRows) {
		return nil, fail("sheet_too_many_rows", name, strconv.Itoa(MaxSheetRows))
	} else if err != nil {
		return nil, fail("sheet_broken", name, unwrapPath(err).Error())
	}
	// Rows after the last with a cell are formatting only.
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, nil
}

// excelDates rewrites the cells of the date and embargo columns that Excel
// stores as dates: GetRows shows them in the cell's display format
// ("12-31-26"), which is ambiguous, so they are read again as day numbers
// and written as YYYY-MM-DD.
func excelDates(f *excelize.File, sheet, name string, rows [][]string) error {
	if len(rows) == 0 {
		return nil
	}
	var cols []int
	for i, h := range rows[0] {
		if h = strings.ToLower(strings.TrimSpace(h)); h == "date" || h == "embargo" {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	raw, err := worksheetRows(f, sheet, name, true)
	if err != nil {
		return err
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return fail("sheet_broken", name, err.Error())
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	for r := 1; r < len(rows) && r < len(raw); r++ {
		for _, c := range cols {
			if c >= len(rows[r]) || c >= len(raw[r]) || rows[r][c] == raw[r][c] {
				continue // text, or a number shown as itself (a year)
			}
			serial, err := strconv.ParseFloat(raw[r][c], 64)
			if err != nil || serial < 1 {
				continue
			}
			if t, err := excelize.ExcelDateToTime(serial, date1904); err == nil {
				rows[r][c] = t.Format(time.DateOnly)
			}
		}
	}
	return nil
}

func sheetRow(dir, sheetName string, header, row []string, rowNo int, d Defaults) (Unit, []Problem) {
	it := d.Item()
	u := Unit{Origin: fmt.Sprintf("sheet %s, row %d", sheetName, rowNo)}
	var problems []Problem
	bad := func(col, kind string, args ...string) {
		problems = append(problems, problem(Message{Kind: kind, Args: args, Row: rowNo, Column: col}))
	}
	badErr := func(col string, err error) {
		m := MessageOf(err)
		m.Row, m.Column = rowNo, col
		problems = append(problems, problem(m))
	}
	note := func(col string, warning *Message) {
		if warning != nil {
			w := *warning
			w.Row, w.Column = rowNo, col
			u.Notes = append(u.Notes, w)
		}
	}
	set := func(t *repository.Text, lang, v string) {
		if *t == nil {
			*t = repository.Text{}
		}
		(*t)[cmpOr(lang, "none")] = v
	}
	fields := map[string]*repository.Field{}
	var order []string
	for i, h := range header {
		if i >= len(row) {
			break
		}
		v := strings.TrimSpace(row[i])
		if v == "" {
			continue
		}
		m := langColumn.FindStringSubmatch(h)
		if m == nil {
			continue
		}
		name, lang := m[1], m[2]
		switch name {
		case "title":
			set(&it.Title, lang, v)
		case "description", "summary":
			set(&it.Summary, lang, v)
		case "creator":
			set(&it.Creator, lang, v)
		case "attribution":
			set(&it.Attribution, lang, v)
		case "subject":
			for j, s := range splitList(v) {
				if j >= len(it.Subjects) {
					it.Subjects = append(it.Subjects, repository.Text{})
				}
				it.Subjects[j][cmpOr(lang, "none")] = s
			}
		case "file", "files":
			for _, f := range splitList(v) {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if filepath.IsAbs(f) || !within(dir, p) {
					bad(h, "file_outside", f)
					continue
				}
				if real, err := filepath.EvalSymlinks(p); err != nil {
					bad(h, "file_missing", f)
					continue
				} else if !within(mustReal(dir), real) {
					bad(h, "file_links_outside", f)
					continue
				}
				u.Files = append(u.Files, Input{Path: p, Name: filepath.ToSlash(f), Listed: true})
			}
		case "date":
			date, warning, err := ReadDate(v)
			if err != nil {
				badErr(h, err)
			}
			note(h, warning)
			it.Date = date
		case "rights":
			if !repository.ValidRights(v) {
				bad(h, "rights_invalid", v)
			}
			it.Rights = v
		case "access":
			level, ok := accessLevel(v)
			if !ok {
				bad(h, "access_invalid", v, accessChoices())
			}
			it.Access.Level = level
		case "embargo":
			date, warning, err := ReadDate(v)
			if _, notDay := time.Parse(time.DateOnly, date); err != nil || notDay != nil {
				bad(h, "embargo_not_day", v)
			}
			note(h, warning)
			it.Access.Embargo = date
		case "readingroom":
			room, ok := readingRoom(v)
			if !ok {
				bad(h, "reading_room_invalid", v)
			}
			it.Access.ReadingRoom = room
		case "collection":
			it.Collection = v
		case "institution":
			it.Institution = strings.ToLower(v)
		case "type":
			it.Type = v
		case "language":
			it.Language = splitList(v)
		case "viewingdirection":
			it.ViewingDirection = v
		case "behavior":
			it.Behavior = splitList(v)
		case "toc":
			ranges, err := parseTOC(v)
			if err != nil {
				badErr(h, err)
			}
			it.Structures = ranges
		default:
			f := fields[name]
			if f == nil {
				f = &repository.Field{Label: extraLabels[name], Value: repository.Text{}}
				fields[name] = f
				order = append(order, name)
			}
			f.Value[cmpOr(lang, "none")] = v
		}
	}
	for _, name := range order {
		it.Metadata = append(it.Metadata, *fields[name])
	}
	if len(u.Files) == 0 {
		bad("files", "row_no_file")
	}
	if it.Institution == "" {
		bad("institution", "row_no_library")
	}
	u.Meta = it
	return u, problems
}

// isSheet reports whether a file's name makes it a metadata sheet (.csv,
// .xlsx), which describes items rather than being one.
func isSheet(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".csv" || ext == ".xlsx"
}

// refuseSheet refuses a sheet that reached the pipeline as a plain file (a
// web upload, a sheet in a subfolder) unless a sheet row names it: ingested
// as a file it would become a public item called "metadata".
func refuseSheet(in Input) error {
	if in.Listed || !isSheet(in.Name) {
		return nil
	}
	return refuse("sheet_as_file", path.Base(in.Name), in.Name)
}

func mustReal(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func splitList(v string) []string {
	var out []string
	for s := range strings.SplitSeq(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseTOC reads a table of contents: "label=pages; label=pages", pages as
// "1-3" or "4" (counted from 1), label optionally "th|en".
func parseTOC(v string) ([]repository.Range, error) {
	var out []repository.Range
	for _, entry := range splitList(v) {
		label, pages, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fail("toc_entry", entry)
		}
		r := repository.Range{Label: repository.Text{}}
		if th, en, two := strings.Cut(label, "|"); two {
			r.Label["th"], r.Label["en"] = strings.TrimSpace(th), strings.TrimSpace(en)
		} else {
			r.Label["none"] = strings.TrimSpace(label)
		}
		for part := range strings.SplitSeq(pages, ",") {
			a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
			from, err1 := strconv.Atoi(strings.TrimSpace(a))
			to := from
			var err2 error
			if isRange {
				to, err2 = strconv.Atoi(strings.TrimSpace(b))
			}
			if err1 != nil || err2 != nil || from < 1 || to < from || to-from > 100000 {
				return nil, fail("toc_pages", pages)
			}
			for p := from; p <= to; p++ {
				r.Canvases = append(r.Canvases, p-1)
			}
		}
		out = append(out, r)
	}
	return out, nil
}
