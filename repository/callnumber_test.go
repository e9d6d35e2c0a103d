package repository

import "testing"

func TestACallNumberJoinsTheUnitsCodesWithoutRepeatingThem(t *testing.T) {
	for _, c := range []struct {
		codes []string
		want  string
	}{
		{[]string{"TU-PB", "1", "3"}, "TU-PB/1/3"},
		{[]string{"TU-PB", "TU-PB/1", "TU-PB/1/3"}, "TU-PB/1/3"},
		{[]string{"", "S2", " ", "7"}, "S2/7"},
		{[]string{"", ""}, ""},
	} {
		if got := CallNumber(c.codes...); got != c.want {
			t.Errorf("CallNumber(%q) = %q, want %q", c.codes, got, c.want)
		}
	}
}
