package edtf

import (
	"errors"
	"fmt"
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
// Common Era: EDTF itself (2019-06-18, 1957~, 199X, 1932/1945), or a Thai
// date ("18 มิถุนายน 2562", "18 มิ.ย. 2562", "มิถุนายน 2562", "พ.ศ. 2562",
// Thai digits too), with the era named by พ.ศ. or ค.ศ. where the writer
// wishes.
//
// A year from 2400 to 2700 written without an era (2505, 2505-06-18,
// 2505~) is read as the Buddhist Era and converted, and the warning says so,
// for the cataloguer to check; ค.ศ. 2505 keeps it in the Common Era. What
// cannot be read one way only is refused with ErrAmbiguous and a sentence
// saying how to write it, never guessed: a two-digit year; a range, decade or
// century of such years (a Buddhist Era decade is not a Common Era decade,
// and a range may mix eras); a Thai month with a year outside 2400–2700 and
// no era. Refusing costs the cataloguer one edit; a wrong guess would put a
// date 543 years off on a public page.
func Normalize(s string) (date, warning string, err error) {
	s = strings.TrimSpace(s)
	t := strings.TrimSpace(strings.TrimPrefix(arabicDigits(s), "วันที่"))
	be, ce := strings.Contains(t, "พ.ศ."), strings.Contains(t, "ค.ศ.")
	if be && ce {
		return "", "", dateErr(ErrAmbiguous, "%q names both eras (พ.ศ. and ค.ศ.): keep one", s)
	}
	fields := strings.Fields(strings.NewReplacer("พ.ศ.", " ", "ค.ศ.", " ").Replace(t))
	if len(fields) == 0 || len(fields) > 3 {
		return "", "", notADate(s)
	}
	if len(fields) == 1 {
		if be || ce {
			return withEra(s, fields[0], be)
		}
		return bare(s, fields[0])
	}
	return thai(s, fields, be, ce)
}

// withEra reads an EDTF point after an explicit era: "พ.ศ. 2505", "ค.ศ. 2505-06-18".
func withEra(s, f string, be bool) (string, string, error) {
	y, ok := leadingYear(f)
	if !ok || strings.Contains(f, "/") {
		return "", "", dateErr(ErrSyntax, "%q: after พ.ศ. or ค.ศ. write a year, or a date such as 2562-06-18", s)
	}
	out := f
	if be {
		if y <= beOffset {
			return "", "", dateErr(ErrSyntax, "%q is before the Common Era began: write it in EDTF", s)
		}
		out = fmt.Sprintf("%04d", y-beOffset) + f[4:]
	}
	if !Valid(out) {
		return "", "", dateErr(ErrSyntax, "%q is not a real date", s)
	}
	return out, "", nil
}

// bare reads a date written without an era.
func bare(s, f string) (string, string, error) {
	if isDigits(f) && len(f) <= 2 || twoDigitYear(f) {
		return "", "", dateErr(ErrAmbiguous, "%q has a two-digit year, which could be of either era: write the year in full (2019, or พ.ศ. 2562)", s)
	}
	if a, b, ok := strings.Cut(f, "/"); ok {
		if ya, okA := leadingYear(a); okA && isBE(ya) || anyBE(b) {
			return "", "", dateErr(ErrAmbiguous, "%q looks like a range of Buddhist Era years, which may mix eras: write both ends in the Common Era (%s)", s, shiftRange(a, b))
		}
	}
	if y, ok := leadingYear(f); ok && isBE(y) {
		out := fmt.Sprintf("%04d", y-beOffset) + f[4:]
		if !Valid(out) {
			return "", "", dateErr(ErrSyntax, "%q is not a real date, read in the Buddhist Era or the Common Era", s)
		}
		return out, fmt.Sprintf("%s is read as the Buddhist Era (พ.ศ. %d) and stored as %s in the Common Era; write ค.ศ. %s if it is already in the Common Era", s, y, out, s), nil
	}
	if d, err := Parse(f); err == nil {
		if last := d.To.end().Year(); d.From.Precision <= Century && d.From.Year <= maxBE && last >= minBE {
			return "", "", dateErr(ErrAmbiguous, "%q looks like a decade or century of the Buddhist Era, which does not fall on one of the Common Era: write its years as a range in the Common Era (%d/%d)", s, d.From.Year-beOffset, last-beOffset)
		}
		return f, "", nil
	}
	return "", "", notADate(s)
}

// thai reads "day month year" or "month year" with a Thai month name.
func thai(s string, fields []string, be, ce bool) (string, string, error) {
	month := 0
	for i, name := range thaiMonths {
		if fields[len(fields)-2] == name || fields[len(fields)-2] == thaiMonthAbbr[i] {
			month = i + 1
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
	switch {
	case be, !ce && isBE(year):
		// A Thai month with a year in 2400–2700 is the Buddhist Era by
		// Thai custom: no warning.
		year -= beOffset
	case !ce:
		return "", "", dateErr(ErrAmbiguous, "%q has a Thai month and a year outside 2400–2700: write พ.ศ. %s or ค.ศ. %s to say which era", s, yf, yf)
	}
	if year < 1 {
		return "", "", dateErr(ErrSyntax, "%q is before the Common Era began: write it in EDTF", s)
	}
	out := fmt.Sprintf("%04d-%02d", year, month)
	if len(fields) == 3 {
		day, err := strconv.Atoi(fields[0])
		if err != nil || len(fields[0]) > 2 {
			return "", "", notADate(s)
		}
		out += fmt.Sprintf("-%02d", day)
	}
	if !Valid(out) {
		return "", "", dateErr(ErrSyntax, "%q is not a real date", s)
	}
	return out, "", nil
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

// anyBE reports whether an interval's end starts with a year in 2400–2700.
func anyBE(end string) bool {
	y, ok := leadingYear(end)
	return ok && isBE(y)
}

// shiftRange suggests an interval with its Buddhist Era ends in the Common Era.
func shiftRange(a, b string) string {
	shift := func(e string) string {
		if y, ok := leadingYear(e); ok && isBE(y) {
			return fmt.Sprintf("%04d", y-beOffset) + e[4:]
		}
		return e
	}
	return shift(a) + "/" + shift(b)
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

// arabicDigits turns Thai digits (๐–๙) into 0–9.
func arabicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '๐' && r <= '๙' {
			return '0' + (r - '๐')
		}
		return r
	}, s)
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
