package pyramid

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"runtime"
	"sync"
)

// RepackOptions tune Repack.
type RepackOptions struct {
	Quality int // of the exact-size edge tiles, default 85
	Workers int // edge tiles cropped at once, default GOMAXPROCS
	// Crop, when set, makes the exact-size JPEG of an edge tile from the
	// full tile's complete JPEG (w × h from its top left); by default the
	// tile is decoded and encoded again in Go.
	Crop func(tile []byte, w, h int) ([]byte, error)
}

// Levels returns the sizes of the pyramid of a w × h image with tiles of
// ts: each level half the last, rounding up, until one fits in a tile.
func Levels(w, h, ts int) []image.Point {
	out := []image.Point{{w, h}}
	for w > ts || h > ts {
		w, h = (w+1)/2, (h+1)/2
		out = append(out, image.Pt(w, h))
	}
	return out
}

// PaddedSize is the size to which a w × h image is extended (repeating its
// last column and row) so that a pyramid writer that rounds level sizes
// down, as libvips does, makes levels covering this package's, which round
// up: a multiple of 2^(levels-1) in both directions.
func PaddedSize(w, h, ts int) (int, int) {
	n := len(Levels(w, h, ts)) - 1
	s := 1 << n
	return (w + s - 1) / s * s, (h + s - 1) / s * s
}

// Repack rewrites a tiled pyramidal TIFF with JPEG tiles (as libvips'
// tiffsave --tile --pyramid --compression jpeg writes it from an image
// padded to PaddedSize) as this package's access copy of a w × h image:
// levels of Levels(w, h), the index first, every tile a complete JPEG, and
// exact-size JPEGs of the edge tiles. Tiles are copied, not decoded, except
// the edge tiles, which are cropped. It returns the levels written.
func Repack(ctx context.Context, dst io.Writer, src io.ReaderAt, w, h int, opt RepackOptions) ([]image.Point, error) {
	if opt.Quality <= 0 {
		opt.Quality = 85
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Crop == nil {
		q := opt.Quality
		opt.Crop = func(tile []byte, w, h int) ([]byte, error) { return cropJPEG(tile, w, h, q) }
	}
	ifds, err := ReadIFDs(src)
	if err != nil {
		return nil, err
	}
	if len(ifds) == 0 || ifds[0].TileW <= 0 || ifds[0].TileW != ifds[0].TileH {
		return nil, fmt.Errorf("%w: not square tiles", ErrFormat)
	}
	ts := ifds[0].TileW
	sizes := Levels(w, h, ts)
	if len(ifds) < len(sizes) {
		return nil, fmt.Errorf("%w: %d levels, want %d", ErrFormat, len(ifds), len(sizes))
	}
	levels := make([]*repackLevel, len(sizes))
	for i, sz := range sizes {
		in := ifds[i]
		if in.TileW != ts || in.TileH != ts || in.Compression != 7 || in.BitsPerSample != 8 ||
			in.Width < sz.X || in.Height < sz.Y || (in.SamplesPerPixel != 1 && in.SamplesPerPixel != 3) {
			return nil, fmt.Errorf("%w: level %d is %dx%d of %d-bit %d-channel tiles (compression %d), want at least %dx%d JPEG",
				ErrFormat, i, in.Width, in.Height, in.BitsPerSample, in.SamplesPerPixel, in.Compression, sz.X, sz.Y)
		}
		levels[i] = &repackLevel{in: in, level: level{w: sz.X, h: sz.Y, cols: (sz.X + ts - 1) / ts, rows: (sz.Y + ts - 1) / ts}}
	}
	if err := cropEdges(ctx, src, levels, ts, opt); err != nil {
		return nil, err
	}
	if err := writeRepacked(dst, src, levels, ts, opt); err != nil {
		return nil, err
	}
	return sizes, nil
}

// repackLevel is one level: where its tiles are in the source, and the
// exact edge tiles made for it.
type repackLevel struct {
	in *IFD
	level
}

// srcTile is the index of tile (col, row) of our grid in the source's grid,
// which may have more columns.
func (l *repackLevel) srcTile(i int) int {
	return i/l.cols*l.in.Cols() + i%l.cols
}

// tableLen is how many bytes the IFD's shared JPEG tables add to a tile.
func (l *repackLevel) tableLen() int {
	if len(l.in.JPEGTables) > 4 {
		return len(l.in.JPEGTables) - 4 // less the tables' EOI and the tile's SOI
	}
	return 0
}

// readTile reads tile i of our grid from the source as a complete JPEG.
func (l *repackLevel) readTile(src io.ReaderAt, i int) ([]byte, error) {
	j := l.srcTile(i)
	n := l.in.Counts[j]
	if n > 64<<20 {
		return nil, fmt.Errorf("%w: tile of %d bytes", ErrFormat, n)
	}
	data := make([]byte, n)
	if _, err := src.ReadAt(data, int64(l.in.Offsets[j])); err != nil {
		return nil, fmt.Errorf("reading tile %d: %w", j, err)
	}
	return joinTables(l.in.JPEGTables, data), nil
}

// joinTables makes a complete JPEG of an abbreviated tile stream and the
// tables its TIFF shares among tiles: SOI, tables…, tile… EOI.
func joinTables(tables, data []byte) []byte {
	if len(tables) <= 4 || len(data) < 2 {
		return data
	}
	joined := make([]byte, 0, len(tables)-4+len(data))
	joined = append(joined, tables[:len(tables)-2]...)
	return append(joined, data[2:]...)
}

// cropEdges makes the exact-size JPEG of every tile that the image's edge
// cuts, several at a time.
func cropEdges(ctx context.Context, src io.ReaderAt, levels []*repackLevel, ts int, opt RepackOptions) error {
	type job struct {
		l *repackLevel
		i int
	}
	jobs := make(chan job)
	errs := make(chan error, opt.Workers)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				x, y := j.i%j.l.cols*ts, j.i/j.l.cols*ts
				tile, err := j.l.readTile(src, j.i)
				if err == nil {
					j.l.exact[j.i], err = opt.Crop(tile, min(ts, j.l.w-x), min(ts, j.l.h-y))
				}
				if err != nil {
					select {
					case errs <- fmt.Errorf("edge tile %d,%d: %w", x, y, err):
					default:
					}
				}
			}
		}()
	}
	for _, l := range levels {
		n := l.cols * l.rows
		l.exact = make([][]byte, n)
		for i := range n {
			col, row := i%l.cols, i/l.cols
			if ((col+1)*ts > l.w || (row+1)*ts > l.h) && ctx.Err() == nil && len(errs) == 0 {
				jobs <- job{l, i}
			}
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return ctx.Err()
}

func cropJPEG(tile []byte, w, h, q int) ([]byte, error) {
	img, err := jpeg.Decode(bytes.NewReader(tile))
	if err != nil {
		return nil, err
	}
	sub, ok := img.(subImager)
	if !ok {
		return nil, fmt.Errorf("tile decoded as %T", img)
	}
	var buf bytes.Buffer
	err = jpeg.Encode(&buf, sub.SubImage(image.Rect(0, 0, w, h).Add(img.Bounds().Min)), &jpeg.Options{Quality: q})
	return buf.Bytes(), err
}

// writeRepacked writes the header, every IFD, then each level's tiles
// (copied from the source with their tables joined) and its edge tiles.
func writeRepacked(w io.Writer, src io.ReaderAt, levels []*repackLevel, ts int, opt RepackOptions) error {
	popt := Options{TileSize: ts}
	gray := levels[0].in.SamplesPerPixel == 1
	ifds := make([][]entry, len(levels))
	ifdSize := make([]int, len(levels))
	for i, l := range levels {
		l.tiles = make([][]byte, l.cols*l.rows) // lengths only matter for the layout below
		ifds[i] = ifdEntries(&l.level, i, popt, gray, nil, nil, nil, nil)
		ifdSize[i] = sizeIFD(ifds[i])
	}
	pos := uint64(8)
	for _, s := range ifdSize {
		pos += uint64(s)
	}
	for i, l := range levels {
		n := l.cols * l.rows
		to, tc, eo, ec := make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n)
		for j := range n {
			size := uint64(l.in.Counts[l.srcTile(j)]) + uint64(l.tableLen())
			to[j], tc[j] = uint32(pos), uint32(size)
			eo[j], ec[j] = to[j], tc[j]
			pos += size
		}
		for j, t := range l.exact {
			if t != nil {
				eo[j], ec[j] = uint32(pos), uint32(len(t))
				pos += uint64(len(t))
			}
		}
		if pos > 1<<32-1 {
			return ErrTooLarge
		}
		ifds[i] = ifdEntries(&l.level, i, popt, gray, to, tc, eo, ec)
	}
	bw := &errWriter{w: w}
	writeIFDs(bw, ifds, ifdSize)
	for _, l := range levels {
		tables := l.in.JPEGTables
		for j := range l.cols * l.rows {
			k := l.srcTile(j)
			data := make([]byte, l.in.Counts[k])
			if _, err := src.ReadAt(data, int64(l.in.Offsets[k])); err != nil {
				return fmt.Errorf("reading tile %d: %w", k, err)
			}
			if l.tableLen() > 0 {
				bw.write(tables[:len(tables)-2])
				data = data[2:]
			}
			bw.write(data)
		}
		for _, t := range l.exact {
			if t != nil {
				bw.write(t)
			}
		}
	}
	return bw.err
}
