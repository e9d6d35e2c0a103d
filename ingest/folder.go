package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Problem is one thing wrong with a source, said so a person can fix it:
// where and what, in the command line's English, and as a message, for a
// reader in any language.
type Problem struct {
	Where   string  `json:"where"`
	What    string  `json:"what"`
	Message Message `json:"-"`
}

// problem is a message as a problem: its place (row and column, file)
// and the rest.
func problem(m Message) Problem {
	body := m
	body.File, body.Line, body.Page, body.Row, body.Column = "", 0, 0, 0, ""
	what := body.String()
	where := strings.TrimSuffix(strings.TrimSuffix(m.String(), what), ": ")
	return Problem{Where: where, What: what, Message: m}
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// SheetName is the sidecar sheet a folder may carry to describe its files;
// an Excel workbook, metadata.xlsx, may take its place.
const SheetName = "metadata.csv"

// sheetIn is the sidecar sheet in dir, or "" when it has none.
func sheetIn(dir string) string {
	for _, name := range []string{SheetName, "metadata.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return name
		}
	}
	return ""
}

// Folder lists the files under root as units: one item per file, or with
// group set, one multi-page item per folder in natural filename order.
// Hidden files are ignored; a symbolic link is followed only if it stays
// inside root. When root holds metadata.csv (or metadata.xlsx), the sheet
// describes the items. A sheet elsewhere in the tree stays a unit of its own,
// for the pipeline to refuse, so that it never sinks a folder's pages.
func Folder(root string, meta Defaults, group bool) ([]Unit, []Problem, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, fmt.Errorf("source folder %s cannot be read: %v", root, unwrapPath(err))
	}
	if st, err := os.Stat(real); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("source %s is not a folder", root)
	}
	if name := sheetIn(real); name != "" {
		return Sheet(filepath.Join(real, name), meta)
	}
	files, problems := walk(real, false)
	var units []Unit
	byDir := map[string][]Input{}
	var dirs []string
	for _, f := range files {
		if !group || isSheet(f.Name) {
			units = append(units, Unit{Files: []Input{f}, Meta: meta.Item()})
			continue
		}
		d := filepath.Dir(f.Name)
		if byDir[d] == nil {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	for _, d := range dirs {
		it := meta.Item()
		if d != "." && it.Title.Empty() {
			it.Title = map[string]string{"none": filepath.Base(d)}
		}
		units = append(units, Unit{Files: byDir[d], Meta: it, Origin: "folder " + d})
	}
	return units, problems, nil
}

// walk lists regular files under root in natural order, refusing links out.
// Hidden files and folders (.name) are left out unless hidden is set: a
// bag's payload is every file its manifests list, .DS_Store too.
func walk(root string, hidden bool) ([]Input, []Problem) {
	var files []Input
	var problems []Problem
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		if err != nil {
			problems = append(problems, problem(Message{Kind: "source_unreadable", Args: []string{unwrapPath(err).Error()}, File: rel}))
			return nil
		}
		if path != root && !hidden && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(path)
			if err != nil || !within(root, target) {
				problems = append(problems, problem(Message{Kind: "link_outside", File: rel}))
				return nil
			}
			st, err := os.Stat(target)
			if err != nil || !st.Mode().IsRegular() {
				problems = append(problems, problem(Message{Kind: "link_special", File: rel}))
				return nil
			}
			files = append(files, Input{Path: target, Name: filepath.ToSlash(rel)})
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, Input{Path: path, Name: filepath.ToSlash(rel)})
		}
		return nil
	})
	slices.SortFunc(files, func(a, b Input) int { return naturalCompare(a.Name, b.Name) })
	return files, problems
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// naturalCompare orders "page2" before "page10".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ra, rb := []rune(a), []rune(b)
		if unicode.IsDigit(ra[0]) && unicode.IsDigit(rb[0]) {
			na, nb := digits(a), digits(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(ta) != len(tb) {
				return len(ta) - len(tb)
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			a, b = a[len(na):], b[len(nb):]
			continue
		}
		if ra[0] != rb[0] {
			return int(ra[0]) - int(rb[0])
		}
		a, b = a[len(string(ra[0])):], b[len(string(rb[0])):]
	}
	return len(a) - len(b)
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
