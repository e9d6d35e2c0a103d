package web

// messages are the interface's words in Thai and English; every label of
// every page comes from here.
var messages = map[string][2]string{ // key: {th, en}
	"site":            {"คลังสารสนเทศร่วม", "Shared Archive"},
	"tagline":         {"จดหมายเหตุ ชุดพิเศษ และสื่อดิจิทัลของมหาวิทยาลัยเชียงใหม่ มหาวิทยาลัยธรรมศาสตร์ และจุฬาลงกรณ์มหาวิทยาลัย", "Archives, special collections and digital media of Chiang Mai, Thammasat and Chulalongkorn Universities"},
	"libraries":       {"ห้องสมุด", "Libraries"},
	"recent":          {"รายการเพิ่มล่าสุด", "Recent additions"},
	"shared":          {"ชุดเอกสารร่วม", "Shared collections"},
	"collections":     {"ชุดเอกสาร", "Collections"},
	"items":           {"รายการ", "Items"},
	"search":          {"ค้นหา", "Search"},
	"search_label":    {"ค้นหาชื่อเรื่อง ผู้สร้างสรรค์ หัวเรื่อง", "Search titles, creators, subjects"},
	"results":         {"ผลการค้นหา", "Results"},
	"no_results":      {"ไม่พบรายการ", "Nothing found"},
	"date":            {"วันที่", "Date"},
	"creator":         {"ผู้สร้างสรรค์", "Creator"},
	"subjects":        {"หัวเรื่อง", "Subjects"},
	"summary":         {"คำอธิบาย", "Description"},
	"rights":          {"สิทธิ์การใช้งาน", "Rights"},
	"attribution":     {"แหล่งที่มา", "Attribution"},
	"holding":         {"หน่วยงานผู้ถือครอง", "Holding library"},
	"collection":      {"ชุดเอกสาร", "Collection"},
	"cite":            {"การอ้างอิง", "Cite this item"},
	"copy":            {"คัดลอก", "Copy"},
	"manifest":        {"IIIF manifest (ลากไปยังโปรแกรมดูภาพ IIIF)", "IIIF manifest (drag into any IIIF viewer)"},
	"downloads":       {"ดาวน์โหลด", "Downloads"},
	"embed":           {"ฝังในเว็บไซต์", "Embed"},
	"back":            {"ดูในคลังสารสนเทศร่วม", "View in the Shared Archive"},
	"home":            {"หน้าแรก", "Home"},
	"other_lang":      {"English", "ภาษาไทย"},
	"viewer_missing":  {"ยังไม่ได้ติดตั้งโปรแกรมดูภาพ (npm ci --prefix web/ui)", "The viewer is not built (npm ci --prefix web/ui)"},
	"page":            {"หน้า", "Page"},
	"next":            {"ถัดไป", "Next"},
	"prev":            {"ก่อนหน้า", "Previous"},
	"desk":            {"โต๊ะทำงานบรรณารักษ์", "Archivists' desk"},
	"signin":          {"เข้าสู่ระบบ", "Sign in"},
	"signout":         {"ออกจากระบบ", "Sign out"},
	"token":           {"รหัสเข้าใช้ (API token)", "Access token (API token)"},
	"bad_token":       {"รหัสไม่ถูกต้อง", "That token is not right"},
	"upload":          {"อัปโหลดไฟล์", "Upload files"},
	"upload_help":     {"เลือกห้องสมุด แล้วลากไฟล์มาวาง ไฟล์ใหญ่อัปโหลดต่อได้หากการเชื่อมต่อขาดหาย", "Choose the library, then drop files; large files resume if the connection drops"},
	"group":           {"รวมทุกไฟล์เป็นรายการเดียว (หลายหน้า)", "Make all files one item (several pages)"},
	"title":           {"ชื่อเรื่อง", "Title"},
	"batch":           {"ผลการนำเข้า", "Ingest report"},
	"history":         {"ประวัติการดำเนินการ", "History"},
	"restricted":      {"รายการนี้จำกัดการเข้าถึง", "This item is restricted"},
	"iiif_collection": {"คอลเลกชัน IIIF (ลากไปยังโปรแกรมดูภาพ IIIF)", "IIIF collection (drag into any IIIF viewer)"},
	"uploaded":        {"อัปโหลดแล้ว", "Uploaded"},
	"not_found":       {"ไม่พบหน้าที่ต้องการ", "Page not found"},
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
