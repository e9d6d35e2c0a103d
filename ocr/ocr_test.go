package ocr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
)

// Thai lines from the kind of document the libraries scan: a university
// gazette and a cremation volume.
var thaiLines = []string{
	"มหาวิทยาลัยเชียงใหม่ก่อตั้งขึ้นเมื่อ พ.ศ. ๒๕๐๗ เป็นมหาวิทยาลัยแห่งแรกในภูมิภาค",
	"หอสมุดได้รับมอบหนังสืออนุสรณ์งานฌาปนกิจจากครอบครัวของผู้วายชนม์",
	"เอกสารจดหมายเหตุเหล่านี้เก็บรักษาไว้ในห้องควบคุมอุณหภูมิ",
	"นักศึกษาสามารถค้นคว้าวิทยานิพนธ์ฉบับเต็มได้ที่ห้องสมุดกลาง",
	"ประกาศมหาวิทยาลัยธรรมศาสตร์ เรื่อง การรับสมัครบุคคลเข้าศึกษา",
}

var englishLines = []string{
	"The university gazette records the decisions of the council,",
	"the appointment of professors and the award of degrees.",
	"Letters of the founders are kept in the archive of the library",
	"and may be read in the reading room by appointment.",
}

func lines(font string, texts []string) []ocrtest.Line {
	var out []ocrtest.Line
	for _, t := range texts {
		out = append(out, ocrtest.Line{Font: font, Pieces: []string{t}})
	}
	return out
}

// The character error rate of each kind of page is reported, and held
// under a bound that a broken reader (wrong model, lost normalisation,
// mangled Thai marks) would not meet.
func TestRecognizeReportsCharacterErrorRateOnThaiAndEnglishPages(t *testing.T) {
	ocrtest.Need(t, "tesseract", "tesseract-ocr")
	tess := &ocr.Tesseract{}
	if err := tess.Check(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		page  ocrtest.Page
		bound float64
	}{
		{"thai clean", ocrtest.Page{Lines: lines(ocrtest.Thai, thaiLines)}, 0.10},
		{"thai rotated 1.5°", ocrtest.Page{Lines: lines(ocrtest.ThaiAlt, thaiLines), Rotate: 1.5}, 0.12},
		{"english noisy", ocrtest.Page{Lines: lines(ocrtest.English, englishLines), Noise: 0.01, Seed: 1}, 0.05},
		{"mixed rotated and noisy", ocrtest.Page{Lines: append(lines(ocrtest.Thai, thaiLines[:2]), lines(ocrtest.English, englishLines[:2])...), Rotate: -1, Noise: 0.005, Seed: 2}, 0.12},
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	results := make([]string, len(cases))
	errs := make([]error, len(cases))
	for i, c := range cases {
		made := ocrtest.Make(t, c.page)
		path := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		if err := os.WriteFile(path, ocrtest.PNG(t, made.Image), 0o644); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			p, err := tess.Recognize(context.Background(), path, "tha+eng")
			if err != nil {
				errs[i] = err
				return
			}
			results[i] = p.Text()
			cer := ocrtest.CER(p.Text(), made.Text)
			t.Logf("%s: character error rate %.3f", c.name, cer)
			if testing.Verbose() {
				t.Logf("%s read:\n%s", c.name, p.Text())
			}
			if cer > c.bound {
				errs[i] = fmt.Errorf("%s: character error rate %.3f over %.2f; read:\n%s", c.name, cer, c.bound, p.Text())
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Thai words come out whole: no piece of a Thai word stands alone.
	if !strings.Contains(results[0], "มหาวิทยาลัยเชียงใหม่") {
		t.Errorf("a Thai line is not read as whole words: %q", strings.SplitN(results[0], "\n", 2)[0])
	}
}
