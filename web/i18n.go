package web

import (
	_ "embed"
	"fmt"
	"strings"
)

// catalog holds the interface's words in Thai and English, one key a line:
// key, Thai, English, separated by tabs (lines starting with # are notes
// for translators). Every label of every page comes from there.
//
//go:embed messages.tsv
var catalog string

// messages are the catalog's words by key: {th, en}.
var messages = parseCatalog(catalog)

// parseCatalog reads the catalog; the words are part of the program, so a
// malformed line stops it at start (and TestCatalogReads names the line).
func parseCatalog(s string) map[string][2]string {
	m := map[string][2]string{}
	for i, line := range strings.Split(s, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" {
			panic(fmt.Sprintf("messages.tsv line %d: want key, Thai and English separated by tabs", i+1))
		}
		if _, dup := m[f[0]]; dup {
			panic(fmt.Sprintf("messages.tsv line %d: %s is there twice", i+1, f[0]))
		}
		m[f[0]] = [2]string{f[1], f[2]}
	}
	return m
}

// eventWords name the events of the trail and their outcomes; a kind not
// here is shown as it is recorded.
var eventWords = map[string][2]string{
	"creation": {"สร้าง", "creation"}, "modification": {"แก้ไข", "modification"}, "deletion": {"ถอนออก", "withdrawal"},
	"deaccession": {"ถอนจากคลัง", "deaccession"}, "ingestion": {"นำเข้า", "ingestion"}, "fixity check": {"ตรวจความถูกต้องของไฟล์", "fixity check"},
	"derivation": {"สร้างไฟล์สำหรับเผยแพร่", "derivation"}, "access change": {"เปลี่ยนการเข้าถึง", "access change"}, "purge": {"ลบไฟล์ต้นฉบับ", "purge"},
	"success": {"สำเร็จ", "success"}, "failure": {"ไม่สำเร็จ", "failure"}, "warning": {"คำเตือน", "warning"},
	"fonds": {"กลุ่มเอกสาร (fonds)", "fonds"}, "series": {"ชุดเอกสาร (series)", "series"}, "subseries": {"ชุดย่อย (subseries)", "subseries"},
	"file": {"แฟ้ม (file)", "file"}, "curated": {"ชุดเอกสารร่วม (curated)", "curated, across libraries"},
	"subfonds": {"กลุ่มเอกสารย่อย (sub-fonds)", "sub-fonds"}, "item": {"ชิ้นเอกสาร (item)", "item"},
}

// word names a recorded kind (an event, an outcome, a collection level)
// in lang, or gives it as it is.
func word(lang, kind string) string {
	if w, ok := eventWords[kind]; ok {
		if lang == "th" {
			return w[0]
		}
		return w[1]
	}
	return kind
}

// t returns a message in lang.
func t(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "th" {
		return m[0]
	}
	return m[1]
}
