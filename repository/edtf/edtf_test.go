package edtf

import (
	"errors"
	"testing"
	"time"
)

func TestFormatInBothEras(t *testing.T) {
	cases := []struct{ in, th, en string }{
		{"2019-06-18", "18 มิถุนายน 2562", "18 June 2019"},
		{"2019-06", "มิถุนายน 2562", "June 2019"},
		{"2019", "พ.ศ. 2562", "2019"},
		{"1957~", "ประมาณ พ.ศ. 2500", "circa 1957"},
		{"1932?", "พ.ศ. 2475 (ไม่แน่ชัด)", "1932?"},
		{"1900%", "ประมาณ พ.ศ. 2443 (ไม่แน่ชัด)", "circa 1900 (uncertain)"},
		{"199X", "พ.ศ. 2533–2542", "1990s"},
		{"18XX", "พ.ศ. 2343–2442", "1800–1899"},
		{"1932/1945", "พ.ศ. 2475 – พ.ศ. 2488", "1932 – 1945"},
		{"../1850", "ถึง พ.ศ. 2393", "until 1850"},
		{"1850/..", "ตั้งแต่ พ.ศ. 2393", "from 1850"},
		{"1985-XX", "พ.ศ. 2528", "1985"},
		{"2020-02-29", "29 กุมภาพันธ์ 2563", "29 February 2020"},
		{"2001-21", "ฤดูใบไม้ผลิ พ.ศ. 2544", "Spring 2001"},
		{"2001-24~", "ประมาณ ฤดูหนาว พ.ศ. 2544", "circa Winter 2001"},
		{"1985-04-12T23:20:30", "12 เมษายน 2528 เวลา 23:20:30 น.", "12 April 1985, 23:20:30"},
		{"1985-04-12T23:20:30Z", "12 เมษายน 2528 เวลา 23:20:30 น. (UTC)", "12 April 1985, 23:20:30 UTC"},
		{"1985-04-12T23:20:30+04:30", "12 เมษายน 2528 เวลา 23:20:30 น. (UTC+04:30)", "12 April 1985, 23:20:30 UTC+04:30"},
		{"Y170000002", "พ.ศ. 170000545", "170000002"},
		{"Y-170000002", "ก่อน พ.ศ. 169999460", "170000003 BCE"},
		{"XXXX", "ไม่ทราบปี", "(year unknown)"},
		{"156X-12-25", "25 ธันวาคม พ.ศ. 2103–2112", "25 December 1560–1569"},
		{"1985-04-XX", "เมษายน 2528", "April 1985"},
		{"/1985", "ถึง พ.ศ. 2528", "until 1985"},
	}
	for _, c := range cases {
		d, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := d.Format("th"); got != c.th {
			t.Errorf("%q in Thai = %q, want %q", c.in, got, c.th)
		}
		if got := d.Format("en"); got != c.en {
			t.Errorf("%q in English = %q, want %q", c.in, got, c.en)
		}
	}
}

func TestParseRefusesWhatIsNotEDTF(t *testing.T) {
	for _, s := range []string{"", "2019-13-01", "2019-02-30", "2019-6-18", "18/06/2019", "abcd", "19", "2019-06-18T10:00", "../..", "2000/1999", "1X9X", "2021-02-29", "2019~?"} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", s, err)
		}
	}
}

func TestStartAndEndCoverThePrecision(t *testing.T) {
	d, _ := Parse("199X/2001-03")
	s, _ := d.Start()
	e, _ := d.End()
	if !s.Equal(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) || !e.Equal(time.Date(2001, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("range = %v – %v", s, e)
	}
	d, _ = Parse("../1850-05")
	if _, ok := d.Start(); ok {
		t.Fatal("open start has a start")
	}
	if n, ok := d.NavDate(); !ok || n.Year() != 1850 {
		t.Fatalf("navDate of an open start = %v", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2019-06-18", "199X", "../1850", "1957~", "-0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		d.Format("th")
		d.Format("en")
		if s2, ok := d.Start(); ok {
			if e, ok := d.End(); ok && e.Before(s2) {
				t.Fatalf("%q ends before it starts", s)
			}
		}
	})
}
