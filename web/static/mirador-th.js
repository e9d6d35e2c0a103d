// Thai words for the Mirador viewer (its translation hook): the parts a
// reader meets; anything not here stays in English.
window.archiveMiradorThai = {
  aboutThisItem: "เกี่ยวกับรายการนี้", attribution: "แหล่งที่มา", attributionTitle: "สิทธิ์",
  authenticationFailed: "เข้าสู่ระบบไม่สำเร็จ", authenticationRequired: "ต้องเข้าสู่ระบบเพื่อดูภาพเต็ม",
  book: "หนังสือ", cancel: "ยกเลิก", close: "ปิด", closeCompanionWindow: "ปิดแผง", continue: "ดำเนินการต่อ",
  copy: "คัดลอก", currentItem: "รายการปัจจุบัน", digitizedView: "มุมมองภาพดิจิทัล", dismiss: "ปิด", error: "ข้อผิดพลาด",
  exitFullScreen: "ออกจากเต็มจอ", fullScreen: "เต็มจอ", gallery: "แกลเลอรี", iiif_homepage: "เกี่ยวกับทรัพยากรนี้",
  iiif_manifest: "IIIF manifest", iiif_related: "ที่เกี่ยวข้อง", iiif_renderings: "รูปแบบอื่น", iiif_seeAlso: "ดูเพิ่มเติม",
  item: "รายการ: {{label}}", itemList: "รายการหน้า", language: "ภาษา", links: "ลิงก์", login: "เข้าสู่ระบบ", logout: "ออกจากระบบ",
  nextCanvas: "หน้าถัดไป", previousCanvas: "หน้าก่อนหน้า", rights: "สัญญาอนุญาต", searchTitle: "ค้นหา",
  showZoomControls: "แสดงปุ่มย่อขยาย", hideZoomControls: "ซ่อนปุ่มย่อขยาย", single: "หน้าเดียว", thumbnails: "ภาพย่อ",
  tableOfContentsList: "สารบัญ", windowMenu: "มุมมองหน้าต่างและภาพย่อ", zoomIn: "ขยาย", zoomOut: "ย่อ", zoomReset: "คืนขนาดเดิม",
  sidebarPanelsNavigation: "แผงด้านข้าง", openCompanionWindow_info: "ข้อมูล", openCompanionWindow_canvas: "ดัชนี",
  openCompanionWindow_attribution: "สิทธิ์", openCompanionWindow_search: "ค้นหา", openCompanionWindow_layers: "ชั้นภาพ",
  openCompanionWindow_annotations: "คำอธิบายประกอบ", collapseSidePanel: "ยุบแผงด้านข้าง", expandSidePanel: "ขยายแผงด้านข้าง",
  canvasIndex: "ดัชนี", pagination: "{{current}} จาก {{total}}", retry: "ลองใหม่", view: "มุมมอง",
  changeTheme: "เปลี่ยนธีม", light: "ธีมสว่าง", dark: "ธีมมืด",
  // The search panel, the sidebar and the window's own labels.
  clearSearch: "ล้าง", searchInputLabel: "คำค้น", searchSubmitAria: "ค้นหา", searchNextResult: "ผลถัดไป",
  searchPreviousResult: "ผลก่อนหน้า", searchNoResults: "ไม่พบคำที่ค้น", searchResultsRemaining: "เหลืออีก {{numLeft}}",
  moreResults: "ผลเพิ่มเติม", more: "เพิ่มเติม…", less: "น้อยลง", toggleWindowSideBar: "เปิดหรือปิดแผงด้านข้าง",
  openInCompanionWindow: "เปิดในแผงแยก", related: "ที่เกี่ยวข้อง", resource: "ทรัพยากร",
  thumbnailList: "รายการภาพย่อ", thumbnailNavigation: "ภาพย่อ", windowNavigation: "การนำทางในหน้าต่าง",
  workspace: "พื้นที่ทำงาน", miradorViewer: "โปรแกรมดูภาพ Mirador", window: "หน้าต่าง: {{label}}", closeWindow: "ปิดหน้าต่าง",
  // Names, the same in Thai.
  mirador: "Mirador",
};
