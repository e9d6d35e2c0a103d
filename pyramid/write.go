// Package pyramid reads and writes the archive's image access copies: one
// standard tiled, pyramidal TIFF per image (JPEG-compressed tiles, each
// reduced level a further IFD, as libvips' tiffsave --pyramid makes them), so
// that libvips, IIPImage and other servers can open it too.
//
// Two things make it fast to serve. All IFDs and tile tables come first, so
// the index is read with one ranged request. And for tiles on the right and
// bottom edges, which TIFF pads to the full tile size, an exact-size JPEG is
// also stored and listed in two private tags, so every tile of the IIIF grid
// is answered with the stored bytes, never decoded.
package pyramid

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"runtime"
	"sync"
)

// TIFF tags used here.
const (
	tagNewSubfileType   = 254
	tagImageWidth       = 256
	tagImageLength      = 257
	tagBitsPerSample    = 258
	tagCompression      = 259
	tagPhotometric      = 262
	tagSamplesPerPixel  = 277
	tagPlanarConfig     = 284
	tagTileWidth        = 322
	tagTileLength       = 323
	tagTileOffsets      = 324
	tagTileByteCounts   = 325
	tagJPEGTables       = 347
	tagStripOffsets     = 273
	tagOrientation      = 274
	tagRowsPerStrip     = 278
	tagStripByteCounts  = 279
	tagICC              = 34675
	tagYCbCrSubSampling = 530
	// Private tags (registered range 65000+ is free for private use):
	// offsets and sizes of exact-size JPEGs for every tile; for inner tiles
	// they point at the TIFF tile itself.
	tagExactOffsets = 65000
	tagExactCounts  = 65001
)

// Options tune the access copy.
type Options struct {
	TileSize int // default 256
	Quality  int // JPEG quality, default 85
	Workers  int // tiles encoded at once, default GOMAXPROCS
	// Level, when set, sees each level's image as it is made (for
	// thumbnails, which then need no resampling of the full image).
	Level func(image.Image)
}

func (o *Options) defaults() {
	if o.TileSize <= 0 {
		o.TileSize = 256
	}
	if o.Quality <= 0 {
		o.Quality = 85
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// level is one resolution being written.
type level struct {
	w, h, cols, rows int
	tiles            [][]byte // TIFF tiles (full size, padded)
	exact            [][]byte // exact-size JPEGs of edge tiles; nil for inner tiles
}

// Write encodes img (an *image.RGBA or *image.Gray, already oriented and in
// sRGB) as a pyramid to w, halving until the image fits one tile. It returns
// the widths and heights of the levels written, largest first.
func Write(ctx context.Context, w io.Writer, img image.Image, opt Options) ([]image.Point, error) {
	opt.defaults()
	var levels []*level
	cur := img
	for {
		lv, err := encodeLevel(ctx, cur, opt)
		if err != nil {
			return nil, err
		}
		levels = append(levels, lv)
		if opt.Level != nil {
			opt.Level(cur)
		}
		if lv.w <= opt.TileSize && lv.h <= opt.TileSize {
			break
		}
		cur = Half(cur)
	}
	if err := writeTIFF(w, levels, opt, isGray(img)); err != nil {
		return nil, err
	}
	sizes := make([]image.Point, len(levels))
	for i, lv := range levels {
		sizes[i] = image.Pt(lv.w, lv.h)
	}
	return sizes, nil
}

func isGray(img image.Image) bool {
	_, ok := img.(*image.Gray)
	return ok
}

type subImager interface {
	image.Image
	SubImage(image.Rectangle) image.Image
}

func encodeLevel(ctx context.Context, img image.Image, opt Options) (*level, error) {
	b := img.Bounds()
	ts := opt.TileSize
	lv := &level{w: b.Dx(), h: b.Dy(), cols: (b.Dx() + ts - 1) / ts, rows: (b.Dy() + ts - 1) / ts}
	n := lv.cols * lv.rows
	lv.tiles = make([][]byte, n)
	lv.exact = make([][]byte, n)
	src, ok := img.(subImager)
	if !ok {
		return nil, fmt.Errorf("pyramid: unsupported image type %T", img)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range jobs {
				x, y := i%lv.cols*ts, i/lv.cols*ts
				r := image.Rect(x, y, min(x+ts, lv.w), min(y+ts, lv.h)).Add(b.Min)
				sub := src.SubImage(r)
				enc := func(m image.Image) ([]byte, error) {
					buf.Reset()
					if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: opt.Quality}); err != nil {
						return nil, err
					}
					return bytes.Clone(buf.Bytes()), nil
				}
				var err error
				if r.Dx() == ts && r.Dy() == ts {
					lv.tiles[i], err = enc(sub)
				} else {
					if lv.exact[i], err = enc(sub); err == nil {
						lv.tiles[i], err = enc(pad(sub, ts))
					}
				}
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return lv, firstErr
}

// pad copies an edge tile into a full tile, repeating its last column and row
// (better for JPEG than black, and invisible: readers crop it away).
func pad(m image.Image, ts int) image.Image {
	b := m.Bounds()
	switch src := m.(type) {
	case *image.Gray:
		dst := image.NewGray(image.Rect(0, 0, ts, ts))
		for y := range ts {
			sy := b.Min.Y + min(y, b.Dy()-1)
			row := src.Pix[src.PixOffset(b.Min.X, sy):]
			copy(dst.Pix[y*dst.Stride:], row[:b.Dx()])
			for x := b.Dx(); x < ts; x++ {
				dst.Pix[y*dst.Stride+x] = row[b.Dx()-1]
			}
		}
		return dst
	case *image.RGBA:
		dst := image.NewRGBA(image.Rect(0, 0, ts, ts))
		for y := range ts {
			sy := b.Min.Y + min(y, b.Dy()-1)
			row := src.Pix[src.PixOffset(b.Min.X, sy):]
			copy(dst.Pix[y*dst.Stride:], row[:4*b.Dx()])
			last := row[4*(b.Dx()-1) : 4*b.Dx()]
			for x := b.Dx(); x < ts; x++ {
				copy(dst.Pix[y*dst.Stride+4*x:], last)
			}
		}
		return dst
	}
	panic(fmt.Sprintf("pyramid: pad of %T", m))
}

// Half returns img at half size (rounding up), each pixel the mean of the
// 2×2 block it covers: a box filter, exact for halving.
func Half(img image.Image) image.Image {
	b := img.Bounds()
	w, h := (b.Dx()+1)/2, (b.Dy()+1)/2
	switch src := img.(type) {
	case *image.Gray:
		dst := image.NewGray(image.Rect(0, 0, w, h))
		halve(src.Pix, src.Stride, src.PixOffset(b.Min.X, b.Min.Y), b.Dx(), b.Dy(), 1, dst.Pix, dst.Stride)
		return dst
	case *image.RGBA:
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		halve(src.Pix, src.Stride, src.PixOffset(b.Min.X, b.Min.Y), b.Dx(), b.Dy(), 4, dst.Pix, dst.Stride)
		return dst
	}
	panic(fmt.Sprintf("pyramid: half of %T", img))
}

// halve averages 2×2 blocks of n-byte pixels, rows in parallel.
func halve(src []byte, stride, start, sw, sh, n int, dst []byte, dstride int) {
	dw, dh := (sw+1)/2, (sh+1)/2
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := wk; y < dh; y += workers {
				r0 := src[start+2*y*stride:]
				r1 := r0
				if 2*y+1 < sh {
					r1 = src[start+(2*y+1)*stride:]
				}
				d := dst[y*dstride:]
				for x := range dw {
					x0, x1 := 2*x*n, (2*x+1)*n
					if 2*x+1 >= sw {
						x1 = x0
					}
					for c := range n {
						d[x*n+c] = uint8((uint(r0[x0+c]) + uint(r0[x1+c]) + uint(r1[x0+c]) + uint(r1[x1+c]) + 2) >> 2)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// ErrTooLarge: the copy would pass classic TIFF's 4 GiB limit.
var ErrTooLarge = errors.New("access copy larger than 4 GiB")

type entry struct {
	tag, typ uint16
	vals     []uint32 // SHORT or LONG values
}

const (
	typShort = 3
	typLong  = 4
)

func writeTIFF(w io.Writer, levels []*level, opt Options, gray bool) error {
	// First pass: sizes of the header and every IFD with its arrays.
	ifds := make([][]entry, len(levels))
	ifdSize := make([]int, len(levels))
	for i, lv := range levels {
		ifds[i] = ifdEntries(lv, i, opt, gray, nil, nil, nil, nil)
		ifdSize[i] = sizeIFD(ifds[i])
	}
	pos := uint64(8)
	for _, s := range ifdSize {
		pos += uint64(s)
	}
	// Tile data follows: TIFF tiles of a level, then its exact edge tiles.
	for i, lv := range levels {
		n := len(lv.tiles)
		to, tc, eo, ec := make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n)
		for j, t := range lv.tiles {
			to[j], tc[j] = uint32(pos), uint32(len(t))
			eo[j], ec[j] = to[j], tc[j]
			pos += uint64(len(t))
		}
		for j, t := range lv.exact {
			if t != nil {
				eo[j], ec[j] = uint32(pos), uint32(len(t))
				pos += uint64(len(t))
			}
		}
		if pos > 1<<32-1 {
			return ErrTooLarge
		}
		ifds[i] = ifdEntries(lv, i, opt, gray, to, tc, eo, ec)
	}
	bw := &errWriter{w: w}
	writeIFDs(bw, ifds, ifdSize)
	for _, lv := range levels {
		for _, t := range lv.tiles {
			bw.write(t)
		}
		for _, t := range lv.exact {
			if t != nil {
				bw.write(t)
			}
		}
	}
	return bw.err
}

func ifdEntries(lv *level, i int, opt Options, gray bool, to, tc, eo, ec []uint32) []entry {
	n := len(lv.tiles)
	fill := func(v []uint32) []uint32 {
		if v == nil {
			return make([]uint32, n)
		}
		return v
	}
	sub := uint32(0)
	if i > 0 {
		sub = 1 // reduced-resolution version of the first image
	}
	spp, photometric, bits := uint32(3), uint32(6), []uint32{8, 8, 8} // YCbCr, as JPEG stores it
	if gray {
		spp, photometric, bits = 1, 1, []uint32{8}
	}
	es := []entry{
		{tagNewSubfileType, typLong, []uint32{sub}},
		{tagImageWidth, typLong, []uint32{uint32(lv.w)}},
		{tagImageLength, typLong, []uint32{uint32(lv.h)}},
		{tagBitsPerSample, typShort, bits},
		{tagCompression, typShort, []uint32{7}},
		{tagPhotometric, typShort, []uint32{photometric}},
		{tagSamplesPerPixel, typShort, []uint32{spp}},
		{tagPlanarConfig, typShort, []uint32{1}},
		{tagTileWidth, typLong, []uint32{uint32(opt.TileSize)}},
		{tagTileLength, typLong, []uint32{uint32(opt.TileSize)}},
		{tagTileOffsets, typLong, fill(to)},
		{tagTileByteCounts, typLong, fill(tc)},
	}
	if !gray {
		es = append(es, entry{tagYCbCrSubSampling, typShort, []uint32{2, 2}})
	}
	return append(es, entry{tagExactOffsets, typLong, fill(eo)}, entry{tagExactCounts, typLong, fill(ec)})
}

func valueBytes(e entry) int {
	if e.typ == typShort {
		return 2 * len(e.vals)
	}
	return 4 * len(e.vals)
}

func sizeIFD(es []entry) int {
	s := 2 + 12*len(es) + 4
	for _, e := range es {
		if vb := valueBytes(e); vb > 4 {
			s += vb + vb%2 // word-aligned
		}
	}
	return s
}

// encodeIFD lays out one IFD at offset at, its out-of-line values after it.
// writeIFDs writes the TIFF header and the chain of IFDs that follows it
// (the index first, so a reader finds every tile's place at once).
func writeIFDs(bw *errWriter, ifds [][]entry, sizes []int) {
	bw.write([]byte{'I', 'I', 42, 0, 8, 0, 0, 0})
	at := uint32(8)
	for i := range ifds {
		next := uint32(0)
		if i+1 < len(ifds) {
			next = at + uint32(sizes[i])
		}
		bw.write(encodeIFD(ifds[i], at, next))
		at += uint32(sizes[i])
	}
}

func encodeIFD(es []entry, at, next uint32) []byte {
	le := binary.LittleEndian
	head := make([]byte, 2+12*len(es)+4)
	var extra []byte
	extraAt := at + uint32(len(head))
	le.PutUint16(head, uint16(len(es)))
	for i, e := range es {
		p := head[2+12*i:]
		le.PutUint16(p, e.tag)
		le.PutUint16(p[2:], e.typ)
		le.PutUint32(p[4:], uint32(len(e.vals)))
		var vb []byte
		for _, v := range e.vals {
			if e.typ == typShort {
				vb = le.AppendUint16(vb, uint16(v))
			} else {
				vb = le.AppendUint32(vb, v)
			}
		}
		if len(vb) <= 4 {
			copy(p[8:], vb)
		} else {
			le.PutUint32(p[8:], extraAt+uint32(len(extra)))
			extra = append(extra, vb...)
			if len(vb)%2 == 1 {
				extra = append(extra, 0)
			}
		}
	}
	le.PutUint32(head[2+12*len(es):], next)
	return append(head, extra...)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}
