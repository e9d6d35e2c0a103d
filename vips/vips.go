// Package vips is the archive's one door to C: a small binding of libvips
// (Debian's libvips-dev), which reads every still-image format archives
// hold — JPEG (also CMYK and YCCK), TIFF and BigTIFF, PNG, GIF, WebP,
// JPEG 2000 through OpenJPEG, HEIF, BMP through ImageMagick, PDF through
// poppler — converts colour with LittleCMS and writes tiled JPEG pyramids
// with libjpeg-turbo, streaming, in bounded memory.
//
// libvips is started once, on first use, with its operation cache off (each
// master is read once). Every libvips failure becomes a Go error carrying
// libvips' own message; every C object is freed before a call returns,
// except an *Image, which its Close frees.
package vips

/*
#cgo pkg-config: vips
#cgo CFLAGS: -O3
#cgo LDFLAGS: -lm
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Error is a failure libvips reported, in its words.
type Error struct {
	Op      string // what was asked: "load", "convert", "save", …
	Message string // libvips' error buffer, trimmed
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "libvips " + e.Op + " failed"
	}
	return "libvips " + e.Op + ": " + e.Message
}

// ErrUnavailable: libvips could not be started.
var ErrUnavailable = errors.New("libvips could not be started")

// libvips is started once per process. (Its error buffer is shared by the
// process too: two calls failing at the same instant may each carry both
// messages, which is acceptable for a sentence shown to an archivist.)
var (
	startOnce sync.Once
	startErr  error
)

// start initialises libvips once: as many worker threads per pipeline as
// Go may use cores.
func start() error {
	startOnce.Do(func() {
		if C.archive_vips_init(C.int(runtime.GOMAXPROCS(0))) != 0 {
			startErr = fmt.Errorf("%w: %s", ErrUnavailable, lastError())
		}
	})
	return startErr
}

// Version is the libvips version in use, such as "8.14.1".
func Version() string {
	if start() != nil {
		return ""
	}
	return C.GoString(C.vips_version_string())
}

func lastError() string {
	s := C.archive_vips_error()
	defer C.free(unsafe.Pointer(s))
	msg := strings.TrimSpace(C.GoString(s))
	// Keep the first lines: later ones repeat the cause for each
	// operation of the pipeline it passed through.
	if lines := strings.Split(msg, "\n"); len(lines) > 3 {
		msg = strings.Join(lines[:3], "\n")
	}
	return msg
}

// fail makes the Error for a C call that just returned failure.
func fail(op string) error {
	return &Error{Op: op, Message: lastError()}
}
