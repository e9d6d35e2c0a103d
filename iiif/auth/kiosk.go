package auth

import "strings"

// KioskPath is the kiosk access service of reading-room material: a page
// a viewer opens without asking its reader (Auth 2.0 §2.2, profile
// "kiosk"); inside the holding library's reading rooms the token service
// then gives a token without sign-in, as the address is what grants access.
const KioskPath = "/iiif/auth/kiosk"

// RoomServices lists the services of an image that only a reading room
// shows: the Auth 2.0 probe with the kiosk access service first and the
// library's sign-in second (its staff may read it anywhere), and the Auth
// 1.0 login service.
func RoomServices(base, image string) []any {
	probe := Probe2(base, image)
	active := probe["service"].([]Doc)[0]
	kiosk := Doc{
		"id":      base + KioskPath,
		"type":    "AuthAccessService2",
		"profile": "kiosk",
		"label":   both("ห้องอ่านของห้องสมุด", "The library's reading room"),
		"service": active["service"],
	}
	probe["service"] = []Doc{kiosk, active}
	return []any{probe, Login1(base)}
}

// RoomResult is the probe's answer outside the reading rooms of the
// library holding an image, named in Thai and English: 403, with where
// it can be read.
func RoomResult(libraryTh, libraryEn string) Doc {
	return Doc{"@context": Context2, "type": "AuthProbeResult2", "status": 403,
		"heading": both("อ่านได้เฉพาะในห้องอ่าน", "Readable in the reading room only"),
		"note":    both(RoomNoteTh(libraryTh), RoomNoteEn(libraryEn))}
}

// RoomNoteTh says in Thai where reading-room material of a library can be read.
func RoomNoteTh(library string) string {
	return strings.ReplaceAll("รายการนี้อ่านได้ที่ห้องอ่านของห้องสมุด{1}เท่านั้น", "{1}", library)
}

// RoomNoteEn says in English where reading-room material of a library can be read.
func RoomNoteEn(library string) string {
	return strings.ReplaceAll("This item can be read only in the reading room of {1} Library.", "{1}", library)
}
