package ingest

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"

	"github.com/thaiarchives/archive/repository"
)

// demoItem describes one generated item of the demo collections.
type demoItem struct {
	title   repository.Text
	date    string // Thai date, Buddhist Era, as an archivist would type it
	pages   int
	seed    int
	summary repository.Text
}

var demoCollections = []struct {
	inst  string
	id    string
	title repository.Text
	items []demoItem
}{
	{"cmu", "cmu-demo-lanna", repository.Text{"th": "เอกสารโบราณล้านนา (ตัวอย่าง)", "en": "Lanna manuscripts (demo)"}, []demoItem{
		{repository.Text{"th": "คัมภีร์ใบลาน ตำรายา", "en": "Palm-leaf manuscript: medical treatise"}, "พ.ศ. 2430", 3, 1,
			repository.Text{"th": "ใบลานสามหน้า ภาพที่สร้างขึ้นเพื่อสาธิต", "en": "Three leaves; images generated for the demonstration"}},
		{repository.Text{"th": "แผนที่เมืองเชียงใหม่", "en": "Map of Chiang Mai"}, "18 มิถุนายน 2562", 1, 2, nil},
	}},
	{"tu", "tu-demo-archives", repository.Text{"th": "จดหมายเหตุมหาวิทยาลัย (ตัวอย่าง)", "en": "University archives (demo)"}, []demoItem{
		{repository.Text{"th": "ภาพถ่ายหอประชุม", "en": "Photograph of the assembly hall"}, "มิถุนายน 2477", 1, 3, nil},
		{repository.Text{"th": "หนังสือราชการ", "en": "Official letter"}, "พ.ศ. 2516", 1, 4, nil},
	}},
	{"chula", "chula-demo-photographs", repository.Text{"th": "ภาพถ่ายประวัติศาสตร์ (ตัวอย่าง)", "en": "Historical photographs (demo)"}, []demoItem{
		{repository.Text{"th": "ภาพถ่ายหอประวัติ", "en": "Photograph of the history hall"}, "1 มกราคม 2460", 1, 5, nil},
		{repository.Text{"th": "แผนผังอาคาร", "en": "Building plan"}, "พ.ศ. 2490", 1, 6, nil},
	}},
}

// Demo fills an empty archive with a small collection for each library,
// images generated here, so that a newcomer sees a working archive at once.
// It does nothing when the archive already has items.
func Demo(ctx context.Context, p *Pipeline) (int, error) {
	store := p.cfg.Store
	for _, inst := range []string{"cmu", "tu", "chula"} {
		if pg, err := store.ItemsOfInstitution(inst, "", 1); err != nil || len(pg.IDs) > 0 {
			return 0, err
		}
	}
	dir, err := os.MkdirTemp("", "archive-demo-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	var units []Unit
	for _, dc := range demoCollections {
		if _, err := store.Collection(dc.id); err != nil {
			c := &repository.Collection{ID: dc.id, Institution: dc.inst, Level: repository.Fonds, Title: dc.title}
			if err := store.SaveCollection(ctx, c, "archive demo"); err != nil {
				return 0, err
			}
		}
		for _, di := range dc.items {
			date, _, err := ReadDate(di.date)
			if err != nil {
				return 0, err
			}
			u := Unit{Origin: "demo", Meta: repository.Item{Institution: dc.inst, Collection: dc.id, Title: di.title, Summary: di.summary,
				Date: date, Rights: "http://rightsstatements.org/vocab/NoC-US/1.0/", Access: repository.Access{Level: repository.Public},
				Attribution: repository.Text{"th": "ตัวอย่างเพื่อการสาธิต", "en": "Demonstration content"}}}
			if di.pages > 1 {
				u.Meta.ViewingDirection = "left-to-right"
				u.Meta.Behavior = []string{"paged"}
			}
			for pg := range di.pages {
				name := fmt.Sprintf("%s-%d-%d.jpg", dc.id, di.seed, pg+1)
				path := filepath.Join(dir, name)
				if err := writeDemoImage(path, 2400, 1600, di.seed*10+pg); err != nil {
					return 0, err
				}
				u.Files = append(u.Files, Input{Path: path, Name: name})
			}
			units = append(units, u)
		}
	}
	items := map[string]bool{}
	var firstErr error
	p.Run(ctx, units, func(o Outcome) {
		if o.Status == Ingested {
			items[o.Item] = true
		} else if firstErr == nil && o.Status != Duplicate {
			firstErr = fmt.Errorf("demo %s: %s", o.File, o.Error)
		}
	})
	return len(items), firstErr
}

// writeDemoImage draws a paper-toned sheet with concentric "contour" bands,
// detailed enough to zoom into.
func writeDemoImage(path string, w, h, seed int) error {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)*(0.3+0.1*float64(seed%5)), float64(h)*(0.4+0.05*float64(seed%7))
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			band := math.Sin(d/18+float64(seed)) * math.Cos(float64(x)/97+float64(y)/131)
			grain := float64((x*7919+y*104729+seed*31)%17) - 8
			v := 205 + 30*band + grain
			img.SetRGBA(x, y, color.RGBA{clamp(v + 18), clamp(v + 6), clamp(v - 22), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return jpeg.Encode(f, img, &jpeg.Options{Quality: 88})
}

func clamp(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }
