package fulltext

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// fontData is the text layer's font, read once: Config.Font, or the font
// fontconfig gives for Garuda. Any TrueType font serves, for the words are
// never seen and each glyph's character is in the ToUnicode map; a Thai one
// gives the words' widths, and so their selection, the right proportions.
func (s *Service) fontData() ([]byte, error) {
	s.font.once.Do(func() {
		path := s.cfg.Font
		if path == "" {
			if path, s.font.err = findFont(); s.font.err != nil {
				return
			}
		}
		data, err := os.ReadFile(path)
		switch {
		case err != nil:
			s.font.err = fmt.Errorf("the font of the text layer of PDFs cannot be read: %w", fault.Unavailable)
		case !trueType(data):
			s.font.err = fmt.Errorf("the font of the text layer of PDFs is not a TrueType font: %w", fault.Unavailable)
		default:
			s.font.data = data
		}
	})
	return s.font.data, s.font.err
}

// findFont asks fontconfig (Debian fontconfig) for Garuda as TrueType.
func findFont() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "fc-match", "-f", "%{file}", "Garuda:fontformat=TrueType").Output()
	path := strings.TrimSpace(string(out))
	if err != nil || path == "" {
		return "", fmt.Errorf("no font for the text layer of PDFs: fontconfig's fc-match (Debian fontconfig, fonts-tlwg-garuda-ttf) did not find one: %w", fault.Unavailable)
	}
	return path, nil
}

// trueType reports whether data starts as a TrueType font with glyph
// outlines (not the CFF outlines of an OpenType "OTTO" font, which the PDF
// library does not embed).
func trueType(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0, 1, 0, 0}) || bytes.HasPrefix(data, []byte("true"))
}
