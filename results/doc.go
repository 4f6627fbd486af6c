// Package results computes what a researcher looks at after an experiment:
// classification images (CIs) and per-reply data quality, matching the R
// package rcicr. It is pure image maths and statistics: no HTTP, no SQL.
//
// # Units
//
// Stimuli are rcicr's 2IFC pairs: ori = (base + (noise + 0.3)/0.6)/2 and inv
// the same with −noise, grey values in [0, 1]. So a pair's noise is exactly
// c = 0.6·(ori − inv) and the base face ori + inv − 0.5. The package keeps
// each pair's noise as the exact 8-bit difference d = ori − inv (an int16 per
// pixel, in grey levels) and converts with c = d·0.6/255 when it is used; the
// pairs' Gram matrix G_ij = Σ_pixels d_i·d_j is then an exact integer held in
// a float64. A CI is in c units, the matrix rcicr's generateCI2IFC returns in
// ci$ci.
//
// # Life cycle
//
// A pack's images never change, so [Compute] reads them once and writes a
// stats file (noise, base, Gram matrix, the infoVal reference); [Open] loads
// it, and the [Stats] methods answer CIs, infoVals and the quality table
// from it, streaming the noise from disk instead of keeping it in memory.
// A *Stats is safe for concurrent use.
//
//	// once, when the pack is uploaded (seconds for 300 pairs of 512×512):
//	err := results.Compute(ctx, pairs, uint64(packID), statsPath,
//		results.ComputeOptions{MaxPixels: 1024 * 1024})
//	// errors.As → 400: *InconsistentPackError, *ImageTooLargeError
//	// (nothing decoded), *UnreadableImageError (the decoder's reason)
//
//	// per request (or cached per pack):
//	s, err := results.Open(statsPath) // ErrCorrupt / ErrVersion → compute again
//	defer s.Close()
//	ci, err := s.GroupCI(ctx, trialsPerReply)          // ErrNoReplies → 400
//	c, err := s.WritePNG(w, ci, results.Independent, 0) // c → X-Psyx-Scaling-Constant
//	rows, err := s.QualityTable(ctx, replies, results.DefaultThresholds())
//
// At start-up, RemoveTemps(dir) deletes what a crash left half-written:
// the temp files no live writer holds locked.
package results
