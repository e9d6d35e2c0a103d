package edtf

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeReadsThaiDatesInTheCommonEra(t *testing.T) {
	for in, want := range map[string]string{
		"18 มิถุนายน 2562": "2019-06-18", "๑๘ มิ.ย. ๒๕๖๒": "2019-06-18", "มิถุนายน 2562": "2019-06",
		"พ.ศ. 2475": "1932", "พ.ศ.2475": "1932", "พ.ศ. 2505-06-18": "1962-06-18", "ค.ศ. 2505": "2505",
		"18 มิถุนายน ค.ศ. 2019": "2019-06-18", "วันที่ 1 มกราคม 2500": "1957-01-01",
		"2019-06-18": "2019-06-18", "1957~": "1957~", "199X": "199X", "1957/1960": "1957/1960", "2399": "2399", "2701": "2701",
	} {
		got, warning, err := Normalize(in)
		if err != nil || got != want || warning != "" {
			t.Errorf("Normalize(%q) = %q, %q, %v; want %q without a warning", in, got, warning, err, want)
		}
	}
}

func TestNormalizeReadsBareBuddhistEraYearsWithAWarning(t *testing.T) {
	for in, want := range map[string]string{
		"2505": "1962", "2400": "1857", "2700": "2157", "๒๕๐๕": "1962", "2505-06-18": "1962-06-18",
		"2563-02-29": "2020-02-29", // a leap day of 2020 CE, though 2563 CE has none
		"2500~":      "1957~", "2505-06": "1962-06",
		"2501/2510": "1958/1967", "1950/2505": "1950/1962", "../2505": "../1962", "2505/": "1962/", "2501~/2510-06?": "1958~/1967-06?",
		"June 2505": "1962-06", "18 June 2505": "1962-06-18",
	} {
		got, warning, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
		if !strings.Contains(warning, "Buddhist Era") || !strings.Contains(warning, want) {
			t.Errorf("Normalize(%q) warned %q; want a warning naming the Buddhist Era and %s", in, warning, want)
		}
	}
}

// TestNormalizeHonoursTheEraNamed: พ.ศ. and BE name the Buddhist Era, ค.ศ.,
// CE and AD the Common Era, before or after the date, for a range too.
func TestNormalizeHonoursTheEraNamed(t *testing.T) {
	for in, want := range map[string]string{
		"พ.ศ. 2501/2510": "1958/1967", "2501/2510 BE": "1958/1967", "B.E. 2500": "1957", "พ.ศ. 2500~": "1957~",
		"พ.ศ. 250X": "1957/1966", "ค.ศ. 2501/2510": "2501/2510", "2500 CE": "2500", "AD 2500": "2500", "2500 A.D.": "2500",
		"ค.ศ. 2500~": "2500~", "พ.ศ. ๒๕๐๑/๒๕๑๐": "1958/1967", "พ.ศ. 2505-06-18": "1962-06-18", "พ.ศ 2500": "1957", "ค.ศ 2500": "2500",
		// Ranges as the pages show them, with a dash.
		"พ.ศ. 2501–2510": "1958/1967", "พ.ศ. ๒๕๐๑ - ๒๕๑๐": "1958/1967", "ค.ศ. 1958-1967": "1958/1967", "1958 – 1967 CE": "1958/1967",
	} {
		got, warning, err := Normalize(in)
		if err != nil || got != want || warning != "" {
			t.Errorf("Normalize(%q) = %q, %q, %v; want %q without a warning", in, got, warning, err, want)
		}
	}
	for _, in := range []string{"พ.ศ. 2500 CE", "BE 2500 AD", "ค.ศ. 2500 BE"} {
		if _, _, err := Normalize(in); !errors.Is(err, ErrAmbiguous) {
			t.Errorf("Normalize(%q) = %v; want ErrAmbiguous for two eras", in, err)
		}
	}
}

// TestNormalizeReadsADashBetweenYearsAsARange: a range written with a dash,
// as the pages show one, is read as EDTF's slash; EDTF's own dashes (a month,
// a day, a negative year) are not ranges.
func TestNormalizeReadsADashBetweenYearsAsARange(t *testing.T) {
	for in, want := range map[string]string{
		"1932-1945": "1932/1945", "1932 – 1945": "1932/1945", "1985-04": "1985-04", "1985-04-12": "1985-04-12",
		"-1985": "-1985", "1985-04-12T23:20:30Z": "1985-04-12T23:20:30Z", "1932-1945~": "1932/1945~",
	} {
		got, _, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, warning, err := Normalize("2501–2510"); err != nil || got != "1958/1967" || warning == "" {
		t.Errorf("Normalize(2501–2510) = %q, %q, %v; want 1958/1967 with the Buddhist Era warning", got, warning, err)
	}
}

// TestNormalizeReadsEnglishMonths: dates as the English pages show them.
func TestNormalizeReadsEnglishMonths(t *testing.T) {
	for in, want := range map[string]string{
		"June 1934": "1934-06", "18 June 1934": "1934-06-18", "June 18, 1934": "1934-06-18", "18 Jun 1934": "1934-06-18",
		"Sept. 1934": "1934-09", "december 1999": "1999-12", "18 June ค.ศ. 2505": "2505-06-18", "18 June พ.ศ. 2477": "1934-06-18",
	} {
		got, warning, err := Normalize(in)
		if err != nil || got != want || warning != "" {
			t.Errorf("Normalize(%q) = %q, %q, %v; want %q without a warning", in, got, warning, err, want)
		}
	}
}

func TestNormalizeRefusesWhatIsAmbiguous(t *testing.T) {
	for in, says := range map[string]string{
		"62":                  "two-digit year",
		"18/06/62":            "two-digit year",
		"18 มิ.ย. 62":         "two-digit year",
		"250X":                "1957/1966",
		"2500/250X":           "1957/1966",
		"25XX":                "1957/2056",
		"18 มิถุนายน 2019":    "ค.ศ. 2019",
		"พ.ศ. 2505 ค.ศ. 1962": "both eras",
	} {
		_, _, err := Normalize(in)
		if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), says) {
			t.Errorf("Normalize(%q) = %v; want ErrAmbiguous saying %q", in, err, says)
		}
	}
}

func TestNormalizeRefusesWhatIsNotADate(t *testing.T) {
	for _, in := range []string{"", "yesterday", "31 กุมภาพันธ์ 2562", "18 Juneish 2562", "2562-02-29", "2505-13-01", "June 2019 2020", "พ.ศ. 25O5", "25050"} {
		if _, _, err := Normalize(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("Normalize(%q) = %v; want ErrSyntax", in, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"2505", "18 มิถุนายน 2562", "พ.ศ. 2505-06-18", "250X", "2505/2510", "18/06/62"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _, err := Normalize(s)
		if err == nil && !Valid(d) {
			t.Fatalf("Normalize(%q) = %q, which is not EDTF", s, d)
		}
	})
}
