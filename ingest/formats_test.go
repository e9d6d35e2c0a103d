package ingest

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// master is one variant of the test corpus: how to make it from the
// corpus' sources with Debian's tools.
type corpusMaster struct {
	name  string
	tools [][2]string // command, Debian package
	make  func(t *testing.T, p func(string) string)
}

// corpusSources makes the scans every variant starts from, cut from a real
// woodcut scan at an odd size (so every pyramid level has edge tiles): an
// RGB PNG, the same with a varying alpha channel, a 16-bit copy, and the
// SWOP press profile of the shared CMYK sample.
func corpusSources(t *testing.T, p func(string) string) {
	t.Helper()
	dir := sampleDir(t)
	needTool(t, "vips", "libvips-tools")
	needTool(t, "convert", "imagemagick")
	run(t, "vips", "resize", filepath.Join(dir, "woodcut-olivo-en-mallorca.jpg"), p("small.v"), "0.35")
	run(t, "vips", "extract_area", p("small.v"), p("src.png"), "17", "9", "1001", "777")
	run(t, "vips", "colourspace", p("src.png"), p("grey.v"), "b-w")
	run(t, "vips", "bandjoin", p("src.png")+" "+p("grey.v"), p("rgba.png"))
	run(t, "vips", "cast", p("src.png"), p("s16.v"), "ushort", "--shift")
	run(t, "vips", "copy", p("s16.v"), p("src16.png"))
	run(t, "vips", "cast", p("rgba.png"), p("a16.v"), "ushort", "--shift")
	run(t, "vips", "copy", p("a16.v"), p("rgba16.png"))
	run(t, "convert", filepath.Join(dir, "cmyk-with-profile.jpg"), p("swop.icc"))
	run(t, "vips", "icc_transform", p("src.png"), p("cmyk.v"), p("swop.icc"), "--intent", "relative")
}

var corpus = []corpusMaster{
	{"lossy.jp2", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("src.png"), "-o", p("lossy.jp2"), "-r", "20", "-n", "5")
	}},
	{"reversible.jp2", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("src.png"), "-o", p("reversible.jp2"), "-n", "6")
	}},
	{"tiled.jp2", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("src.png"), "-o", p("tiled.jp2"), "-t", "256,256", "-r", "10", "-n", "4")
	}},
	{"16bit.jp2", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("src16.png"), "-o", p("16bit.jp2"), "-n", "5")
	}},
	{"alpha.jp2", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("rgba.png"), "-o", p("alpha.jp2"), "-r", "5", "-n", "5")
	}},
	{"codestream.j2k", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "opj_compress", "-i", p("src.png"), "-o", p("codestream.j2k"), "-r", "10")
	}},
	{"jpx-brand.jpx", [][2]string{{"opj_compress", "libopenjp2-tools"}}, func(t *testing.T, p func(string) string) {
		// A JP2 under JPX's brand, as JPX writers label their files.
		run(t, "opj_compress", "-i", p("src.png"), "-o", p("base.jp2"), "-r", "10")
		b, err := os.ReadFile(p("base.jp2"))
		if err != nil || string(b[20:24]) != "jp2 " {
			t.Fatalf("unexpected JP2 from opj_compress: %v", err)
		}
		copy(b[20:], "jpx ")
		os.WriteFile(p("jpx-brand.jpx"), b, 0o644)
	}},
	{"cmyk-swop.jpg", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "copy", p("cmyk.v"), p("cmyk-swop.jpg")+"[Q=92]")
	}},
	{"cmyk-no-profile.jpg", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "copy", p("cmyk.v"), p("cmyk-no-profile.jpg")+"[Q=92,strip]")
	}},
	{"ycck.jpg", nil, func(t *testing.T, p func(string) string) {
		run(t, "convert", p("cmyk-swop.jpg"), "-quality", "92", "-define", "jpeg:colorspace=5", p("ycck.jpg"))
		b, _ := os.ReadFile(p("ycck.jpg"))
		// Adobe's APP14 marker says YCCK with transform 2.
		if i := bytes.Index(b, []byte("Adobe")); i < 0 || i+11 >= len(b) || b[i+11] != 2 {
			t.Fatal("ImageMagick did not write a YCCK JPEG")
		}
	}},
	{"cmyk-swop.tif", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "copy", p("cmyk.v"), p("cmyk-swop.tif"))
	}},
	{"cmyk-jpeg-in-tiff.tif", [][2]string{{"tiffcp", "libtiff-tools"}}, func(t *testing.T, p func(string) string) {
		run(t, "tiffcp", "-c", "jpeg:90", p("cmyk-swop.tif"), p("cmyk-jpeg-in-tiff.tif"))
	}},
	{"bigtiff.tif", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "copy", p("src.png"), p("bigtiff.tif")+"[bigtiff,tile,compression=lzw]")
	}},
	{"grey16.tif", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "colourspace", p("src16.png"), p("grey16.tif"), "grey16")
	}},
	{"animated.gif", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "flip", p("src.png"), p("flipped.png"), "vertical")
		run(t, "convert", "-delay", "50", p("src.png"), p("flipped.png"), "-loop", "0", p("animated.gif"))
	}},
	{"16bit.png", nil, func(t *testing.T, p func(string) string) {
		os.Link(p("src16.png"), p("16bit.png"))
	}},
	{"16bit-alpha.png", nil, func(t *testing.T, p func(string) string) {
		os.Link(p("rgba16.png"), p("16bit-alpha.png"))
	}},
	{"scan.bmp", nil, func(t *testing.T, p func(string) string) {
		run(t, "convert", p("src.png"), "BMP3:"+p("scan.bmp"))
	}},
	{"scan.webp", nil, func(t *testing.T, p func(string) string) {
		run(t, "vips", "copy", p("src.png"), p("scan.webp")+"[Q=95]")
	}},
	{"exif-rotated.jpg", nil, func(t *testing.T, p func(string) string) {
		f, err := os.Open(p("src.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p("exif-rotated.jpg"), exifJPEG(t, img, 6), 0o644)
	}},
}

// TestEveryMasterFormatMatchesLibvips makes each kind of master archives
// hold from a real scan with Debian's tools and checks that its access copy
// has libvips' size, orientation and colours (a mean ΔE under 2).
func TestEveryMasterFormatMatchesLibvips(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	corpusSources(t, p)
	for _, m := range corpus {
		t.Run(m.name, func(t *testing.T) {
			for _, tool := range m.tools {
				needTool(t, tool[0], tool[1])
			}
			m.make(t, p)
			img := checkAgainstVips(t, p(m.name), 2)
			if w, h := img.Bounds().Dx(), img.Bounds().Dy(); m.name == "exif-rotated.jpg" && (w != 777 || h != 1001) ||
				m.name != "exif-rotated.jpg" && (w != 1001 || h != 777) {
				t.Errorf("access copy is %dx%d", w, h)
			}
		})
	}
	t.Run("heif", func(t *testing.T) {
		if b, err := exec.Command("vips", "copy", p("src.png"), p("scan.heic")+"[Q=90]").CombinedOutput(); err != nil {
			t.Skipf("this libvips writes no HEIF to test with: %s", b)
		}
		checkAgainstVips(t, p("scan.heic"), 2)
	})
}

// TestUnreadableImagesAreRefusedWithWhatToDo checks that a master that is
// sniffed as an image but cannot be read is refused with a sentence saying
// what it is and what to do.
func TestUnreadableImagesAreRefusedWithWhatToDo(t *testing.T) {
	needTool(t, "vips", "libvips-tools")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	src := filepath.Join(sampleDir(t), "woodcut-1958.tif")
	run(t, "vips", "copy", src, p("whole.jp2"))
	b, _ := os.ReadFile(p("whole.jp2"))
	os.WriteFile(p("truncated.jp2"), b[:len(b)/3], 0o644)
	os.WriteFile(p("garbage.bmp"), append([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"), bytes.Repeat([]byte{0xEE}, 200)...), 0o644)
	run(t, "vips", "copy", src, p("whole.jpg"))
	b, _ = os.ReadFile(p("whole.jpg"))
	os.WriteFile(p("truncated.jpg"), b[:len(b)/2], 0o644)
	for name, want := range map[string]string{
		"truncated.jp2": "truncated or corrupt",
		"truncated.jpg": "truncated or corrupt",
		"garbage.bmp":   "cannot be read",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load(t, p(name))
			var e *Error
			if !errors.Is(err, ErrRefused) || !errors.As(err, &e) || !strings.Contains(err.Error(), want) {
				t.Fatalf("%v; want a refusal saying %q", err, want)
			}
			if strings.Contains(err.Error(), dir) {
				t.Errorf("the refusal names the server's folder: %v", err)
			}
			t.Log(err)
		})
	}
}
