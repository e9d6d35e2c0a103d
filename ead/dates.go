package ead

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// dateAttrs are the unit date attributes a UnitDate has fields for; any
// other is kept in its Attrs.
var dateAttrs = map[string]bool{"normal": true, "type": true, "unitdatetype": true, "era": true, "calendar": true, "certainty": true, "audience": true}

// pointAttrs are those of a <datesingle>, <fromdate> or <todate>.
var pointAttrs = map[string]bool{"standarddate": true, "notbefore": true, "notafter": true}

// unitDate reads a <unitdate> or <unitdatestructured> as written, with the
// EDTF the archive reads from it (readDate) and what the import says of it.
func unitDate(k *node) (repository.UnitDate, *Note) {
	ud := repository.UnitDate{Structured: k.name == "unitdatestructured", Normal: k.attr["normal"],
		Type: cmpOr(k.attr["unitdatetype"], k.attr["type"]), Era: k.attr["era"], Calendar: k.attr["calendar"],
		Certainty: k.attr["certainty"], Attrs: otherAttrs(k, dateAttrs)}
	if ud.Structured {
		for _, x := range k.kids {
			switch x.name {
			case "dateset":
				ud.Set = true
				for _, y := range x.kids {
					if r, ok := dateRange(y); ok {
						ud.Ranges = append(ud.Ranges, r)
					}
				}
			default:
				if r, ok := dateRange(x); ok {
					ud.Ranges = append(ud.Ranges, r)
				}
			}
		}
	} else {
		ud.Text = k.all()
	}
	date, _, note := readDate(k)
	if date == "" && !ud.Structured {
		date = readWords(ud.Text, k.attr["era"] == "be" || k.attr["calendar"] == "buddhist")
	}
	ud.EDTF = date
	return ud, note
}

func dateRange(x *node) (repository.DateRange, bool) {
	switch x.name {
	case "datesingle":
		return repository.DateRange{Single: datePoint(x)}, true
	case "daterange":
		var r repository.DateRange
		if f := x.child("fromdate"); f != nil {
			r.From = datePoint(f)
		}
		if t := x.child("todate"); t != nil {
			r.To = datePoint(t)
		}
		return r, true
	}
	return repository.DateRange{}, false
}

func datePoint(x *node) *repository.DatePoint {
	return &repository.DatePoint{Text: x.all(), Standard: x.attr["standarddate"], NotBefore: x.attr["notbefore"],
		NotAfter: x.attr["notafter"], Attrs: otherAttrs(x, pointAttrs)}
}

// otherAttrs are an element's attributes but those named, nil when none.
func otherAttrs(k *node, known map[string]bool) map[string]string {
	var out map[string]string
	for name, v := range k.attr {
		if known[name] || name == "xmlns" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = v
	}
	return out
}

// settleDates sets the unit's Date, the one that search, sorting and the
// date facet read, from its first inclusive date that gives EDTF (a bulk
// date is the bulk of the material, not its span); the words of dates that
// give none are said in a note and, when no date was read, kept in
// DateText as before.
func settleDates(u *Unit, d *repository.Description) {
	var unread []string
	for _, ud := range d.Dates {
		if ud.EDTF == "" {
			unread = append(unread, ud.Expression())
			u.Notes = append(u.Notes, Note{Kind: "date_unread", Args: []string{ud.Expression()}})
			continue
		}
		if d.Date == "" && !ud.Bulk() {
			d.Date = ud.EDTF
		}
	}
	if d.Date == "" && len(unread) > 0 {
		d.DateText = strings.Join(unread, "; ")
	}
}

var (
	// words of an archivist's date that say nothing of when: "undated,
	// 1955" is 1955, with undated material beside it.
	undated = regexp.MustCompile(`(?i)(^|[,;]\s*)(undated|n\.\s?d\.|no date|ไม่ปรากฏ\S*)\s*([,;]\s*|$)`)
	bulk    = regexp.MustCompile(`(?i)^\s*(bulk|predominantly|mainly)\b[\s,:]*`)
	approx  = regexp.MustCompile(`(?i)^\s*(ca\.?|c\.|circa|approximately|approx\.|about|around|ประมาณ)\s*`)
	// 1957-58: a range whose end gives only the last digits of its year.
	shortEnd = regexp.MustCompile(`^(\d{4})\s*[-–—/]\s*(\d{2})$`)
	decade   = regexp.MustCompile(`^(\d{3})0'?s$`)
)

// readWords reads what edtf.Normalize does not, as English-language finding
// aids write it: "ca. 1945" (1945~), "1957-58" (1957/1958), "1950s"
// (195X), "Bulk, 1960-1970" and "undated, 1955" (the date in the words),
// "Nov. 29, 1949 -April 8, 1950" (a range of dates in words).
// It returns "" for words that are no date ("undated"). buddhist reads
// bare years in the Buddhist Era.
func readWords(s string, buddhist bool) string {
	s = strings.TrimSpace(bulk.ReplaceAllString(s, ""))
	s = strings.TrimSpace(undated.ReplaceAllString(s, "$1"))
	s = strings.Trim(s, " ,;.")
	mark := ""
	if approx.MatchString(s) {
		s, mark = approx.ReplaceAllString(s, ""), "~"
	}
	if m := shortEnd.FindStringSubmatch(s); m != nil {
		to := m[1][:2] + m[2]
		if a, _ := strconv.Atoi(m[1]); a < atoi(to) {
			s = m[1] + "/" + to
		}
	}
	if m := decade.FindStringSubmatch(s); m != nil {
		s = m[1] + "X"
	}
	if s == "" {
		return ""
	}
	d := readOne(s, buddhist)
	if d == "" {
		d = readRange(s, buddhist)
	}
	if d == "" {
		return ""
	}
	if mark != "" {
		return approximate(d)
	}
	return d
}

func readOne(s string, buddhist bool) string {
	if buddhist {
		s = "พ.ศ. " + s
	}
	d, _, err := edtf.Normalize(s)
	if err != nil {
		return ""
	}
	return d
}

var (
	// a hyphen between a year and a month's name ("1964-May 25, 1965")
	yearThenMonth = regexp.MustCompile(`(\d)-(\pL)`)
	// a range's dash or "to", where a hyphen has a space beside it (an ISO
	// date's hyphens have none)
	rangeDash = regexp.MustCompile(`(?i)\s+[-–—]\s*|\s*[-–—]\s+|\s*[–—]\s*|\s+to\s+`)
)

// readRange reads a range whose ends are dates in words ("Nov. 29, 1949
// -April 8, 1950", "Feb. 1967 - May 1973"), end by end.
func readRange(s string, buddhist bool) string {
	ends := rangeDash.Split(yearThenMonth.ReplaceAllString(s, "$1 - $2"), -1)
	if len(ends) != 2 {
		return ""
	}
	from, to := readOne(ends[0], buddhist), readOne(ends[1], buddhist)
	if from == "" || to == "" || strings.Contains(from+to, "/") {
		return ""
	}
	if d := from + "/" + to; edtf.Valid(d) {
		return d
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// approximate marks each end of an EDTF date approximate (1945~,
// 1945~/1950~), leaving an end already qualified as it is.
func approximate(d string) string {
	ends := strings.Split(d, "/")
	for i, e := range ends {
		if e != "" && e != ".." && !strings.ContainsAny(e[len(e)-1:], "~?%") {
			ends[i] = e + "~"
		}
	}
	if out := strings.Join(ends, "/"); edtf.Valid(out) {
		return out
	}
	return d
}

// addDate keeps a unit date as written, with what the import says of it.
func (u *Unit) addDate(d *repository.Description, k *node) {
	ud, note := unitDate(k)
	d.Dates = append(d.Dates, ud)
	if note != nil {
		u.Notes = append(u.Notes, *note)
	}
}

// title is a unittitle's text. In EAD 2002 a title may hold the unit's
// date (<unitdate>, or <date>); as the EAD3 migration does, the date is
// taken out of the title and kept as a date of the unit, unless it is all
// the title says.
func (f *Finding) title(u *Unit, d *repository.Description, k *node) string {
	if f.Version == "EAD3" {
		return k.all()
	}
	var dates []*node
	rest := &node{name: k.name, attr: k.attr}
	for _, o := range k.order {
		if x, ok := o.(*node); ok && (x.name == "unitdate" || x.name == "date") && !internal(x) {
			dates = append(dates, x)
			continue
		}
		rest.order = append(rest.order, o)
	}
	text := strings.TrimRight(rest.all(), " ,;:")
	if len(dates) == 0 || text == "" {
		return k.all()
	}
	for _, x := range dates {
		u.addDate(d, x)
	}
	return text
}

// bounds reads an end of a structured date that gives only the bounds it
// lies within: a start's notbefore, an end's notafter, a single date's
// both as a range.
func bounds(e *node, read func(s string, normal bool) string) string {
	nb, na := read(e.attr["notbefore"], true), read(e.attr["notafter"], true)
	switch {
	case e.name == "fromdate" && nb != "":
		return nb
	case e.name == "todate" && na != "":
		return na
	case e.name == "datesingle" && nb != "" && na != "":
		return nb + "/" + na
	}
	return cmpOr(nb, na)
}

// keptDate reports whether the unit's Date is one of its kept dates' (the
// desk has not typed another since the import).
func keptDate(d *repository.Description) bool {
	for _, ud := range d.Dates {
		if ud.EDTF != "" && ud.EDTF == d.Date {
			return true
		}
	}
	return false
}

// eadDateAttrs are the attributes EAD3 allows on a unit date, beside those
// a UnitDate has fields for.
var eadDateAttrs = []string{"altrender", "datechar", "encodinganalog", "id", "label", "lang", "localtype", "script"}

// writeDates writes the unit's dates as the finding aid wrote them: a
// <unitdate> with its normal form, or a <unitdatestructured> of single
// dates and ranges, each with its type, era, calendar and certainty.
func writeDates(x *writer, d *repository.Description) {
	for _, ud := range d.Dates {
		attrs := dateAttrsOut(ud)
		if !ud.Structured {
			x.elem("unitdate", ud.Text, attrs...)
			continue
		}
		x.open("unitdatestructured", attrs...)
		if ud.Set {
			x.open("dateset")
		}
		for _, r := range ud.Ranges {
			if r.Single != nil {
				writePoint(x, "datesingle", r.Single)
				continue
			}
			x.open("daterange")
			if r.From != nil {
				writePoint(x, "fromdate", r.From)
			}
			if r.To != nil {
				writePoint(x, "todate", r.To)
			}
			x.close("daterange")
		}
		if ud.Set {
			x.close("dateset")
		}
		x.close("unitdatestructured")
	}
}

func dateAttrsOut(ud repository.UnitDate) []string {
	var attrs []string
	normal := ud.Normal
	if ud.Structured {
		normal = ""
	}
	for _, a := range [][2]string{{"calendar", ud.Calendar}, {"era", ud.Era}, {"certainty", ud.Certainty}, {"unitdatetype", strings.ToLower(ud.Type)}, {"normal", normal}} {
		if a[1] != "" && (a[0] != "unitdatetype" || a[1] == "bulk" || a[1] == "inclusive") {
			attrs = append(attrs, a[0], a[1])
		}
	}
	other := map[string]string{}
	for _, k := range eadDateAttrs {
		if v, ok := ud.Attrs[k]; ok {
			other[k] = v
		}
	}
	// A type EAD3 has no word for is what EAD3 calls the local type,
	// where the element has one.
	if t := strings.ToLower(ud.Type); other["localtype"] == "" && t != "" && t != "bulk" && t != "inclusive" {
		other["localtype"] = ud.Type
	}
	if l := other["lang"]; l != "" {
		other["lang"], _ = code3(code2(l))
	}
	el := "unitdate"
	if ud.Structured {
		el = "unitdatestructured"
	}
	for k := range other {
		if !allowed(el, k) { // not EAD3's there: the record keeps it
			delete(other, k)
		}
	}
	return append(attrs, sortedAttrs(other)...)
}

func writePoint(x *writer, name string, p *repository.DatePoint) {
	var attrs []string
	for _, a := range [][2]string{{"standarddate", p.Standard}, {"notbefore", p.NotBefore}, {"notafter", p.NotAfter}} {
		if a[1] != "" {
			attrs = append(attrs, a[0], a[1])
		}
	}
	attrs = append(attrs, sortedAttrs(p.Attrs, "audience")...)
	x.elem(name, p.Text, attrs...)
}
