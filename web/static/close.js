// The sign-in page, opened by a IIIF viewer as its access service, closes
// itself once the reader has signed in (IIIF Auth 2.0 §2.2, Auth 1.0 §3).
setTimeout(function () { window.close(); }, 300);
