package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
)

// printPDF answers the printable finding aid as a PDF for reading rooms,
// laid out by WeasyPrint (Debian weasyprint; Pango shapes the Thai), at
// most two at a time. What the PDF holds is what the reader may see.
func (s *Server) printPDF(c *gin.Context) {
	p, ok := s.printPage(c)
	if !ok {
		return
	}
	var html bytes.Buffer
	if err := s.pages["printaid"].ExecuteTemplate(&html, "layout", p); err != nil {
		s.fail(c, err)
		return
	}
	select {
	case s.pdfs <- struct{}{}:
		defer func() { <-s.pdfs }()
	default:
		s.fail(c, fmt.Errorf("%s: %w", t(p.Lang, "aid_pdf_unavailable"), fault.Unavailable))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "weasyprint", "--encoding", "utf-8", "--presentational-hints", "-", "-")
	cmd.Stdin = &html
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		s.cfg.Log.Error("making a finding aid PDF", "fonds", p.RootID, "err", err, "stderr", stderr.String())
		s.fail(c, fmt.Errorf("%s: %w", t(p.Lang, "aid_pdf_unavailable"), fault.Unavailable))
		return
	}
	s.cache(c, publicDoc)
	c.Header("Content-Disposition", `inline; filename="`+p.RootID+`.pdf"`)
	s.send(c, http.StatusOK, "application/pdf", out.Bytes())
}
