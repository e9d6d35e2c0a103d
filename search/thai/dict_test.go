package thai

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var defaultDict = sync.OnceValues(func() (*Dict, error) { return LoadDict(DefaultPaths...) })

// libthai returns the default dictionary, which Debian's libthai-data
// installs; the tests need it and fail, not skip, without it.
func libthai(t testing.TB) *Dict {
	t.Helper()
	d, err := defaultDict()
	if err != nil {
		t.Fatalf("the default Thai dictionary is needed: %v", err)
	}
	return d
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "words")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDictReadsHunspellFormat(t *testing.T) {
	d, err := LoadDict(writeFile(t, "4\nกิน/AB\nข้าว po:noun\nบ/ช\nกรุงเทพฯ\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"กิน", "ข้าว", "กรุงเทพ"} {
		if !d.Contains(w) {
			t.Errorf("%s missing", w)
		}
	}
	// บ/ช is an abbreviation, not บ with flag ช.
	if d.Contains("บ") || d.Len() != 3 {
		t.Errorf("%d words, บ: %v; want 3 words without บ", d.Len(), d.Contains("บ"))
	}
}

func TestLoadDictReadsPlainListsAndTrietoolOutput(t *testing.T) {
	d, err := LoadDict(writeFile(t, "# names of the library\nวรารักษ์\n\nพิมลกัลย์\t-1\nISO\nน\u0e4d\u0e32\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"วรารักษ์", "พิมลกัลย์", "นำ"} {
		if !d.Contains(w) {
			t.Errorf("%s missing", w)
		}
	}
	if d.Len() != 3 {
		t.Errorf("%d words, want 3 (ISO and the comment are not Thai words)", d.Len())
	}
}

func TestLoadDictReadsLibthaisTrie(t *testing.T) {
	d := libthai(t)
	if d.Len() < 20000 {
		t.Errorf("libthai: %d words, want over 20,000", d.Len())
	}
	for w, want := range map[string]bool{"มหาวิทยาลัย": true, "เชียงใหม่": true, "ตาราง": true, "มหาวิทยาลัยเชียงใหม่": false, "ตาร": false} {
		if d.Contains(w) != want {
			t.Errorf("Contains(%s) = %v", w, !want)
		}
	}
}

func TestLoadDictReadsHunspellTh(t *testing.T) {
	d, err := LoadDict(HunspellPath)
	if err != nil {
		t.Fatalf("hunspell-th's list is needed: %v", err)
	}
	if d.Len() < 50000 {
		t.Errorf("hunspell-th: %d words, want over 50,000", d.Len())
	}
	for _, w := range []string{"มหาวิทยาลัยเชียงใหม่", "กรุงเทพ", "ตาราง"} {
		if !d.Contains(w) {
			t.Errorf("%s missing", w)
		}
	}
}

func TestLoadDictRefusesTruncatedTrie(t *testing.T) {
	b, err := os.ReadFile(LibthaiPath)
	if err != nil {
		t.Fatalf("libthai-data is needed: %v", err)
	}
	for _, n := range []int{4, 8, 17, 24, 1000, len(b) / 2, len(b) - 1} {
		p := writeFile(t, string(b[:n]))
		if _, err := LoadDict(p); !errors.Is(err, errTri) {
			t.Errorf("%d bytes of the trie: %v, want %v", n, err, errTri)
		}
	}
}

func TestLoadDictSaysWhatToInstallWhenAFileIsMissing(t *testing.T) {
	_, err := LoadDict(filepath.Join(t.TempDir(), "th_TH.dic"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "th_TH.dic: no such file") {
		t.Errorf("got %v", err)
	}
	if r := remedy(LibthaiPath); !strings.Contains(r, "install Debian's libthai-data") {
		t.Errorf("remedy for libthai: %s", r)
	}
	if r := remedy(HunspellPath); !strings.Contains(r, "install Debian's hunspell-th") {
		t.Errorf("remedy for hunspell: %s", r)
	}
}
