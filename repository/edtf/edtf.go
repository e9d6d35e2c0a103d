// Package edtf parses Extended Date/Time Format dates (ISO 8601-2, levels 0
// and 1: https://www.loc.gov/standards/datetime/) as archives record them —
// exact, approximate, uncertain, partly unknown, ranges and open ranges — and
// renders them for readers in the Common Era (English) or the Buddhist Era
// (Thai, CE + 543).
package edtf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax is returned for a string that is not EDTF this package knows.
var ErrSyntax = errors.New("not an EDTF date")

// Precision is how much of a point is known.
type Precision int

// Precisions, coarsest first.
const (
	Decade  Precision = iota // 199X
	Century                  // 19XX
	Year
	Month
	Day
)

// Point is one date of an EDTF value.
type Point struct {
	Year, Month, Day int
	Precision        Precision
	Approximate      bool // ~
	Uncertain        bool // ?
	Open, Unknown    bool // ".." and "" in an interval
}

// Date is a parsed EDTF value: a single point, or an interval From/To.
type Date struct {
	Raw      string
	From     Point
	To       Point
	Interval bool
}

// Parse reads an EDTF string.
func Parse(s string) (Date, error) {
	d := Date{Raw: s}
	if s == "" {
		return d, fmt.Errorf("empty date: %w", ErrSyntax)
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		d.Interval = true
		var err error
		if d.From, err = parseEnd(a); err != nil {
			return d, fmt.Errorf("%q: %w", s, err)
		}
		if d.To, err = parseEnd(b); err != nil {
			return d, fmt.Errorf("%q: %w", s, err)
		}
		if d.From.Open && d.To.Open || d.From.Unknown && d.To.Unknown {
			return d, fmt.Errorf("%q: both ends open: %w", s, ErrSyntax)
		}
		if !d.From.Open && !d.From.Unknown && !d.To.Open && !d.To.Unknown && d.To.end().Before(d.From.start()) {
			return d, fmt.Errorf("%q: ends before it starts: %w", s, ErrSyntax)
		}
		return d, nil
	}
	p, err := parsePoint(s)
	if err != nil {
		return d, fmt.Errorf("%q: %w", s, err)
	}
	d.From, d.To = p, p
	return d, nil
}

// Valid reports whether s is an EDTF date this package can read.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

func parseEnd(s string) (Point, error) {
	switch s {
	case "..":
		return Point{Open: true}, nil
	case "":
		return Point{Unknown: true}, nil
	}
	return parsePoint(s)
}

func parsePoint(s string) (Point, error) {
	var p Point
	// Qualifiers apply to the whole date (level 1).
	switch {
	case strings.HasSuffix(s, "%"):
		p.Approximate, p.Uncertain = true, true
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "~"):
		p.Approximate = true
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "?"):
		p.Uncertain = true
		s = s[:len(s)-1]
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return p, ErrSyntax
	}
	y := parts[0]
	switch {
	case strings.HasSuffix(y, "XX") && isDigits(y[:2]) && len(parts) == 1:
		p.Precision = Century
		y = y[:2] + "00"
	case strings.HasSuffix(y, "X") && isDigits(y[:3]) && len(parts) == 1:
		p.Precision = Decade
		y = y[:3] + "0"
	case isDigits(y):
		p.Precision = Year
	default:
		return p, ErrSyntax
	}
	p.Year, _ = strconv.Atoi(y)
	if neg {
		p.Year = -p.Year
	}
	if len(parts) >= 2 {
		if parts[1] == "XX" && len(parts) == 2 {
			return p, nil // month unspecified: a year
		}
		m, err := number(parts[1], 1, 12)
		if err != nil {
			return p, err
		}
		p.Month, p.Precision = m, Month
	}
	if len(parts) == 3 {
		if parts[2] == "XX" {
			return p, nil
		}
		last := time.Date(p.Year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		dd, err := number(parts[2], 1, last)
		if err != nil {
			return p, err
		}
		p.Day, p.Precision = dd, Day
	}
	return p, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func number(s string, lo, hi int) (int, error) {
	if len(s) != 2 || !isDigits(s) {
		return 0, ErrSyntax
	}
	n, _ := strconv.Atoi(s)
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s out of range %d–%d: %w", s, lo, hi, ErrSyntax)
	}
	return n, nil
}

// start is the first instant the point may mean.
func (p Point) start() time.Time {
	m, d := max(p.Month, 1), max(p.Day, 1)
	return time.Date(p.Year, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// end is the last day the point may mean.
func (p Point) end() time.Time {
	switch p.Precision {
	case Century:
		return time.Date(p.Year+99, 12, 31, 0, 0, 0, 0, time.UTC)
	case Decade:
		return time.Date(p.Year+9, 12, 31, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(p.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(p.Year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return p.start()
}

// Start is the earliest day the date may mean, and false for an open start.
func (d Date) Start() (time.Time, bool) {
	if d.From.Open || d.From.Unknown {
		return time.Time{}, false
	}
	return d.From.start(), true
}

// End is the latest day the date may mean, and false for an open end.
func (d Date) End() (time.Time, bool) {
	if d.To.Open || d.To.Unknown {
		return time.Time{}, false
	}
	return d.To.end(), true
}

// NavDate is the instant a viewer should place the item at: its start, or its
// end when the start is open.
func (d Date) NavDate() (time.Time, bool) {
	if t, ok := d.Start(); ok {
		return t, true
	}
	return d.End()
}

var thaiMonths = [...]string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"}

// ThaiMonths are the Thai month names, January first.
func ThaiMonths() []string { return thaiMonths[:] }

// Format renders the date for readers of lang: "th" in the Buddhist Era, any
// other language in the Common Era (in English words).
func (d Date) Format(lang string) string {
	th := lang == "th"
	if !d.Interval {
		return formatPoint(d.From, th)
	}
	from, to := formatPoint(d.From, th), formatPoint(d.To, th)
	switch {
	case d.From.Open || d.From.Unknown:
		if th {
			return "ถึง " + to
		}
		return "until " + to
	case d.To.Open || d.To.Unknown:
		if th {
			return "ตั้งแต่ " + from
		}
		return "from " + from
	}
	return from + " – " + to
}

func formatPoint(p Point, th bool) string {
	year := p.Year
	era := ""
	if th {
		year += 543
		era = "พ.ศ. "
	}
	ys := strconv.Itoa(year)
	if year <= 0 && !th {
		ys = strconv.Itoa(1-year) + " BCE"
	}
	var s string
	switch p.Precision {
	case Century, Decade:
		span := 9
		if p.Precision == Century {
			span = 99
		}
		if th {
			s = fmt.Sprintf("พ.ศ. %d–%d", year, year+span)
		} else if p.Precision == Decade {
			s = ys + "s"
		} else {
			s = fmt.Sprintf("%d–%d", year, year+span)
		}
	case Year:
		s = era + ys
	case Month:
		if th {
			s = thaiMonths[p.Month-1] + " " + ys
		} else {
			s = time.Month(p.Month).String() + " " + ys
		}
	case Day:
		if th {
			s = fmt.Sprintf("%d %s %s", p.Day, thaiMonths[p.Month-1], ys)
		} else {
			s = fmt.Sprintf("%d %s %s", p.Day, time.Month(p.Month), ys)
		}
	}
	switch {
	case p.Approximate && p.Uncertain:
		if th {
			return "ประมาณ " + s + " (ไม่แน่ชัด)"
		}
		return "circa " + s + " (uncertain)"
	case p.Approximate:
		if th {
			return "ประมาณ " + s
		}
		return "circa " + s
	case p.Uncertain:
		if th {
			return s + " (ไม่แน่ชัด)"
		}
		return s + "?"
	}
	return s
}
