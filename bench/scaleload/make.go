package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// libraries are the three founding libraries the records are spread over.
var libraries = []string{"cmu", "tu", "chula"}

// perCollection is how many items a generated collection holds: a small
// OAI-PMH set.
const perCollection = 20

// Words the titles and descriptions are drawn from, each Thai word beside
// its English one, so that a search in either language finds a share.
var thai = []string{"จดหมาย", "ภาพถ่าย", "แผนที่", "หนังสือ", "บันทึก", "รายงาน", "ประกาศ", "พระราชหัตถเลขา",
	"วัด", "ตลาด", "แม่น้ำ", "ทางรถไฟ", "โรงเรียน", "เชียงใหม่", "ลำพูน", "ธรรมศาสตร์", "สงคราม", "พิธี",
	"ช้าง", "ข้าว", "ป่าไม้", "ไปรษณีย์", "สถานีรถไฟ", "นักศึกษา"}
var english = []string{"letter", "photograph", "map", "book", "diary", "report", "announcement", "royal letter",
	"temple", "market", "river", "railway", "school", "Chiang Mai", "Lamphun", "Thammasat", "war", "ceremony",
	"elephant", "rice", "forest", "post office", "station", "students"}

// Made says what Make put in the store, per library.
type Made struct {
	Items       map[string]int // items per library
	Collections map[string]int // collections per library
	Restricted  int            // items only the library's readers may see
	Embargoed   int            // items under an embargo not yet ended
	// Samples are identifiers the timings ask for: public items, and a
	// collection (an OAI-PMH set) per library.
	Samples []string
	Sets    map[string]string
}

// Make fills store with n bilingual items spread over the three libraries,
// in collections of perCollection items, with dates, some restricted and
// some under embargo, through the store's own API (no files). The same n
// and seed make the same archive. workers saves run at once.
func Make(ctx context.Context, store *bolt.Store, n int, seed uint64, workers int) (*Made, error) {
	rng := rand.New(rand.NewPCG(seed, 25))
	made := &Made{Items: map[string]int{}, Collections: map[string]int{}, Sets: map[string]string{}}
	ncol := (n + perCollection - 1) / perCollection
	cols := make([]*repository.Collection, ncol)
	for i := range cols {
		lib := libraries[i%len(libraries)]
		w := rng.IntN(len(thai))
		cols[i] = &repository.Collection{ID: "c" + strconv.Itoa(i), Institution: lib, Level: repository.Series,
			Title:   repository.Text{"th": "ชุดเอกสาร" + thai[w] + " " + strconv.Itoa(i), "en": "Papers on " + english[w] + " " + strconv.Itoa(i)},
			Summary: repository.Text{"th": "เอกสารเกี่ยวกับ" + thai[w], "en": "Papers about " + english[w]}}
		made.Collections[lib]++
		if made.Sets[lib] == "" {
			made.Sets[lib] = lib + ":" + cols[i].ID
		}
	}
	for i := 0; i < len(cols); i += 500 {
		if err := store.AddCollections(ctx, cols[i:min(i+500, len(cols))], "scaleload"); err != nil {
			return nil, fmt.Errorf("collections: %w", err)
		}
	}
	items := make([]*repository.Item, n)
	for i := range items {
		items[i] = item(rng, i, cols[i/perCollection])
		lib := items[i].Institution
		made.Items[lib]++
		switch {
		case items[i].Access.Level == repository.Restricted:
			made.Restricted++
		case items[i].Access.Embargo != "":
			made.Embargoed++
		case len(made.Samples) < 50 && i%7 == 0:
			made.Samples = append(made.Samples, items[i].ID)
		}
	}
	jobs := make(chan *repository.Item)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				if err := store.SaveItem(ctx, it, "scaleload"); err != nil {
					errs <- fmt.Errorf("item %s: %w", it.ID, err)
					return
				}
			}
		}()
	}
	var err error
feed:
	for _, it := range items {
		select {
		case jobs <- it:
		case err = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return made, err
}

// itemID names the i-th generated item.
func itemID(i int) string { return "r" + strconv.Itoa(i) }

// item is the i-th generated item, in collection c.
func item(rng *rand.Rand, i int, c *repository.Collection) *repository.Item {
	a, b := rng.IntN(len(thai)), rng.IntN(len(thai))
	year := 1880 + rng.IntN(140)
	it := &repository.Item{ID: itemID(i), Institution: c.Institution, Collection: c.ID, Type: "Text",
		Title: repository.Text{"th": thai[a] + "เรื่อง" + thai[b] + " ฉบับที่ " + strconv.Itoa(i),
			"en": english[a] + " on " + english[b] + ", no. " + strconv.Itoa(i)},
		Summary: repository.Text{"th": thai[a] + " " + thai[b] + " พ.ศ. " + strconv.Itoa(year+543),
			"en": "A " + english[a] + " about " + english[b] + ", " + strconv.Itoa(year) + "."},
		Date:     strconv.Itoa(year),
		Language: []string{"th"},
		Rights:   "http://rightsstatements.org/vocab/InC-EDU/1.0/",
		Access:   repository.Access{Level: repository.Public},
	}
	switch r := rng.IntN(100); {
	case r < 10:
		it.Access.Level = repository.Restricted
	case r < 15:
		it.Access.Embargo = strconv.Itoa(2090+rng.IntN(10)) + "-01-01"
	case r < 25:
		it.Access.Level = repository.MetadataOnly
	}
	return it
}
