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

// Precisions, coarsest first. A year whose last digits are unspecified
// (199X, 19XX, XXXX) has Precision Year and YearX > 0.
const (
	Year Precision = iota + 1
	Season
	Month
	Day
)

// Point is one date of an EDTF value.
type Point struct {
	// Year, Month and Day as written; Year's unspecified digits are 0
	// (19XX is 1900), and a month or day not given or unspecified is 0.
	Year, Month, Day int
	// YearX is how many of the year's last digits are unspecified (X).
	YearX     int
	Precision Precision
	// Season is 21–24 (spring, summer, autumn, winter) with Precision Season.
	Season int
	// Clock is the time of day of a date-time, as written after the T,
	// zone included ("23:20:30", "23:20:30Z", "23:20:30+04:00").
	Clock         string
	Approximate   bool // ~
	Uncertain     bool // ?
	Open, Unknown bool // ".." and "" in an interval
}

// Date is a parsed EDTF value: a single point, or an interval From/To.
type Date struct {
	Raw      string
	From     Point
	To       Point
	Interval bool
}

// Parse reads an EDTF string of level 0 or 1, and the level 2 unspecified
// digits that end a year before a given month or day (156X-12-25,
// XXXX-12-XX).
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
		if !d.From.dated() && !d.To.dated() {
			return d, fmt.Errorf("%q: neither end is a date: %w", s, ErrSyntax)
		}
		if d.From.Clock != "" || d.To.Clock != "" {
			return d, fmt.Errorf("%q: an interval's ends are dates, without a time: %w", s, ErrSyntax)
		}
		if d.From.dated() && d.To.dated() && d.To.end().Before(d.From.start()) {
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

func (p Point) dated() bool { return !p.Open && !p.Unknown }

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
	case strings.HasSuffix(s, "~"):
		p.Approximate = true
	case strings.HasSuffix(s, "?"):
		p.Uncertain = true
	}
	if p.Approximate || p.Uncertain {
		s = s[:len(s)-1]
	}
	if y, ok := strings.CutPrefix(s, "Y"); ok {
		return longYear(p, y)
	}
	if date, clock, ok := strings.Cut(s, "T"); ok {
		if p.Approximate || p.Uncertain {
			return p, fmt.Errorf("a date-time cannot be qualified: %w", ErrSyntax)
		}
		if err := checkClock(clock); err != nil {
			return p, err
		}
		p.Clock, s = clock, date
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return p, ErrSyntax
	}
	if err := p.readYear(parts[0], neg); err != nil {
		return p, err
	}
	p.Precision = Year
	if len(parts) >= 2 {
		if err := p.readMonth(parts[1], len(parts) == 2); err != nil {
			return p, err
		}
	}
	if len(parts) == 3 {
		if err := p.readDay(parts[2]); err != nil {
			return p, err
		}
	}
	if p.Clock != "" && p.Precision != Day {
		return p, fmt.Errorf("a time needs a whole date before it: %w", ErrSyntax)
	}
	return p, nil
}

// longYear reads a year of more than four digits after its Y (level 1:
// Y170000002, Y-170000002).
func longYear(p Point, y string) (Point, error) {
	neg := strings.HasPrefix(y, "-")
	digits := strings.TrimPrefix(y, "-")
	if len(digits) <= 4 || len(digits) > 9 || !isDigits(digits) || digits[0] == '0' {
		return p, fmt.Errorf("a Y year has five to nine digits: %w", ErrSyntax)
	}
	p.Year, _ = strconv.Atoi(digits)
	if neg {
		p.Year = -p.Year
	}
	p.Precision = Year
	return p, nil
}

// readYear reads four characters: digits, perhaps ending in unspecified
// digits (X).
func (p *Point) readYear(y string, neg bool) error {
	known := strings.TrimRight(y, "X")
	p.YearX = len(y) - len(known)
	if known != "" && !isDigits(known) {
		return ErrSyntax
	}
	n, _ := strconv.Atoi(known + strings.Repeat("0", p.YearX))
	switch {
	case neg && p.YearX > 0:
		return fmt.Errorf("a year before the Common Era has all its digits: %w", ErrSyntax)
	case neg && n == 0:
		return fmt.Errorf("-0000 is not a year (0000 is): %w", ErrSyntax)
	case neg:
		n = -n
	}
	p.Year = n
	return nil
}

// readMonth reads a month, XX, or (last) a season 21–24.
func (p *Point) readMonth(m string, last bool) error {
	if m == "XX" {
		return nil
	}
	if n, err := number(m, 21, 24); err == nil && last {
		p.Season, p.Precision = n, Season
		return nil
	}
	n, err := number(m, 1, 12)
	if err != nil {
		return err
	}
	p.Month, p.Precision = n, Month
	return nil
}

// readDay reads a day, or XX; a day needs its month.
func (p *Point) readDay(d string) error {
	if d == "XX" {
		return nil
	}
	if p.Month == 0 {
		return fmt.Errorf("a day needs its month: %w", ErrSyntax)
	}
	year := p.Year
	if p.YearX > 0 {
		year = 2000 // some year of the span is a leap year
	}
	last := time.Date(year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	n, err := number(d, 1, last)
	if err != nil {
		return err
	}
	p.Day, p.Precision = n, Day
	return nil
}

// checkClock reads a time of day: hh:mm:ss, then Z, ±hh or ±hh:mm.
func checkClock(c string) error {
	bad := fmt.Errorf("time %q is not hh:mm:ss with Z, ±hh or ±hh:mm: %w", c, ErrSyntax)
	if len(c) < 8 || c[2] != ':' || c[5] != ':' {
		return bad
	}
	for i, hi := range []int{23, 59, 59} {
		if _, err := number(c[i*3:i*3+2], 0, hi); err != nil {
			return bad
		}
	}
	zone := c[8:]
	switch {
	case zone == "" || zone == "Z":
		return nil
	case zone[0] != '+' && zone[0] != '-':
		return bad
	case len(zone) == 3:
		_, err := number(zone[1:], 0, 14)
		return err
	case len(zone) == 6 && zone[3] == ':':
		if _, err := number(zone[1:3], 0, 14); err != nil {
			return err
		}
		_, err := number(zone[4:], 0, 59)
		return err
	}
	return bad
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

// seasonMonth is the first month of a season (northern hemisphere, by
// meteorological seasons: winter runs from December into the next year).
func seasonMonth(season int) int { return 3 + (season-21)*3 }

// start is the first day the point may mean.
func (p Point) start() time.Time {
	m, d := max(p.Month, 1), max(p.Day, 1)
	if p.Precision == Season {
		m = seasonMonth(p.Season)
	}
	return time.Date(p.Year, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// end is the last day the point may mean.
func (p Point) end() time.Time {
	year := p.Year + pow10(p.YearX) - 1
	switch p.Precision {
	case Season:
		return time.Date(year, time.Month(seasonMonth(p.Season)+3), 0, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	case Day:
		if p.YearX > 0 {
			return time.Date(year, time.Month(p.Month), p.Day, 0, 0, 0, 0, time.UTC)
		}
		return p.start()
	}
	return time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
}

func pow10(n int) int {
	x := 1
	for range n {
		x *= 10
	}
	return x
}

// Start is the earliest day the date may mean, and false for an open or
// unknown start.
func (d Date) Start() (time.Time, bool) {
	if !d.From.dated() {
		return time.Time{}, false
	}
	return d.From.start(), true
}

// End is the latest day the date may mean, and false for an open or
// unknown end.
func (d Date) End() (time.Time, bool) {
	if !d.To.dated() {
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

var seasons = [...][2]string{{"Spring", "ฤดูใบไม้ผลิ"}, {"Summer", "ฤดูร้อน"}, {"Autumn", "ฤดูใบไม้ร่วง"}, {"Winter", "ฤดูหนาว"}}

func formatPoint(p Point, th bool) string {
	s := formatDay(p, th)
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

// formatDay says a point without its qualifiers: its season or month, day
// and time, and its year (in Thai with its era, unless after a month).
func formatDay(p Point, th bool) string {
	year := formatYear(p, th)
	var s string
	switch p.Precision {
	case Year:
		return year
	case Season:
		i := 0
		if th {
			i = 1
		}
		return seasons[p.Season-21][i] + " " + year
	case Month:
		s = monthName(p.Month, th) + " " + year
	case Day:
		s = fmt.Sprintf("%d %s %s", p.Day, monthName(p.Month, th), year)
	}
	if p.Clock != "" {
		s += clockWords(p.Clock, th)
	}
	return s
}

// formatYear says a point's year: "2019", "พ.ศ. 2562", "1990s",
// "1900–1999", "(year unknown)".
func formatYear(p Point, th bool) string {
	year := p.Year
	if th {
		year += beOffset
	}
	span := pow10(p.YearX) - 1
	switch {
	case p.YearX == 4 && th:
		return "ไม่ทราบปี"
	case p.YearX == 4:
		return "(year unknown)"
	case p.YearX > 0 && th:
		return fmt.Sprintf("พ.ศ. %d–%d", year, year+span)
	case p.YearX == 1 && p.Precision == Year:
		return strconv.Itoa(year) + "s"
	case p.YearX > 0:
		return fmt.Sprintf("%d–%d", year, year+span)
	case th && year <= 0:
		return fmt.Sprintf("ก่อน พ.ศ. %d", 1-year)
	case th && p.Precision <= Season:
		return "พ.ศ. " + strconv.Itoa(year)
	case th:
		return strconv.Itoa(year)
	case year <= 0:
		return strconv.Itoa(1-year) + " BCE"
	}
	return strconv.Itoa(year)
}

func monthName(m int, th bool) string {
	if th {
		return thaiMonths[m-1]
	}
	return time.Month(m).String()
}

// clockWords says a date-time's time of day and zone: ", 23:20:30 UTC+04:00"
// in English, " เวลา 23:20:30 น. (UTC+04:00)" in Thai.
func clockWords(c string, th bool) string {
	clock, zone := c[:8], c[8:]
	if zone == "Z" {
		zone = "UTC"
	} else if zone != "" {
		zone = "UTC" + zone
	}
	if th {
		s := " เวลา " + clock + " น."
		if zone != "" {
			s += " (" + zone + ")"
		}
		return s
	}
	return strings.TrimSpace(", " + clock + " " + zone)
}
