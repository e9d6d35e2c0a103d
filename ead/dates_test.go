package ead

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// TestUnitDatesAreReadAsArchivistsWriteThem: each date keeps its words,
// normal form, type and attributes as written, with the EDTF read from
// them where there is one, and the unit's date is its first inclusive one.
func TestUnitDatesAreReadAsArchivistsWriteThem(t *testing.T) {
	for _, c := range []struct {
		did        string
		edtf       []string // of each kept date
		exprs      []string // as shown
		bulk       []bool
		date       string // the unit's
		unreadable int    // notes that a date could not be read
	}{
		{`<unitdate>1957-58</unitdate>`, []string{"1957/1958"}, []string{"1957-58"}, []bool{false}, "1957/1958", 0},
		{`<unitdate>ca. 1945</unitdate>`, []string{"1945~"}, []string{"ca. 1945"}, []bool{false}, "1945~", 0},
		{`<unitdate>undated, 1955</unitdate>`, []string{"1955"}, []string{"undated, 1955"}, []bool{false}, "1955", 0},
		{`<unitdate>undated</unitdate>`, []string{""}, []string{"undated"}, []bool{false}, "", 1},
		{`<unitdate type="bulk">Bulk, 1960-1970</unitdate><unitdate type="inclusive" normal="1950/1975">1950-1975</unitdate>`,
			[]string{"1960/1970", "1950/1975"}, []string{"Bulk, 1960-1970", "1950-1975"}, []bool{true, false}, "1950/1975", 0},
		{`<unitdate>Bulk, 1960-1970</unitdate>`, []string{"1960/1970"}, []string{"Bulk, 1960-1970"}, []bool{true}, "", 0},
		{`<unitdate>พ.ศ. 2475-2480</unitdate>`, []string{"1932/1937"}, []string{"พ.ศ. 2475-2480"}, []bool{false}, "1932/1937", 0},
		{`<unitdate normal="1957/1958">1957-58</unitdate>`, []string{"1957/1958"}, []string{"1957-58"}, []bool{false}, "1957/1958", 0},
		{`<unitdate>1950s</unitdate>`, []string{"195X"}, []string{"1950s"}, []bool{false}, "195X", 0},
		{`<unitdate era="ce" calendar="gregorian">Nov. 29, 1949 -April 8, 1950</unitdate>`, []string{"1949-11-29/1950-04-08"}, []string{"Nov. 29, 1949 -April 8, 1950"}, []bool{false}, "1949-11-29/1950-04-08", 0},
		{`<unitdate>Aug. 10, 1964-May 25, 1965</unitdate>`, []string{"1964-08-10/1965-05-25"}, []string{"Aug. 10, 1964-May 25, 1965"}, []bool{false}, "1964-08-10/1965-05-25", 0},
		{`<unitdate>Feb. 1967 -May 1973</unitdate>`, []string{"1967-02/1973-05"}, []string{"Feb. 1967 -May 1973"}, []bool{false}, "1967-02/1973-05", 0},
		{`<unittitle>Letters, <unitdate normal="1931/1933">1931-1933</unitdate></unittitle>`, []string{"1931/1933"}, []string{"1931-1933"}, []bool{false}, "1931/1933", 0},
		{`<unitdatestructured unitdatetype="inclusive" certainty="approximate"><daterange><fromdate notbefore="1940" notafter="1942">early 1940s</fromdate><todate standarddate="1950">1950</todate></daterange></unitdatestructured>`,
			[]string{"1940/1950"}, []string{"early 1940s – 1950"}, []bool{false}, "1940/1950", 0},
		{`<unitdatestructured unitdatetype="bulk" altrender="1957-58"><daterange><fromdate standarddate="1957">1957</fromdate><todate standarddate="1958">1958</todate></daterange></unitdatestructured>`,
			[]string{"1957/1958"}, []string{"1957-58"}, []bool{true}, "", 0},
		{`<unitdatestructured><datesingle notbefore="1910" notafter="1915">about 1912</datesingle></unitdatestructured>`,
			[]string{"1910/1915"}, []string{"about 1912"}, []bool{false}, "1910/1915", 0},
	} {
		f, err := Read(strings.NewReader(`<ead><archdesc level="fonds"><did><unittitle>F</unittitle>` + c.did + `</did></archdesc></ead>`))
		if err != nil {
			t.Fatal(err)
		}
		d := f.Root.Collection.Description
		if d == nil || len(d.Dates) != len(c.edtf) {
			t.Errorf("%s: description %+v, want %d dates", c.did, d, len(c.edtf))
			continue
		}
		for i, ud := range d.Dates {
			if ud.EDTF != c.edtf[i] || ud.Expression() != c.exprs[i] || ud.Bulk() != c.bulk[i] {
				t.Errorf("%s: date %d is %q as %q (bulk %v), want %q as %q (bulk %v)", c.did, i, ud.EDTF, ud.Expression(), ud.Bulk(), c.edtf[i], c.exprs[i], c.bulk[i])
			}
		}
		unread := 0
		for _, n := range f.Root.Notes {
			if n.Kind == "date_unread" {
				unread++
			}
		}
		if d.Date != c.date || unread != c.unreadable {
			t.Errorf("%s: the unit's date %q with %d notes of unread dates, want %q and %d", c.did, d.Date, unread, c.date, c.unreadable)
		}
	}
}

// datedEAD2002 and datedEAD3 hold every form of date the exports keep.
const datedEAD2002 = `<ead xmlns="urn:isbn:1-931666-22-9"><archdesc level="collection" id="dated"><did><unittitle>Dated, <unitdate era="ce" calendar="gregorian" normal="1931/1975" type="inclusive">1931-1975</unitdate></unittitle>
 <unitdate type="bulk" normal="1960/1970" era="ce" calendar="gregorian">Bulk, 1960-1970</unitdate></did><dsc>
 <c01 level="file" id="f1"><did><unittitle>A</unittitle><unitdate certainty="approximate">ca. 1945</unitdate><unitdate datechar="creation" label="Created">1957-58</unitdate></did></c01>
 <c01 level="file" id="f2"><did><unittitle>B</unittitle><unitdate>undated, 1955</unitdate><unitdate>undated</unitdate></did></c01>
 <c01 level="file" id="f3"><did><unittitle>ค</unittitle><unitdate calendar="buddhist" era="be">พ.ศ. 2475-2480</unitdate></did></c01>
</dsc></archdesc></ead>`

const datedEAD3 = `<ead xmlns="http://ead3.archivists.org/schema/"><control><recordid>x</recordid></control><archdesc level="fonds" id="dated3"><did><unittitle>F</unittitle>
 <unitdatestructured unitdatetype="inclusive" certainty="approximate"><daterange><fromdate notbefore="1940" notafter="1942">early 1940s</fromdate><todate standarddate="1950">1950</todate></daterange></unitdatestructured>
 <unitdatestructured unitdatetype="bulk"><dateset><datesingle standarddate="1944">1944</datesingle><datesingle standarddate="1946-05">May 1946</datesingle></dateset></unitdatestructured>
 <unitdate unitdatetype="inclusive" normal="1957/1958">1957-58</unitdate></did></archdesc></ead>`

// TestUnitDatesComeBackAsWritten: every date of a unit is exported as the
// source wrote it (a unitdate with its normal form, type, era, calendar and
// certainty, or a unitdatestructured with its ranges), valid EAD3; an
// import of the export keeps the same dates, and so does a rebuild of the
// store from storage.
func TestUnitDatesComeBackAsWritten(t *testing.T) {
	for _, doc := range []string{datedEAD2002, datedEAD3} {
		f, err := Read(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		s, blobs := newStore(t)
		made, _, err := f.Build(ctx, s, "chula", "", "importer")
		if err != nil {
			t.Fatal(err)
		}
		dates := func(s *bolt.Store) map[string][]repository.UnitDate {
			t.Helper()
			out := map[string][]repository.UnitDate{}
			for _, m := range made {
				c, err := s.Collection(m.ID)
				if err != nil {
					t.Fatal(err)
				}
				if c.Description != nil {
					out[m.ID] = c.Description.Dates
				}
			}
			return out
		}
		want := dates(s)
		first := export(t, s, made[0].ID, staff)
		for _, written := range []string{
			`<unitdate calendar="gregorian" era="ce" unitdatetype="bulk" normal="1960/1970">Bulk, 1960-1970</unitdate>`,
			`<unitdate calendar="gregorian" era="ce" unitdatetype="inclusive" normal="1931/1975">1931-1975</unitdate>`,
			`<unitdate certainty="approximate">ca. 1945</unitdate>`,
			`<unitdate datechar="creation" label="Created">1957-58</unitdate>`,
			`<unitdate>undated, 1955</unitdate>`, `<unitdate>undated</unitdate>`,
			`<unitdate calendar="buddhist" era="be">พ.ศ. 2475-2480</unitdate>`,
		} {
			if doc == datedEAD2002 && !bytes.Contains(first, []byte(written)) {
				t.Errorf("the export has no %s:\n%s", written, first)
			}
		}
		for _, written := range []string{
			`<unitdatestructured certainty="approximate" unitdatetype="inclusive">`, `<fromdate notbefore="1940" notafter="1942">early 1940s</fromdate>`,
			`<todate standarddate="1950">1950</todate>`, `<unitdatestructured unitdatetype="bulk">`, `<dateset>`,
			`<datesingle standarddate="1946-05">May 1946</datesingle>`, `<unitdate unitdatetype="inclusive" normal="1957/1958">1957-58</unitdate>`,
		} {
			if doc == datedEAD3 && !bytes.Contains(first, []byte(written)) {
				t.Errorf("the export has no %s:\n%s", written, first)
			}
		}
		xmllint(t, first)
		again, err := Read(bytes.NewReader(first))
		if err != nil {
			t.Fatal(err)
		}
		other, _ := newStore(t)
		if _, _, err := again.Build(ctx, other, "chula", "", "importer"); err != nil {
			t.Fatal(err)
		}
		if got := dates(other); !reflect.DeepEqual(got, want) {
			t.Errorf("dates after export and import:\n%+v\nwant\n%+v", got, want)
		}
		if second := export(t, other, made[0].ID, staff); !bytes.Equal(first, second) {
			t.Errorf("round trip changed the document:\n%s\n---\n%s", first, second)
		}
		s.Close()
		path := filepath.Join(t.TempDir(), "rebuilt.db")
		if _, err := bolt.Rebuild(ctx, path, blobs, false); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := bolt.Open(ctx, path, blobs)
		if err != nil {
			t.Fatal(err)
		}
		if got := dates(rebuilt); !reflect.DeepEqual(got, want) {
			t.Errorf("dates after a rebuild:\n%+v\nwant\n%+v", got, want)
		}
		rebuilt.Close()
	}
}
