package web

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// scanJPEG is a JPEG of noise, a few megabytes like a real page's scan.
func scanJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range 1200 {
		for x := range 1600 {
			img.Set(x, y, color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postImport sends a finding aid and files to the desk's import.
func (e *deskEnv) postImport(t *testing.T, lang, doc string, files map[string][]byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", e.csrf)
	w.WriteField("institution", "cmu")
	part, _ := w.CreateFormFile("ead", "scans.xml")
	part.Write([]byte(doc))
	for name, b := range files {
		part, _ = w.CreateFormFile("files", name)
		part.Write(b)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/desk/ead?lang="+lang, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

const scanEAD = `<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds"><did><unittitle>Zqscanned papers</unittitle></did>
<dsc><c level="file"><did><unittitle>Zqscanned file</unittitle><dao href="scans/page-1.jpg" linktitle="Page one"/></did></c></dsc></archdesc></ead>`

// TestEADImportTakesAScanOfSomeMegabytes: a scan of a few megabytes sent
// beside a finding aid (over the 1 MB of a form) becomes the item of the
// unit that links it; past the upload limit, or with a finding aid over
// 1 MB, the import answers 413 saying the limit in the page's language.
func TestEADImportTakesAScanOfSomeMegabytes(t *testing.T) {
	e := newDeskEnv(t)
	scan := scanJPEG(t)
	if len(scan) < 2<<20 {
		t.Fatalf("the scan is %d bytes, want a few megabytes", len(scan))
	}
	st, page := e.postImport(t, "en", scanEAD, map[string][]byte{"page-1.jpg": scan})
	if st != http.StatusOK || !strings.Contains(page, "scans/page-1.jpg: ingested") {
		t.Fatalf("import of a %d-byte scan: %d %.500s", len(scan), st, page)
	}
	var file *repository.Node
	fonds, err := e.store.Children("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fonds {
		if c.Title.Get("en") == "Zqscanned papers" {
			tr, err := e.store.Tree(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			tr.Walk(func(n *repository.Node) bool {
				if n.Level == repository.FileLevel {
					file = n
				}
				return true
			})
		}
	}
	if file == nil || len(file.Items) != 1 {
		t.Fatalf("the unit that links the scan: %+v", file)
	}
	it, err := e.store.Item(file.Items[0])
	if err != nil || len(it.Files) != 1 || it.Files[0].Size != int64(len(scan)) || it.Files[0].Width != 1600 {
		t.Fatalf("the unit's item: %+v %v", it, err)
	}

	e.srv.cfg.UploadMax = 2 << 20
	for lang, want := range map[string]string{"en": "The files sent with the finding aid are too large together", "th": "ไฟล์ที่ส่งพร้อมบัญชีค้นเอกสารมีขนาดรวมเกินกว่าที่รับได้"} {
		st, page := e.postImport(t, lang, scanEAD, map[string][]byte{"page-1.jpg": scan})
		if st != http.StatusRequestEntityTooLarge || !strings.Contains(page, want) || !strings.Contains(page, "2 MB") {
			t.Errorf("an import over the upload limit, in %s: %d %.300q", lang, st, page)
		}
	}
	e.srv.cfg.UploadMax = 0
	big := strings.Replace(scanEAD, "<control/>", "<control/><!--"+strings.Repeat("x", maxBody)+"-->", 1)
	st, page = e.postImport(t, "en", big, nil)
	if st != http.StatusRequestEntityTooLarge || !strings.Contains(page, "The finding aid (EAD) file is too large") || !strings.Contains(page, "1 MB") {
		t.Errorf("a finding aid over 1 MB: %d %.300q", st, page)
	}
}
