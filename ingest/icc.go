package ingest

import (
	"encoding/binary"
	"errors"
	"image"
	"math"
	"strings"
)

// iccProfile is what matters of an ICC profile for display: its colour space
// and, for matrix/TRC RGB profiles, the transform to XYZ.
type iccProfile struct {
	space  string // "RGB ", "CMYK", "GRAY"
	desc   string
	matrix [3][3]float64 // linear RGB → XYZ (D50), columns r, g, b
	curves [3]func(float64) float64
	hasMTR bool
}

func parseICC(b []byte) (*iccProfile, error) {
	if len(b) < 132 || string(b[36:40]) != "acsp" {
		return nil, errors.New("not an ICC profile")
	}
	be := binary.BigEndian
	p := &iccProfile{space: string(b[16:20])}
	n := int(be.Uint32(b[128:]))
	if n > 1000 || 132+12*n > len(b) {
		return nil, errors.New("ICC tag table is damaged")
	}
	tags := map[string][]byte{}
	for i := range n {
		e := b[132+12*i:]
		off, size := int(be.Uint32(e[4:])), int(be.Uint32(e[8:]))
		if off < 0 || size < 0 || off+size > len(b) {
			return nil, errors.New("ICC tag outside the profile")
		}
		tags[string(e[:4])] = b[off : off+size]
	}
	p.desc = iccText(tags["desc"])
	var ok [6]bool
	for i, t := range []string{"rXYZ", "gXYZ", "bXYZ"} {
		if d := tags[t]; len(d) >= 20 && string(d[:4]) == "XYZ " {
			for j := range 3 {
				p.matrix[j][i] = float64(int32(be.Uint32(d[8+4*j:]))) / 65536
			}
			ok[i] = true
		}
	}
	for i, t := range []string{"rTRC", "gTRC", "bTRC"} {
		if f, err := iccCurve(tags[t]); err == nil {
			p.curves[i] = f
			ok[3+i] = true
		}
	}
	p.hasMTR = ok == [6]bool{true, true, true, true, true, true}
	return p, nil
}

func iccText(d []byte) string {
	switch {
	case len(d) > 12 && string(d[:4]) == "desc":
		n := int(binary.BigEndian.Uint32(d[8:]))
		if 12+n <= len(d) {
			return strings.TrimRight(string(d[12:12+n]), "\x00")
		}
	case len(d) > 28 && string(d[:4]) == "mluc":
		off, n := int(binary.BigEndian.Uint32(d[24:])), int(binary.BigEndian.Uint32(d[20:]))
		if off+n <= len(d) {
			var s []rune
			for i := off; i+1 < off+n; i += 2 {
				s = append(s, rune(binary.BigEndian.Uint16(d[i:])))
			}
			return string(s)
		}
	}
	return ""
}

// iccCurve reads a curv or para tone curve as a function on [0,1].
func iccCurve(d []byte) (func(float64) float64, error) {
	be := binary.BigEndian
	if len(d) < 12 {
		return nil, errors.New("no curve")
	}
	switch string(d[:4]) {
	case "curv":
		n := int(be.Uint32(d[8:]))
		if n == 0 {
			return func(x float64) float64 { return x }, nil
		}
		if n == 1 {
			g := float64(be.Uint16(d[12:])) / 256
			return func(x float64) float64 { return math.Pow(x, g) }, nil
		}
		if len(d) < 12+2*n {
			return nil, errors.New("short curve")
		}
		tab := make([]float64, n)
		for i := range tab {
			tab[i] = float64(be.Uint16(d[12+2*i:])) / 65535
		}
		return func(x float64) float64 {
			f := x * float64(n-1)
			i := min(int(f), n-2)
			return tab[i] + (tab[i+1]-tab[i])*(f-float64(i))
		}, nil
	case "para":
		fn := int(be.Uint16(d[8:]))
		counts := []int{1, 3, 4, 5, 7}
		if fn >= len(counts) || len(d) < 12+4*counts[fn] {
			return nil, errors.New("bad parametric curve")
		}
		var v [7]float64
		for i := range counts[fn] {
			v[i] = float64(int32(be.Uint32(d[12+4*i:]))) / 65536
		}
		g, a, b, c, dd, e, f := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
		return func(x float64) float64 {
			switch fn {
			case 0:
				return math.Pow(x, g)
			case 1:
				if x >= -b/a {
					return math.Pow(a*x+b, g)
				}
				return 0
			case 2:
				if x >= -b/a {
					return math.Pow(a*x+b, g) + c
				}
				return c
			case 3:
				if x >= dd {
					return math.Pow(a*x+b, g)
				}
				return c * x
			default:
				if x >= dd {
					return math.Pow(a*x+b, g) + e
				}
				return c*x + f
			}
		}, nil
	}
	return nil, errors.New("unknown curve type")
}

// sRGB's own matrix (D50-adapted, as ICC profiles state it).
var srgbD50 = [3][3]float64{
	{0.4360747, 0.3850649, 0.1430804},
	{0.2225045, 0.7168786, 0.0606169},
	{0.0139322, 0.0971045, 0.7141733},
}

// isSRGB reports whether the profile is sRGB (or close enough that
// converting would change nothing visible).
func (p *iccProfile) isSRGB() bool {
	if strings.Contains(strings.ToLower(p.desc), "srgb") {
		return true
	}
	if !p.hasMTR {
		return false
	}
	for i := range 3 {
		for j := range 3 {
			if math.Abs(p.matrix[i][j]-srgbD50[i][j]) > 0.003 {
				return false
			}
		}
	}
	return math.Abs(p.curves[0](0.5)-srgbDecode(0.5)) < 0.01
}

func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func srgbEncode(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

func invert3(m [3][3]float64) [3][3]float64 {
	a, b, c := m[0][0], m[0][1], m[0][2]
	d, e, f := m[1][0], m[1][1], m[1][2]
	g, h, i := m[2][0], m[2][1], m[2][2]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return [3][3]float64{
		{(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det},
		{(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det},
		{(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det},
	}
}

// toSRGB converts an 8-bit RGBA image in place from the profile's colour
// space to sRGB, through XYZ: the matrix/TRC model of ICC.1 §F.3.
func (p *iccProfile) toSRGB(img *image.RGBA) error {
	if !p.hasMTR {
		return refuse("icc_unsupported", p.desc)
	}
	inv := invert3(srgbD50)
	var m [3][3]float64 // source linear RGB → sRGB linear
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				m[i][j] += inv[i][k] * p.matrix[k][j]
			}
		}
	}
	var lin [3][256]float64
	for c := range 3 {
		for v := range 256 {
			lin[c][v] = p.curves[c](float64(v) / 255)
		}
	}
	var enc [4097]uint8
	for i := range enc {
		enc[i] = uint8(math.Round(255 * srgbEncode(float64(i)/4096)))
	}
	pix := img.Pix
	for i := 0; i+3 < len(pix); i += 4 {
		r, g, b := lin[0][pix[i]], lin[1][pix[i+1]], lin[2][pix[i+2]]
		for c := range 3 {
			v := m[c][0]*r + m[c][1]*g + m[c][2]*b
			pix[i+c] = enc[int(math.Round(4096*min(max(v, 0), 1)))]
		}
	}
	return nil
}
