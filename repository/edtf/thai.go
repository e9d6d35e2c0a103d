package edtf

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrAmbiguous is returned for a date that could mean more than one thing
// (a two-digit year, a range of what look like Buddhist Era years): the
// archive asks the cataloguer rather than guess.
var ErrAmbiguous = errors.New("ambiguous date")

// The Buddhist Era runs 543 years ahead of the Common Era.
const beOffset = 543

// A four-digit year from 2400 to 2700 is read as the Buddhist Era (1857–2157
// CE): Thai cataloguers write years that way, and no record in the archive
// is dated 2400–2700 CE.
const minBE, maxBE = 2400, 2700

var thaiMonthAbbr = [...]string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}

// dateError is a sentence for a cataloguer that still answers errors.Is
// with ErrSyntax or ErrAmbiguous.
type dateError struct {
	msg  string
	kind error
}

func (e *dateError) Error() string { return e.msg }
func (e *dateError) Unwrap() error { return e.kind }

func dateErr(kind error, format string, a ...any) error {
	return &dateError{msg: fmt.Sprintf(format, a...), kind: kind}
}

// Normalize reads a date as archivists write it and returns EDTF in the
// Common Era. It is the one reading of dates for every way a date comes in
// (a sheet, the desk's forms, the JSON API, an EAD finding aid): EDTF itself
// (2019-06-18, 1957~, 199X, 1932/1945), or a date in words with a Thai or
// English month ("18 มิถุนายน 2562", "18 มิ.ย. 2562", "มิถุนายน 2562",
// "18 June 1934", "June 1934"), Thai digits too, with the era named where
// the writer wishes: พ.ศ. or BE for the Buddhist Era, ค.ศ., CE or AD for the
// Common Era.
//
// A year from 2400 to 2700 written without an era (2505, 2505-06-18, 2505~,
// 2501/2510, June 2505) is read as the Buddhist Era and converted, and the
// warning says so, for the cataloguer to check; ค.ศ. 2505 keeps it in the
// Common Era. A Thai month with such a year is the Buddhist Era by Thai
// custom, without a warning. What cannot be read one way only is refused
// with ErrAmbiguous and a sentence saying how to write it, never guessed: a
// two-digit year; a decade or century of such years without an era (a
// Buddhist Era decade is not a Common Era decade); a Thai month with a year
// outside 2400–2700 and no era. Refusing costs the cataloguer one edit; a
// wrong guess would put a date 543 years off on a public page.
func Normalize(s string) (date, warning string, err error) {
	s = strings.TrimSpace(s)
	t := strings.TrimSpace(strings.TrimPrefix(arabicDigits(s), "วันที่"))
	t = yearDash.ReplaceAllString(t, "$1$2/$3$4")
	e, fields := eraOf(t)
	switch {
	case e == bothEras:
		return "", "", dateErr(ErrAmbiguous, "%q names both eras (พ.ศ. and ค.ศ.): keep one", s)
	case len(fields) == 0 || len(fields) > 3:
		return "", "", notADate(s)
	case len(fields) > 1:
		return inWords(s, fields, e)
	case e != noEra:
		return withEra(s, fields[0], e == buddhist)
	}
	return bare(s, fields[0])
}

type era int

const (
	noEra era = iota
	buddhist
	common
	bothEras
)

// eraOf finds the era a date names (พ.ศ., BE; ค.ศ., CE, AD) and returns
// its other words.
func eraOf(t string) (era, []string) {
	e := noEra
	name := func(x era) {
		if e != noEra && e != x {
			x = bothEras
		}
		e = x
	}
	for marker, x := range map[string]era{"พ.ศ.": buddhist, "ค.ศ.": common} {
		if strings.Contains(t, marker) {
			name(x)
			t = strings.ReplaceAll(t, marker, " ")
		}
	}
	var fields []string
	for _, f := range strings.Fields(strings.ReplaceAll(t, ",", " ")) {
		switch strings.ToUpper(strings.ReplaceAll(f, ".", "")) {
		case "BE", "พศ": // พ.ศ without its last dot
			name(buddhist)
		case "CE", "AD", "คศ":
			name(common)
		default:
			fields = append(fields, f)
		}
	}
	return e, fields
}

// withEra reads EDTF after an explicit era: "พ.ศ. 2505", "ค.ศ. 2505-06-18",
// "พ.ศ. 2501/2510", "พ.ศ. 250X".
func withEra(s, f string, be bool) (string, string, error) {
	if !be {
		if !Valid(f) {
			return "", "", notADate(s)
		}
		return f, "", nil
	}
	if p, err := Parse(f); err == nil && !p.Interval && p.From.YearX > 0 && p.From.YearX < 4 && p.From.Precision == Year {
		// A decade or century of the Buddhist Era is a range of the Common Era.
		lo, hi := p.From.Year-beOffset, p.From.Year+pow10(p.From.YearX)-1-beOffset
		if lo < 0 {
			return "", "", dateErr(ErrSyntax, "%q is before the Common Era began: write it in EDTF", s)
		}
		return fmt.Sprintf("%04d/%04d", lo, hi), "", nil
	}
	out, err := eachEnd(f, func(y int) (int, bool) { return y - beOffset, true })
	switch {
	case err != nil:
		return "", "", dateErr(ErrSyntax, "%q: after พ.ศ. write a year, or a date such as 2562-06-18 or 2501/2510", s)
	case strings.HasPrefix(out, "-") || strings.Contains(out, "/-"):
		return "", "", dateErr(ErrSyntax, "%q is before the Common Era began: write it in EDTF", s)
	case !Valid(out):
		return "", "", dateErr(ErrSyntax, "%q is not a real date", s)
	}
	return out, "", nil
}

// eachEnd rewrites the four-digit year each end of an EDTF date starts with
// (each of 2501/2510, the 2505 of 2505-06-18~) where shift says to; an end
// that starts with no such year is an error, except an open or unknown one.
func eachEnd(f string, shift func(int) (int, bool)) (string, error) {
	ends := strings.Split(f, "/")
	if len(ends) > 2 {
		return "", ErrSyntax
	}
	for i, e := range ends {
		if len(ends) == 2 && (e == "" || e == "..") {
			continue
		}
		y, ok := leadingYear(e)
		if !ok {
			return "", ErrSyntax
		}
		if n, ok := shift(y); ok {
			ends[i] = fmt.Sprintf("%04d", n) + e[4:]
			if n < 0 {
				ends[i] = "-" // before the Common Era: refused by the caller
			}
		}
	}
	return strings.Join(ends, "/"), nil
}

// bare reads a date written in EDTF without an era.
func bare(s, f string) (string, string, error) {
	if isDigits(f) && len(f) <= 2 || twoDigitYear(f) {
		return "", "", dateErr(ErrAmbiguous, "%q has a two-digit year, which could be of either era: write the year in full (2019, or พ.ศ. 2562)", s)
	}
	shifted := false
	out, err := eachEnd(f, func(y int) (int, bool) {
		if isBE(y) {
			shifted = true
			return y - beOffset, true
		}
		return y, false
	})
	if err == nil && shifted {
		if !Valid(out) {
			return "", "", dateErr(ErrSyntax, "%q is not a real date, read in the Buddhist Era or the Common Era", s)
		}
		return out, beWarning(s, out), nil
	}
	d, err := Parse(f)
	if err != nil {
		return "", "", notADate(s)
	}
	for _, p := range []Point{d.From, d.To} {
		if last := p.end().Year(); p.dated() && p.YearX > 0 && p.YearX < 4 && p.Year <= maxBE && last >= minBE {
			return "", "", dateErr(ErrAmbiguous, "%q looks like a decade or century of the Buddhist Era, which does not fall on one of the Common Era: write พ.ศ. %s, or its years as a range in the Common Era (%d/%d)", s, f, p.Year-beOffset, last-beOffset)
		}
	}
	return f, "", nil
}

var englishMonths = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthNamed is the month a word names (1–12) in Thai, whole or
// abbreviated, or in English, whole or by its first three letters; thai
// says which language; 0 for no month.
func monthNamed(w string) (month int, thai bool) {
	for i := range thaiMonths {
		if w == thaiMonths[i] || w == thaiMonthAbbr[i] {
			return i + 1, true
		}
	}
	w = strings.ToLower(strings.TrimSuffix(w, "."))
	for i, name := range englishMonths {
		if w == name || len(w) >= 3 && strings.HasPrefix(name, w) || w == "sept" && i == 8 {
			return i + 1, false
		}
	}
	return 0, false
}

// inWords reads "day month year", "month year" or "month day year" with a
// Thai or English month name.
func inWords(s string, fields []string, e era) (string, string, error) {
	month, thaiMonth, at := 0, false, -1
	for i, f := range fields[:len(fields)-1] {
		if m, th := monthNamed(f); m != 0 {
			month, thaiMonth, at = m, th, i
		}
	}
	yf := fields[len(fields)-1]
	switch {
	case month == 0:
		return "", "", notADate(s)
	case isDigits(yf) && len(yf) <= 2:
		return "", "", dateErr(ErrAmbiguous, "%q has a two-digit year, which could be of either era: write the year in full (18 มิถุนายน 2562)", s)
	case len(yf) != 4 || !isDigits(yf):
		return "", "", notADate(s)
	}
	year, _ := strconv.Atoi(yf)
	warning := ""
	switch {
	case e == buddhist || e == noEra && thaiMonth && isBE(year):
		year -= beOffset
	case e == noEra && isBE(year):
		year -= beOffset
		warning = "be"
	case e == noEra && thaiMonth:
		return "", "", dateErr(ErrAmbiguous, "%q has a Thai month and a year outside 2400–2700: write พ.ศ. %s or ค.ศ. %s to say which era", s, yf, yf)
	}
	if year < 1 {
		return "", "", dateErr(ErrSyntax, "%q is before the Common Era began: write it in EDTF", s)
	}
	out := fmt.Sprintf("%04d-%02d", year, month)
	if len(fields) == 3 {
		df := fields[1-at] // the day is before the month, or after it
		day, err := strconv.Atoi(df)
		if err != nil || len(df) > 2 || at == 1 && !isDigits(fields[0]) {
			return "", "", notADate(s)
		}
		out += fmt.Sprintf("-%02d", day)
	}
	if !Valid(out) {
		return "", "", dateErr(ErrSyntax, "%q is not a real date", s)
	}
	if warning != "" {
		warning = beWarning(s, out)
	}
	return out, warning, nil
}

func notADate(s string) error {
	return dateErr(ErrSyntax, "%q is neither an EDTF date (2019-06-18, 1957~, 199X) nor a Thai date such as 18 มิถุนายน 2562", s)
}

func isBE(year int) bool { return year >= minBE && year <= maxBE }

// leadingYear is the four-digit year a point starts with (2505 in
// "2505-06-18~"); false for anything else, such as 250X or -2505.
func leadingYear(s string) (int, bool) {
	if len(s) < 4 || !isDigits(s[:4]) || len(s) > 4 && s[4] != '-' && !strings.ContainsRune("~?%", rune(s[4])) {
		return 0, false
	}
	y, _ := strconv.Atoi(s[:4])
	return y, true
}

// twoDigitYear reports a day/month/year written with a two-digit year (18/06/62, 18.6.62).
func twoDigitYear(s string) bool {
	for _, sep := range []string{"/", ".", "-"} {
		parts := strings.Split(s, sep)
		if len(parts) == 3 && isDigits(parts[0]) && isDigits(parts[1]) && isDigits(parts[2]) && len(parts[2]) <= 2 && len(parts[0]) <= 2 {
			return true
		}
	}
	return false
}

// yearDash is a range of years written with a dash, as the archive shows
// one (พ.ศ. 2501–2510, 1958 - 1967), which EDTF writes 2501/2510; EDTF's
// own dashes are followed by two digits, never four.
var yearDash = regexp.MustCompile(`(^|[^0-9])([0-9]{4})\s*[-–—]\s*([0-9]{4})($|[^0-9])`)

// arabicDigits turns Thai digits (๐–๙) into 0–9.
func arabicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '๐' && r <= '๙' {
			return '0' + (r - '๐')
		}
		return r
	}, s)
}

// beWarning is the one sentence saying that s, written without an era, was
// read as the Buddhist Era and stored as the Common Era date out.
func beWarning(s, out string) string {
	return fmt.Sprintf("%s is read as the Buddhist Era (พ.ศ. %s) and stored as %s in the Common Era; write ค.ศ. %s if it is already in the Common Era", s, BuddhistYears(out), out, s)
}

// BuddhistYears is the years of a Common Era EDTF date or range in the
// Buddhist Era, as a warning names them: 1957/1960 is 2500/2503, 1962-06-18
// is 2505. An end without a year of four digits is kept as it is.
func BuddhistYears(date string) string {
	var be []string
	for _, end := range strings.Split(date, "/") {
		if y, err := strconv.Atoi(end[:min(4, len(end))]); err == nil && len(end) >= 4 {
			be = append(be, strconv.Itoa(y+beOffset))
		} else {
			be = append(be, end)
		}
	}
	return strings.Join(be, "/")
}

// BuddhistOffset is how many years the Buddhist Era runs ahead of the Common Era.
const BuddhistOffset = beOffset

// CommonEraYear reads a year as a searcher types it: 2400–2700 in the
// Buddhist Era, any other in the Common Era.
func CommonEraYear(y int) int {
	if y >= minBE && y <= maxBE {
		return y - beOffset
	}
	return y
}
