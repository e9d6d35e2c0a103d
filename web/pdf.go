package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// printPDF answers the printable finding aid as a PDF for reading rooms,
// laid out by WeasyPrint (Debian weasyprint; Pango shapes the Thai), at
// most two at a time. What the PDF holds is what the reader may see.
func (s *Server) printPDF(c *gin.Context) {
	tr, err := s.readTree(c, c.Param("id"))
	if errors.Is(err, repository.ErrNotFound) || errors.Is(err, access.ErrGone) {
		s.notFoundPage(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p := aidPage{page: s.newPage(c, ""), RootID: tr.Root.ID}
	p.Title = tr.Root.Title.Get(p.Lang)
	if p.Root, p.Units, err = s.aidTree(c, tr, p.Lang, true); err != nil {
		s.fail(c, err)
		return
	}
	p.HTML = printHTML(p.Root, p.Units)
	var html bytes.Buffer
	if err := s.pages["printaid"].ExecuteTemplate(&html, "layout", p); err != nil {
		s.fail(c, err)
		return
	}
	select {
	case s.pdfs <- struct{}{}:
		defer func() { <-s.pdfs }()
	default:
		s.fail(c, fmt.Errorf("%s: %w", t(p.Lang, "aid_pdf_unavailable"), storage.ErrUnavailable))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "weasyprint", "--encoding", "utf-8", "--presentational-hints", "-", "-")
	cmd.Stdin = &html
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		s.cfg.Log.Error("making a finding aid PDF", "fonds", tr.Root.ID, "err", err, "stderr", stderr.String())
		s.fail(c, fmt.Errorf("%s: %w", t(p.Lang, "aid_pdf_unavailable"), storage.ErrUnavailable))
		return
	}
	s.cacheable(c, "public, max-age=300")
	c.Header("Content-Disposition", `inline; filename="`+tr.Root.ID+`.pdf"`)
	s.send(c, http.StatusOK, "application/pdf", out.Bytes())
}
