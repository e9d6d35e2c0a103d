package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
)

// ErrNoTools is a machine without Tesseract or its Thai and English
// models.
var ErrNoTools = errors.New("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng)")

// Tesseract runs Debian's tesseract program.
type Tesseract struct {
	// Path is the program (default: tesseract found in PATH).
	Path string

	once   sync.Once
	langs  []string
	errSet error
}

func (t *Tesseract) setup() error {
	t.once.Do(func() {
		if t.Path == "" {
			p, err := exec.LookPath("tesseract")
			if err != nil {
				t.errSet = ErrNoTools
				return
			}
			t.Path = p
		}
		out, err := exec.Command(t.Path, "--list-langs").CombinedOutput()
		if err != nil {
			t.errSet = fmt.Errorf("%w: %s", ErrNoTools, bytes.TrimSpace(out))
			return
		}
		for _, l := range strings.Split(string(out), "\n")[1:] {
			if l = strings.TrimSpace(l); l != "" {
				t.langs = append(t.langs, l)
			}
		}
		if !slices.Contains(t.langs, "tha") || !slices.Contains(t.langs, "eng") {
			t.errSet = ErrNoTools
		}
	})
	return t.errSet
}

// Check says whether Tesseract and its Thai and English models are there.
func (t *Tesseract) Check() error { return t.setup() }

// iso1 maps the two-letter codes an item's language field may hold to
// Tesseract's three-letter models.
var iso1 = map[string]string{"th": "tha", "en": "eng", "fr": "fra", "de": "deu", "zh": "chi_sim", "ja": "jpn", "lo": "lao",
	"km": "khm", "my": "mya", "pi": "pli", "sa": "san", "ms": "msa", "vi": "vie", "nl": "nld", "pt": "por", "es": "spa"}

// Languages chooses Tesseract's models for an item's languages (ISO 639
// codes, e.g. th, en, tha, fre): those installed, Thai and English by
// default or when none is installed.
func (t *Tesseract) Languages(codes []string) string {
	if t.setup() != nil {
		return "tha+eng"
	}
	var out []string
	for _, c := range codes {
		c = strings.ToLower(strings.TrimSpace(c))
		if m, ok := iso1[c]; ok {
			c = m
		}
		if slices.Contains(t.langs, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "tha+eng"
	}
	return strings.Join(out, "+")
}

// Recognize reads the page image at path (PNG, TIFF, PNM) with the given
// models ("tha+eng") and returns its lines and words, normalised, in the
// image's pixels. Tesseract runs on one thread: a caller reads several
// pages at once to use the cores.
func (t *Tesseract) Recognize(ctx context.Context, path, langs string) (*Page, error) {
	if err := t.setup(); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, t.Path, path, "stdout", "-l", langs, "--psm", "3", "alto")
	// One thread each: pages side by side use the cores better than
	// OpenMP inside one page, and a machine's cores are shared with the
	// service.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("tesseract: %v: %s", err, lastLine(stderr.String()))
	}
	p, err := ReadALTO(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("tesseract's ALTO: %w", err)
	}
	Normalize(p)
	return p, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
