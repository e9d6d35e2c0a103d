package ead

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// benchStore is an empty store, closed when the benchmark ends.
func benchStore(b *testing.B) *bolt.Store {
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s, err := bolt.Open(ctx, filepath.Join(b.TempDir(), "archive.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// thousandPoints is an EAD 2002 finding aid of 100 components naming 1,000
// access points: in each, five persons of its own and five subjects out of
// fifty the components share.
func thousandPoints() []byte {
	var b bytes.Buffer
	b.WriteString(`<ead><archdesc level="fonds"><did><unittitle>Bench</unittitle></did><dsc>`)
	for i := range 100 {
		fmt.Fprintf(&b, `<c01 level="file"><did><unittitle>File %d</unittitle></did><controlaccess>`, i)
		for j := range 5 {
			fmt.Fprintf(&b, `<persname source="local" authfilenumber="p-%d-%d">Person %d, %d</persname>`, i, j, i, j)
			fmt.Fprintf(&b, `<subject source="lcsh">Topic %d</subject>`, (i*5+j)%50)
		}
		b.WriteString(`</controlaccess></c01>`)
	}
	b.WriteString(`</dsc></archdesc></ead>`)
	return b.Bytes()
}

// BenchmarkImportThousandAccessPoints reads a finding aid naming 1,000
// access points, finds or makes them (550 entities) and builds its units:
// one operation is one import of 1,000 points into an empty archive.
func BenchmarkImportThousandAccessPoints(b *testing.B) {
	doc := thousandPoints()
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b)
		b.StartTimer()
		f, err := Read(bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		n, err := f.Resolve(ctx, s, "bench")
		if err != nil || n.Links != 1000 || n.Made != 550 {
			b.Fatalf("%+v %v", n, err)
		}
		if _, _, err := f.Build(ctx, s, "cmu", "", "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
