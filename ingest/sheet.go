package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// Item is a new item carrying the defaults.
func (d Defaults) Item() repository.Item {
	return repository.Item{Institution: d.Institution, Collection: d.Collection, Rights: d.Rights,
		Access: repository.Access{Level: cmpOr(d.Access, repository.Public)}}
}

// MaxSheetSize bounds a metadata sheet.
const MaxSheetSize = 64 << 20

// readSheetText reads a sheet as UTF-8, converting Thai Windows-874 /
// TIS-620 (what Thai Excel saves as "CSV") when the bytes are not UTF-8.
func readSheetText(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("sheet %s cannot be read: %v", path, unwrapPath(err))
	}
	if st.Size() > MaxSheetSize {
		return "", fmt.Errorf("sheet %s is %d bytes, over the limit of %d", path, st.Size(), MaxSheetSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("sheet %s cannot be read: %v", path, unwrapPath(err))
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(b) {
		return string(b), nil
	}
	dec, err := charmap.Windows874.NewDecoder().Bytes(b)
	if err == nil && hasThai(string(dec)) && !strings.ContainsRune(string(dec), utf8.RuneError) {
		return string(dec), nil
	}
	return "", fmt.Errorf("sheet %s is neither UTF-8 nor Thai Windows-874/TIS-620 text: save it from Excel as \"CSV UTF-8\"", path)
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
	plainColumns = map[string]bool{"file": true, "files": true, "date": true, "rights": true, "access": true, "embargo": true,
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

// Sheet reads a CSV metadata sheet: one row per item, files relative to the
// sheet's folder. Every bad cell is reported with its row and column; a
// sheet with any problem yields no units.
func Sheet(path string, d Defaults) ([]Unit, []Problem, error) {
	rows, err := sheetRows(path)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) < 2 {
		return nil, nil, fmt.Errorf("sheet %s has no rows under its header", path)
	}
	var problems []Problem
	header := rows[0]
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		m := langColumn.FindStringSubmatch(h)
		if m == nil || !(textColumns[m[1]] || plainColumns[m[1]] && m[2] == "") {
			problems = append(problems, Problem{fmt.Sprintf("column %d", i+1), fmt.Sprintf("unknown column %q (columns: title.th, title.en, date, rights, access, files, collection, …)", h)})
		}
	}
	dir := filepath.Dir(path)
	var units []Unit
	for n, row := range rows[1:] {
		rowNo := n + 2 // 1-based, after the header
		if len(strings.Join(row, "")) == 0 {
			continue
		}
		u, ps := sheetRow(dir, header, row, rowNo, d)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			units = append(units, u)
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	return units, nil, nil
}

// sheetRows reads the cells of a CSV sheet, or of the first worksheet of an
// Excel workbook (.xlsx).
func sheetRows(path string) ([][]string, error) {
	if strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		if st, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("sheet %s cannot be read: %v", path, unwrapPath(err))
		} else if st.Size() > MaxSheetSize {
			return nil, fmt.Errorf("sheet %s is %d bytes, over the limit of %d", path, st.Size(), MaxSheetSize)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			return nil, fmt.Errorf("sheet %s is not a readable Excel workbook (.xlsx): %v", path, err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("sheet %s has no worksheet", path)
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, fmt.Errorf("sheet %s: %v", path, err)
		}
		return rows, nil
	}
	text, err := readSheetText(path)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("sheet %s is not valid CSV: %v", path, err)
	}
	return rows, nil
}

func sheetRow(dir string, header, row []string, rowNo int, d Defaults) (Unit, []Problem) {
	it := d.Item()
	u := Unit{Origin: fmt.Sprintf("sheet row %d", rowNo)}
	var problems []Problem
	bad := func(col, format string, a ...any) {
		problems = append(problems, Problem{fmt.Sprintf("row %d, column %s", rowNo, col), fmt.Sprintf(format, a...)})
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
					bad(h, "file %q is outside the sheet's folder", f)
					continue
				}
				if real, err := filepath.EvalSymlinks(p); err != nil {
					bad(h, "file %q does not exist", f)
					continue
				} else if !within(mustReal(dir), real) {
					bad(h, "file %q links to outside the sheet's folder", f)
					continue
				}
				u.Files = append(u.Files, Input{Path: p, Name: filepath.ToSlash(f)})
			}
		case "date":
			date, err := ParseDate(v)
			if err != nil {
				bad(h, "%v", err)
			}
			it.Date = date
		case "rights":
			if !repository.ValidRights(v) {
				bad(h, "%q is not a RightsStatements.org or Creative Commons URI (e.g. http://rightsstatements.org/vocab/InC/1.0/)", v)
			}
			it.Rights = v
		case "access":
			v = strings.ToLower(v)
			if v != repository.Public && v != repository.Restricted {
				bad(h, "%q is not public or restricted", v)
			}
			it.Access.Level = v
		case "embargo":
			date, err := ParseDate(v)
			if err != nil || len(date) != 10 {
				bad(h, "embargo %q is not a full date (2026-12-31 or 31 ธันวาคม 2569)", v)
			}
			it.Access.Embargo = date
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
				bad(h, "%v", err)
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
		bad("files", "no file given for this item")
	}
	if it.Institution == "" {
		bad("institution", "no library given (column institution, or --institution)")
	}
	u.Meta = it
	return u, problems
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
			return nil, fmt.Errorf("table of contents entry %q is not label=pages", entry)
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
				return nil, fmt.Errorf("table of contents pages %q are not like 1-3", pages)
			}
			for p := from; p <= to; p++ {
				r.Canvases = append(r.Canvases, p-1)
			}
		}
		out = append(out, r)
	}
	return out, nil
}
