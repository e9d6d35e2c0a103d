package edtf

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// day writes t as the vectors do: year, month and day, any year.
func day(t time.Time, ok bool) string {
	if !ok {
		return ".."
	}
	y := fmt.Sprintf("%04d", t.Year())
	if t.Year() < 0 {
		y = fmt.Sprintf("-%04d", -t.Year())
	}
	return fmt.Sprintf("%s-%02d-%02d", y, t.Month(), t.Day())
}

// TestConformanceVectors runs testdata/conformance.txt: the examples of the
// EDTF specification and further cases, each read to the days it covers or
// refused.
func TestConformanceVectors(t *testing.T) {
	f, err := os.Open("testdata/conformance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "[") {
			continue
		}
		n++
		fields := strings.Split(text, "\t")
		in := fields[0]
		d, err := Parse(in)
		if fields[1] == "refused" {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("line %d: Parse(%q) = %+v, %v; want ErrSyntax", line, in, d, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d: Parse(%q): %v", line, in, err)
			continue
		}
		if from, to := day(d.Start()), day(d.End()); from != fields[1] || to != fields[2] {
			t.Errorf("line %d: %q covers %s to %s; want %s to %s", line, in, from, to, fields[1], fields[2])
		}
		for _, lang := range []string{"th", "en"} {
			if d.Format(lang) == "" {
				t.Errorf("line %d: %q says nothing in %s", line, in, lang)
			}
		}
	}
	if err := sc.Err(); err != nil || n < 100 {
		t.Fatalf("read %d vectors: %v", n, err)
	}
}
