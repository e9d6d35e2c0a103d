package pyramid

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
)

// ErrFormat: not a TIFF this package can read.
var ErrFormat = errors.New("not a readable tiled TIFF")

// IFD is one image directory of a TIFF file: a page, or a reduced level.
type IFD struct {
	Offset          int64
	Reduced         bool // NewSubfileType bit 0
	Width, Height   int
	TileW, TileH    int // 0 for a stripped image
	Compression     int
	Photometric     int
	SamplesPerPixel int
	BitsPerSample   int
	Offsets, Counts []uint64 // tiles
	Exact, ExactN   []uint64 // exact-size JPEG of each tile, when written by this package
	JPEGTables      []byte
	ICC             []byte // ICC profile (tag 34675)
	Orientation     int    // EXIF-style orientation (tag 274), 0 when absent
	Stripped        bool   // strips, presented as full-width tiles
	PlanarConfig    int    // 1 chunky (RGBRGB…), 2 planar
}

// Cols and Rows are the tile grid.
func (f *IFD) Cols() int { return (f.Width + f.TileW - 1) / f.TileW }

// Rows is the number of tile rows.
func (f *IFD) Rows() int { return (f.Height + f.TileH - 1) / f.TileH }

const maxIFDs = 4096
const maxArray = 1 << 24

// ReadIFDs reads every IFD of a classic TIFF through r.
func ReadIFDs(r io.ReaderAt) ([]*IFD, error) {
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, fmt.Errorf("reading TIFF header: %w", err)
	}
	var bo binary.ByteOrder
	switch string(hdr[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, ErrFormat
	}
	if bo.Uint16(hdr[2:]) != 42 {
		return nil, fmt.Errorf("%w: not classic TIFF (BigTIFF is not supported)", ErrFormat)
	}
	var out []*IFD
	seen := map[int64]bool{}
	for off := int64(bo.Uint32(hdr[4:])); off != 0; {
		if seen[off] || len(out) >= maxIFDs {
			return nil, fmt.Errorf("%w: IFD chain loops or is too long", ErrFormat)
		}
		seen[off] = true
		f, next, err := readIFD(r, bo, off)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		off = next
	}
	return out, nil
}

func readIFD(r io.ReaderAt, bo binary.ByteOrder, off int64) (*IFD, int64, error) {
	var nb [2]byte
	if _, err := r.ReadAt(nb[:], off); err != nil {
		return nil, 0, fmt.Errorf("%w: IFD at %d: %v", ErrFormat, off, err)
	}
	n := int(bo.Uint16(nb[:]))
	buf := make([]byte, 12*n+4)
	if _, err := r.ReadAt(buf, off+2); err != nil {
		return nil, 0, fmt.Errorf("%w: IFD at %d: %v", ErrFormat, off, err)
	}
	f := &IFD{Offset: off, SamplesPerPixel: 1, BitsPerSample: 1, Compression: 1, PlanarConfig: 1}
	var strips, stripCounts []uint64
	rowsPerStrip := 0
	for i := range n {
		e := buf[12*i:]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
		vals, raw, err := values(r, bo, typ, count, e[8:12])
		if err != nil {
			return nil, 0, fmt.Errorf("%w: tag %d: %v", ErrFormat, tag, err)
		}
		first := 0
		if len(vals) > 0 {
			first = int(vals[0])
		}
		switch tag {
		case tagNewSubfileType:
			f.Reduced = first&1 == 1
		case tagImageWidth:
			f.Width = first
		case tagImageLength:
			f.Height = first
		case tagBitsPerSample:
			f.BitsPerSample = first
		case tagCompression:
			f.Compression = first
		case tagPhotometric:
			f.Photometric = first
		case tagSamplesPerPixel:
			f.SamplesPerPixel = first
		case tagPlanarConfig:
			f.PlanarConfig = first
		case tagTileWidth:
			f.TileW = first
		case tagTileLength:
			f.TileH = first
		case tagTileOffsets:
			f.Offsets = vals
		case tagTileByteCounts:
			f.Counts = vals
		case tagExactOffsets:
			f.Exact = vals
		case tagExactCounts:
			f.ExactN = vals
		case tagJPEGTables:
			f.JPEGTables = raw
		case tagICC:
			f.ICC = raw
		case tagOrientation:
			f.Orientation = first
		case tagStripOffsets:
			strips = vals
		case tagStripByteCounts:
			stripCounts = vals
		case tagRowsPerStrip:
			rowsPerStrip = first
		}
	}
	if f.TileW == 0 && strips != nil && len(strips) == len(stripCounts) {
		if rowsPerStrip <= 0 || rowsPerStrip > f.Height {
			rowsPerStrip = f.Height
		}
		f.Stripped, f.TileW, f.TileH, f.Offsets, f.Counts = true, f.Width, rowsPerStrip, strips, stripCounts
	}
	if f.TileW > 0 && f.TileH > 0 && f.Width > 0 && f.Height > 0 {
		want := f.Cols() * f.Rows()
		if len(f.Offsets) != want || len(f.Counts) != want {
			return nil, 0, fmt.Errorf("%w: %d tile offsets for a %d×%d grid", ErrFormat, len(f.Offsets), f.Cols(), f.Rows())
		}
		if len(f.Exact) != want || len(f.ExactN) != want {
			f.Exact, f.ExactN = nil, nil
		}
	}
	return f, int64(bo.Uint32(buf[12*n:])), nil
}

// values reads a tag's values (integers) and, for BYTE/UNDEFINED, its raw bytes.
func values(r io.ReaderAt, bo binary.ByteOrder, typ uint16, count uint32, inline []byte) ([]uint64, []byte, error) {
	size := map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 16: 8}[typ]
	if size == 0 || count > maxArray {
		return nil, nil, nil // types we do not need (rationals, floats) are skipped
	}
	total := int(count) * size
	data := inline[:min(total, 4)]
	if total > 4 {
		data = make([]byte, total)
		if _, err := r.ReadAt(data, int64(bo.Uint32(inline))); err != nil {
			return nil, nil, err
		}
	}
	if typ == 1 || typ == 7 || typ == 2 || typ == 6 {
		return nil, data, nil
	}
	vals := make([]uint64, count)
	for i := range vals {
		switch size {
		case 2:
			vals[i] = uint64(bo.Uint16(data[2*i:]))
		case 4:
			vals[i] = uint64(bo.Uint32(data[4*i:]))
		case 8:
			vals[i] = bo.Uint64(data[8*i:])
		}
	}
	return vals, nil, nil
}

// Pyramid is the levels of a tiled JPEG TIFF, full resolution first.
type Pyramid struct {
	Levels []*IFD
}

// Read reads the pyramid of the first image in r: its first IFD and the
// reduced-resolution IFDs after it.
func Read(r io.ReaderAt) (*Pyramid, error) {
	ifds, err := ReadIFDs(r)
	if err != nil {
		return nil, err
	}
	p := &Pyramid{}
	for i, f := range ifds {
		if i > 0 && !f.Reduced {
			break // the next page of a multi-page file
		}
		if f.TileW == 0 || f.Stripped || f.Compression != 7 || f.BitsPerSample != 8 || (f.SamplesPerPixel != 1 && f.SamplesPerPixel != 3) {
			return nil, fmt.Errorf("%w: level %d is not 8-bit JPEG tiles", ErrFormat, i)
		}
		p.Levels = append(p.Levels, f)
	}
	if len(p.Levels) == 0 {
		return nil, ErrFormat
	}
	return p, nil
}

// Tile returns where tile (col, row) is stored; exact reports whether the
// bytes there are a JPEG of the tile's true size (otherwise it is padded to
// the full tile size, and only inner tiles are exact).
func (f *IFD) Tile(col, row int) (off, n int64, exact bool) {
	i := row*f.Cols() + col
	if f.Exact != nil {
		return int64(f.Exact[i]), int64(f.ExactN[i]), true
	}
	inner := (col+1)*f.TileW <= f.Width && (row+1)*f.TileH <= f.Height
	return int64(f.Offsets[i]), int64(f.Counts[i]), inner
}

// TileJPEG is a stored tile as a whole JPEG stream: the IFD's shared
// tables joined in when the tile leaves them out.
func (f *IFD) TileJPEG(data []byte) []byte {
	if len(f.JPEGTables) > 4 && len(data) > 2 {
		// tables: SOI … EOI; tile: SOI … EOI. Join as SOI tables… tile…
		joined := make([]byte, 0, len(f.JPEGTables)+len(data))
		joined = append(joined, f.JPEGTables[:len(f.JPEGTables)-2]...)
		joined = append(joined, data[2:]...)
		return joined
	}
	return data
}

// DecodeTile decodes the bytes of a stored tile (see TileJPEG).
func (f *IFD) DecodeTile(data []byte) (image.Image, error) {
	img, err := jpeg.Decode(bytes.NewReader(f.TileJPEG(data)))
	if err != nil {
		return nil, fmt.Errorf("decoding tile: %w", err)
	}
	return img, nil
}
