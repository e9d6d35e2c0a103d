package web

import (
	"net/url"
	"strings"
)

// rightsLabels names the RightsStatements.org statements and Creative
// Commons licences in Thai and English, by the last part of their address.
var rightsLabels = map[string][2]string{
	"InC":       {"มีลิขสิทธิ์", "In Copyright"},
	"InC-OW-EU": {"มีลิขสิทธิ์ – งานกำพร้าในสหภาพยุโรป", "In Copyright – EU Orphan Work"},
	"InC-EDU":   {"มีลิขสิทธิ์ – ใช้เพื่อการศึกษาได้", "In Copyright – Educational Use Permitted"},
	"InC-NC":    {"มีลิขสิทธิ์ – ใช้โดยไม่แสวงหากำไรได้", "In Copyright – Non-Commercial Use Permitted"},
	"InC-RUU":   {"มีลิขสิทธิ์ – ไม่ทราบผู้ถือสิทธิ์", "In Copyright – Rights-holder(s) Unlocatable or Unidentifiable"},
	"NoC-CR":    {"ไม่มีลิขสิทธิ์ – มีข้อจำกัดตามสัญญา", "No Copyright – Contractual Restrictions"},
	"NoC-NC":    {"ไม่มีลิขสิทธิ์ – ใช้โดยไม่แสวงหากำไรเท่านั้น", "No Copyright – Non-Commercial Use Only"},
	"NoC-OKLR":  {"ไม่มีลิขสิทธิ์ – มีข้อจำกัดทางกฎหมายอื่น", "No Copyright – Other Known Legal Restrictions"},
	"NoC-US":    {"ไม่มีลิขสิทธิ์ – ในสหรัฐอเมริกา", "No Copyright – United States"},
	"CNE":       {"ยังไม่ได้ประเมินลิขสิทธิ์", "Copyright Not Evaluated"},
	"UND":       {"สถานะลิขสิทธิ์ไม่ชัดเจน", "Copyright Undetermined"},
	"NKC":       {"ไม่พบลิขสิทธิ์ที่ทราบ", "No Known Copyright"},
	"by":        {"ครีเอทีฟคอมมอนส์ แสดงที่มา", "Creative Commons Attribution"},
	"by-sa":     {"ครีเอทีฟคอมมอนส์ แสดงที่มา–อนุญาตแบบเดียวกัน", "Creative Commons Attribution-ShareAlike"},
	"by-nd":     {"ครีเอทีฟคอมมอนส์ แสดงที่มา–ห้ามแก้ไข", "Creative Commons Attribution-NoDerivatives"},
	"by-nc":     {"ครีเอทีฟคอมมอนส์ แสดงที่มา–ไม่ใช้เพื่อการค้า", "Creative Commons Attribution-NonCommercial"},
	"by-nc-sa":  {"ครีเอทีฟคอมมอนส์ แสดงที่มา–ไม่ใช้เพื่อการค้า–อนุญาตแบบเดียวกัน", "Creative Commons Attribution-NonCommercial-ShareAlike"},
	"by-nc-nd":  {"ครีเอทีฟคอมมอนส์ แสดงที่มา–ไม่ใช้เพื่อการค้า–ห้ามแก้ไข", "Creative Commons Attribution-NonCommercial-NoDerivatives"},
	"zero":      {"สละสิทธิ์สู่สาธารณสมบัติ (CC0)", "CC0 Public Domain Dedication"},
	"mark":      {"สาธารณสมบัติ", "Public Domain Mark"},
}

// rightsLabel names a rights statement or licence address in lang, or ""
// when it is not one the archive knows.
func rightsLabel(lang, u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(p.Path, "/"), "/")
	// /vocab/InC/1.0/, /licenses/by-sa/4.0/, /publicdomain/zero/1.0/
	if len(parts) < 2 {
		return ""
	}
	l, ok := rightsLabels[parts[1]]
	if !ok {
		return ""
	}
	if len(parts) > 2 && p.Host == "creativecommons.org" && parts[0] == "licenses" {
		return pick(lang, l) + " " + parts[2]
	}
	return pick(lang, l)
}

func pick(lang string, l [2]string) string {
	if lang == "th" {
		return l[0]
	}
	return l[1]
}
