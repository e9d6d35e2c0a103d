package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest/batch"
)

// batchReport is a batch as its report answers it: each file says its
// status and why in the language of the request.
type batchReport struct {
	*batch.Batch
	Files []*fileReport `json:"files"`
}

// fileReport is one file of a batch's report.
type fileReport struct {
	*batch.File
	// Label and Reason say the file's status and why it was refused or
	// failed in the language of the request (see said).
	Label  string `json:"label,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Copy says how a recording's copy for browsers comes along, made in
	// the background after the item is registered (see batchCopies).
	Copy *copyProgress `json:"copy,omitempty"`
}

// maxBatchBody bounds a request to make a batch (and so the description,
// meta, that "archive ingest" sends).
const maxBatchBody = 64 << 10 // bytes

func (s *Server) createBatch(c *gin.Context) {
	lang := s.lang(c)
	big := &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf(t(lang, "upload_batch_too_large"), maxBatchBody>>10)}
	if c.Request.ContentLength > maxBatchBody {
		s.fail(c, big)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBatchBody)
	var in batch.Batch
	if err := c.ShouldBindJSON(&in); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			s.fail(c, big)
			return
		}
		s.fail(c, invalid("batch: expected JSON {institution, collection, title, group, expected}: "+err.Error()))
		return
	}
	b, err := s.cfg.Batches.Create(c.Request.Context(), who(c), in)
	var long *batch.TooLongError
	var none *batch.NoCollectionError
	switch {
	case errors.As(err, &long):
		err = invalid(fmt.Sprintf(t(lang, "upload_batch_too_long"), t(lang, "upload_field_"+long.Field), long.Max))
	case errors.As(err, &none):
		err = invalid(fmt.Sprintf(t(lang, "upload_no_collection"), none.ID))
	case errors.Is(err, batch.ErrTooManyOpen):
		err = &httpError{status: http.StatusTooManyRequests, msg: fmt.Sprintf(t(lang, "upload_too_many_batches"), batch.MaxOpen)}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}

func (s *Server) getBatch(c *gin.Context) {
	b, err := s.cfg.Batches.Get(c.Request.Context(), who(c), c.Param("id"))
	if errors.Is(err, fault.NotFound) {
		err = notFound(fmt.Sprintf("no batch %q of yours", c.Param("id")))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	out := said(s.lang(c), b)
	s.batchCopies(s.lang(c), out)
	c.JSON(http.StatusOK, out)
}

// said is a batch's report whose files say their status and reasons in
// lang: what the uploader shows an archivist on a Thai or English page.
func said(lang string, b *batch.Batch) *batchReport {
	out := &batchReport{Batch: b, Files: make([]*fileReport, len(b.Files))}
	for i, f := range b.Files {
		g := &fileReport{File: f, Label: t(lang, "upload_status_"+f.Status)}
		switch {
		case len(f.Messages) > 0:
			g.Reason = sayAll(lang, f.Messages)
		case f.Status == batch.Expired:
			g.Reason = t(lang, "upload_expired")
		case f.Error == batch.LostUpload:
			g.Reason = t(lang, "upload_lost")
		case f.Error != "":
			g.Reason = f.Error // a batch kept from before outcomes had messages
		}
		out.Files[i] = g
	}
	return out
}
