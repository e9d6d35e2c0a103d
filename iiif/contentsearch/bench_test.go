package contentsearch_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
)

// bigItem is a public item of 500 pages of 30 lines each, the words taken
// in turn from the relevance corpus's real Thai text (about 170,000 words
// in all), laid out as OCR lays them out.
func bigItem(b *testing.B, e *env) *repository.Item {
	b.Helper()
	raw, err := os.ReadFile("../../search/testdata/relevance/records.json")
	if err != nil {
		b.Fatal(err)
	}
	var recs []struct{ Summary map[string]string }
	if err := json.Unmarshal(raw, &recs); err != nil {
		b.Fatal(err)
	}
	var words []string
	for _, r := range recs {
		words = append(words, strings.Fields(r.Summary["th"])...)
	}
	var pages []*ocr.Page
	k := 0
	for range 500 {
		p := &ocr.Page{Width: 2480, Height: 3508}
		for l := range 30 {
			var ws []string
			for range 12 {
				ws = append(ws, words[k%len(words)])
				k++
			}
			p.Lines = append(p.Lines, line(150+100*l, ws...))
		}
		pages = append(pages, p)
	}
	return e.textItem(b, repository.Public, pages...)
}

// BenchmarkSearchWithin500Pages measures Content Search 1.0 answers (what
// Mirador asks) inside a 500-page item once its text is in memory: single
// words common and rare, names, a phrase; it reports the 95th percentile.
// The first search of an item reads every page's ALTO: BuildMs reports it.
func BenchmarkSearchWithin500Pages(b *testing.B) {
	e := newEnv(b)
	it := bigItem(b, e)
	queries := []string{"มหาวิทยาลัย", "ห้องสมุด", "เชียงใหม่", "การ", "ทรัพยากรสารสนเทศ", "ลงนาม", "ความร่วมมือ", `"สำนัก หอสมุด"`,
		"ไม่มีคำนี้", "ประเทศไทย", "ศึกษา", "วิจัย", "นักศึกษา", "ข้อมูล", "ระบบ", "พัฒนา"}
	ctx := context.Background()
	start := time.Now()
	if _, err := e.svc.Search(ctx, access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: 1, Q: "x"}); err != nil {
		b.Fatal(err)
	}
	build := time.Since(start)
	var lat []time.Duration
	hits := 0
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		t0 := time.Now()
		a, err := e.svc.Search(ctx, access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: 1, Q: q})
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		hits += strings.Count(string(a.Body), `"search:Hit"`)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(build.Milliseconds()), "build-ms")
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}
