package web

import "regexp"

// eventDetails say in Thai the phrases the archive writes into the details
// of its events (ingestion, derivation, fixity, repair, OCR, description,
// access, withdrawal, moves). A detail is often several phrases joined (an
// origin, then files; pages joined by "; "), so every phrase is rewritten
// wherever it occurs, in this order; a name, a digest or an error passed
// through is kept as it is, as is any detail a person typed (a reason).
var eventDetails = []struct {
	re *regexp.Regexp
	th string
}{
	// Versions, restores and edits at the desk.
	{regexp.MustCompile(`\bmetadata version (\d+)`), "ข้อมูลฉบับที่ $1"},
	{regexp.MustCompile(`\bcollection version (\d+)`), "ข้อมูลชุดเอกสารฉบับที่ $1"},
	{regexp.MustCompile(`^description of version (\d+) restored$`), "นำคำอธิบายของฉบับที่ $1 กลับมาใช้"},
	{regexp.MustCompile(`^batch edit at the desk: (\S+) set to (.*)$`), "แก้ไขหลายรายการพร้อมกันที่โต๊ะทำงาน: ตั้ง $1 เป็น $2"},
	{regexp.MustCompile(`^moved from (.+?) to (.+?), position (\d+)$`), "ย้ายจาก $1 ไปยัง $2 ลำดับที่ $3"},
	{regexp.MustCompile(`\(top level\)`), "(ระดับบนสุด)"},
	// Access and withdrawal.
	{regexp.MustCompile(`^embargo until (.+) ended$`), "สิ้นสุดการงดเผยแพร่ถึงวันที่ $1"},
	{regexp.MustCompile(`^(\d+) blobs of the withdrawn item removed$`), "ลบไฟล์ของรายการที่ถอนออกแล้ว $1 ไฟล์"},
	{regexp.MustCompile(`, embargoed until (\S+)`), " งดเผยแพร่ถึง $1"},
	{regexp.MustCompile(`\bembargo until (\S+)`), "งดเผยแพร่ถึง $1"},
	{regexp.MustCompile(`^access tightened from (.+) to (.+), as asked by (.*)$`), "จำกัดการเข้าถึงจาก $1 เป็น $2 ตามที่ $3 ขอ"},
	// Access requests and grants (desk.Requests).
	{regexp.MustCompile(`^request (\S+): item (\S+) until (\S+)$`), "คำขอ $1: รายการ $2 ถึงวันที่ $3"},
	{regexp.MustCompile(`^request (\S+): collection (\S+) until (\S+)$`), "คำขอ $1: ชุดเอกสารหรือหน่วย $2 ถึงวันที่ $3"},
	{regexp.MustCompile(`^request (\S+)$`), "คำขอ $1"},
	{regexp.MustCompile(`^read through a grant by user (\S+)$`), "เปิดดูด้วยสิทธิ์ที่ได้รับ โดยผู้ใช้ $1"},
	// Where an ingest came from.
	{regexp.MustCompile(`web upload, batch ([^\s,:]+) by ([^\s,:]+)`), "อัปโหลดทางเว็บ ชุด $1 โดย $2"},
	{regexp.MustCompile(`\bsheet (.+?), row (\d+)`), "แผ่นงาน $1 แถวที่ $2"},
	{regexp.MustCompile(`(^|ตามที่ )folder `), "${1}โฟลเดอร์ "},
	{regexp.MustCompile(`(^|ตามที่ )bag `), "${1}ถุงข้อมูล (bag) "},
	{regexp.MustCompile(`(^|ตามที่ )demo: `), "${1}ตัวอย่าง: "},
	{regexp.MustCompile(`the ingest of `), "การนำเข้า "},
	{regexp.MustCompile(`^described by row (\d+): `), "บรรยายจากแถวที่ $1: "},
	{regexp.MustCompile(`^described by (.+?): `), "บรรยายจาก $1: "},
	// Ingestion: its files, and what was noted of them.
	{regexp.MustCompile(` \(named ("(?:[^"\\]|\\.)*")\)`), " (ชื่อเดิม $1)"},
	{regexp.MustCompile(` \(([^,()\s]+), (\d+) bytes(\)|: )`), " ($1, $2 ไบต์$3"},
	{regexp.MustCompile(`(\S+) is (.+?), not (.+?) as its name says; ingested as (.+?), by its content`), "$1 เป็น $2 ไม่ใช่ $3 ตามที่ชื่อบอก จึงนำเข้าเป็น $4 ตามเนื้อหา"},
	{regexp.MustCompile(`(\S+) is (.+?), not (.+?); kept as (.+?), as asked`), "$1 เป็น $2 ไม่ใช่ $3 เก็บเป็น $4 ตามที่ขอ"},
	{regexp.MustCompile(`^verified while streaming: `), "ตรวจค่าตรวจสอบระหว่างรับไฟล์: "},
	{regexp.MustCompile(` as supplied\b`), " ตามที่ส่งมา"},
	// Derivatives: image pyramids, PDF text, browser copies.
	{regexp.MustCompile(` page (\d+): pyramid of (\d+) levels from (\d+)x(\d+), thumbnail`), " หน้า $1: ภาพหลายระดับ $2 ระดับจากขนาด ${3}x${4} และภาพย่อ"},
	{regexp.MustCompile(`: no text layer read \(pdftotext, Debian poppler-utils, is not installed\)`), ": ไม่ได้อ่านชั้นข้อความ (ไม่ได้ติดตั้ง pdftotext จาก poppler-utils ของ Debian)"},
	{regexp.MustCompile(`: its text layer cannot be read: `), ": อ่านชั้นข้อความไม่ได้: "},
	{regexp.MustCompile(`: the text layer of (\d+) of (\d+) pages kept for search`), ": เก็บชั้นข้อความ $1 จาก $2 หน้าไว้สำหรับค้นหา"},
	{regexp.MustCompile(`browser copy \((.+?) in MP4, index first, ([\d.]+) s\) made in (\S+)`), "ทำสำเนาสำหรับเบราว์เซอร์แล้ว ($1 ใน MP4 ดัชนีอยู่ต้นไฟล์ ยาว $2 วินาที) ใช้เวลา $3"},
	{regexp.MustCompile(`\b(H\.264 \d+x\d+) and AAC\b`), "$1 และ AAC"},
	{regexp.MustCompile(`browsers play the master as it is \(([^)]*)\): no copy made`), "เบราว์เซอร์เล่นไฟล์ต้นฉบับได้ตามที่เป็น ($1): ไม่ได้ทำสำเนา"},
	{regexp.MustCompile(`\bwaveform thumbnail\b`), "ภาพย่อรูปคลื่นเสียง"},
	{regexp.MustCompile(`^file (\d+): browser copy not made \(attempt (\d+), tried again later\): `), "ไฟล์ที่ $1: ยังทำสำเนาสำหรับเบราว์เซอร์ไม่ได้ (ครั้งที่ $2 จะลองใหม่ภายหลัง): "},
	// Reading the text of pages.
	{regexp.MustCompile(`^text of (\d+) pages read \((.*)\)$`), "อ่านข้อความ $1 หน้า ($2)"},
	{regexp.MustCompile(`\btesseract ([a-z]{3}(?:\+[a-z]{3})*)\b`), "tesseract ภาษา $1"},
	{regexp.MustCompile(`the PDF's text layer`), "ชั้นข้อความของ PDF"},
	{regexp.MustCompile(`^text of the pages not read \(tried again later\): `), "ยังอ่านข้อความของหน้าไม่ได้ (จะลองใหม่ภายหลัง): "},
	{regexp.MustCompile(`^text of the pages not read: `), "อ่านข้อความของหน้าไม่ได้: "},
	// Fixity checks and repairs.
	{regexp.MustCompile(`^(\d+) blobs re-read \((\d+) bytes\), sha256 as registered`), "อ่านไฟล์ซ้ำ $1 ไฟล์ ($2 ไบต์) sha256 ตรงกับที่ลงทะเบียนไว้"},
	{regexp.MustCompile(`; no digest was registered for (.+), so they were only read$`), "; ไม่มีค่าตรวจสอบที่ลงทะเบียนไว้สำหรับ $1 จึงอ่านอย่างเดียว"},
	{regexp.MustCompile(`: not in storage\b`), ": ไม่มีในที่เก็บ"},
	{regexp.MustCompile(`stored copy has sha256 (\S+) and (\d+) bytes, registered (\S+)`), "สำเนาที่เก็บมี sha256 $1 ขนาด $2 ไบต์ แต่ที่ลงทะเบียนไว้คือ $3"},
	{regexp.MustCompile(` \((\S+) of (\S+)\) was (\S+); restored from (.+?), sha256 (\S+) checked`), " ($1 ของ $2) อยู่ในสภาพ $3 กู้คืนจาก $4 แล้ว ตรวจ sha256 $5 ตรงกัน"},
	{regexp.MustCompile(` \((\S+) of (\S+)\) was (\S+); not restored from (.+?): `), " ($1 ของ $2) อยู่ในสภาพ $3 กู้คืนจาก $4 ไม่ได้: "},
}

// detail says an event's detail in lang.
func detail(lang, d string) string {
	if lang != "th" {
		return d
	}
	for _, e := range eventDetails {
		d = e.re.ReplaceAllString(d, e.th)
	}
	return d
}
