package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/repository/edtf"
)

var thaiMonthAbbr = []string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}

// ParseDate reads a date as archivists write it in a sheet: EDTF
// (2019-06-18, 1957~, 199X, 1932/1945) or a Thai date in the Buddhist Era
// ("18 มิถุนายน 2562", "18 มิ.ย. 2562", "มิถุนายน 2562", "พ.ศ. 2562", Thai
// digits too), and returns EDTF in the Common Era.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if edtf.Valid(s) {
		return s, nil
	}
	t := strings.Map(func(r rune) rune {
		if r >= '๐' && r <= '๙' {
			return '0' + (r - '๐')
		}
		return r
	}, s)
	t = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "พ.ศ."), "วันที่"))
	fields := strings.Fields(strings.ReplaceAll(t, "พ.ศ.", ""))
	bad := fmt.Errorf("%q is neither an EDTF date (2019-06-18, 1957~, 199X) nor a Thai date such as 18 มิถุนายน 2562", s)
	if len(fields) == 0 || len(fields) > 3 {
		return "", bad
	}
	be, err := strconv.Atoi(fields[len(fields)-1])
	if err != nil || be < 1000 || be > 3000 {
		return "", bad
	}
	year := be - 543 // the Buddhist Era runs 543 years ahead of the Common Era
	if len(fields) == 1 {
		return fmt.Sprintf("%04d", year), nil
	}
	month := 0
	for i, name := range edtf.ThaiMonths() {
		if fields[len(fields)-2] == name || fields[len(fields)-2] == thaiMonthAbbr[i] {
			month = i + 1
		}
	}
	if month == 0 {
		return "", bad
	}
	out := fmt.Sprintf("%04d-%02d", year, month)
	if len(fields) == 3 {
		day, err := strconv.Atoi(fields[0])
		if err != nil {
			return "", bad
		}
		out += fmt.Sprintf("-%02d", day)
	}
	if !edtf.Valid(out) {
		return "", fmt.Errorf("%q is not a real date", s)
	}
	return out, nil
}
