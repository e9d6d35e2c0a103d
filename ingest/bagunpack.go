package ingest

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// unpack extracts a .zip, .tar or .tar.gz into dst, refusing entries that
// would land outside it (zip-slip), links, and more than maxBytes in all.
func unpack(src, dst string, maxBytes int64) ([]Problem, error) {
	var problems []Problem
	var total int64
	place := func(name string) (string, bool) {
		clean := path.Clean(strings.ReplaceAll(name, "\\", "/"))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			problems = append(problems, problem(Message{Kind: "zip_slip", File: name}))
			return "", false
		}
		return filepath.Join(dst, filepath.FromSlash(clean)), true
	}
	write := func(name string, r io.Reader) error {
		p, ok := place(name)
		if !ok {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			problems = append(problems, problem(Message{Kind: "unpack_twice", File: name}))
			return nil
		}
		n, err := io.Copy(f, io.LimitReader(r, maxBytes-total+1))
		f.Close()
		total += n
		if err != nil {
			problems = append(problems, problem(Message{Kind: "unpack_damaged", Args: []string{err.Error()}, File: name}))
			return nil
		}
		if total > maxBytes {
			return fmt.Errorf("bag unpacks to more than %d bytes; refused", maxBytes)
		}
		return nil
	}
	lower := strings.ToLower(src)
	if strings.HasSuffix(lower, ".zip") {
		zr, err := zip.OpenReader(src)
		if err != nil {
			return nil, fmt.Errorf("bag %s is not a readable zip: %v", src, err)
		}
		defer zr.Close()
		if err := checkZipSizes(zr, maxBytes); err != nil {
			return nil, fmt.Errorf("bag %s: %w", src, err)
		}
		for _, f := range zr.File {
			if f.Mode()&os.ModeSymlink != 0 {
				problems = append(problems, problem(Message{Kind: "symlink_in_bag", File: f.Name}))
				continue
			}
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				problems = append(problems, problem(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: f.Name}))
				continue
			}
			err = write(f.Name, rc)
			rc.Close()
			if err != nil {
				return problems, err
			}
		}
		return problems, nil
	}
	if !strings.HasSuffix(lower, ".tar") && !strings.HasSuffix(lower, ".tar.gz") && !strings.HasSuffix(lower, ".tgz") {
		return nil, fmt.Errorf("bag %s is not a folder, .zip, .tar or .tar.gz", src)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if !strings.HasSuffix(lower, ".tar") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("bag %s is not a readable .tar.gz: %v", src, err)
		}
		r = gz
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return problems, nil
		}
		if err != nil {
			return problems, fmt.Errorf("bag %s is damaged: %v", src, err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
		case tar.TypeReg:
			if err := write(h.Name, tr); err != nil {
				return problems, err
			}
		default:
			problems = append(problems, problem(Message{Kind: "special_in_bag", File: h.Name}))
		}
	}
}

// checkZipSizes reads what a zipped bag declares before anything is
// unpacked: the sizes of its entries (a bomb declares more than the limit,
// or lies, which unpacking then catches) and, when its bag-info.txt has a
// Payload-Oxum, that the payload entries add up to it.
func checkZipSizes(zr *zip.ReadCloser, maxBytes int64) error {
	var total uint64
	var info *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if path.Base(f.Name) == "bag-info.txt" && (info == nil || len(f.Name) < len(info.Name)) {
			info = f
		}
	}
	if total > uint64(maxBytes) {
		return fmt.Errorf("it declares %d bytes unpacked, more than the %d allowed; refused before unpacking", total, maxBytes)
	}
	if info == nil || info.UncompressedSize64 > 1<<20 {
		return nil
	}
	rc, err := info.Open()
	if err != nil {
		return fmt.Errorf("bag-info.txt cannot be read: %v", err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("bag-info.txt cannot be read: %v", err)
	}
	oxum := parseTags(string(b))["Payload-Oxum"]
	if oxum == "" {
		return nil
	}
	data := path.Join(path.Dir(info.Name), "data") + "/"
	var octets uint64
	files := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, data) && !f.FileInfo().IsDir() {
			octets += f.UncompressedSize64
			files++
		}
	}
	if want := fmt.Sprintf("%d.%d", octets, files); oxum != want {
		return fmt.Errorf("Payload-Oxum is %s but the zip declares %s (bytes.files) under data/; refused before unpacking", oxum, want)
	}
	return nil
}
