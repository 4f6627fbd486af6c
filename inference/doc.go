// Package inference computes what a paper reports about classification
// images (CIs) beyond the CIs themselves (SPEC, Analysis): how reliable a
// group CI is (split-half, ICC, leave-one-out influence) and where two sets
// of replies differ (a cluster-based permutation test on per-pixel Welch
// t). It is pure maths: no HTTP, no SQL, no files; the service feeds it a
// pack's stimuli through the Design interface and replies as weight rows.
//
// # CIs as weighted sums
//
// Pair i's noise is an image c_i of P pixels (rcicr's c units). Reply r's
// CI is CI_r = Σ_i W[r][i]·c_i, with W[r][i] = response_i/n_answered_r
// (ReplyWeights), and the group CI is the mean of the replies' CIs — what
// rcicr's generateCI2IFC returns in ci$ci.
//
// # The Gram trick
//
// Every Pearson correlation and every two-way ANOVA sum of squares over
// pixels is a function of inner products and sums of the CIs. With G the
// pairs' Gram matrix (G_ij = Σ_p c_i(p)·c_j(p)) and s their pixel sums
// (s_i = Σ_p c_i(p)), which the service keeps per pack,
//
//	Σ_p CI_r(p)·CI_s(p) = (W·G·Wᵀ)_rs = H_rs,   Σ_p CI_r(p) = (W·s)_r = m_r.
//
// This package works with the centred form H̃ = W·(G − s·sᵀ/P)·Wᵀ = H −
// m·mᵀ/P, the inner products of the CIs with each CI's pixel mean removed,
// so that a correlation is H̃-entries over square roots of H̃-entries with no
// further mean correction. Computing H̃ (Moments) costs O(k·n²+k²·n) flops
// (gonum BLAS) and reads no pixel; then a random split costs O(k²), a
// leave-one-out O(1) per reply and the ICC O(k), instead of O(k·P) each
// (P = 262,144 for 512×512 images). When k is much larger than n the split
// sums use uᵀ·G̃·u in pair space instead (O(k·n + n²) per split), so the k×k
// matrix is never formed.
//
// # Comparing two sets
//
// Per-pixel variances need the per-reply CIs themselves, X = W·C (k×P, C the
// n×P noise), which Compare computes once, block by block from NoiseBlock
// with Dgemm. The observed t map is computed from those float64 blocks;
// the CIs are then kept as float32, centred per pixel, for the permutations
// (105 MB for 100 replies of 512×512). Permutations run in batches: the set
// sums S = L·X and Q = L·(X∘X) for a batch's 0/1 indicator matrix L, then
// per permutation the Welch t map and a union-find labelling that keeps only
// the largest cluster mass.
//
// float32 only affects the permutations' largest masses, by about 1e-7 of
// their value (measured in compare_test.go); a cluster's p-value could change
// only if one of them lay that close to the cluster's mass. The one exact
// tie, a relabelling drawn equal to the observed labelling, is given the
// observed float64 mass. The tests compare every p-value with the whole test
// done in float64 from explicit CIs: they are identical.
//
// # Determinism
//
// Random splits and relabellings come from PCG (math/rand/v2) seeded by the
// caller, drawn in a fixed order by one goroutine with this package's own
// bounded-integer and shuffle code, so the same seed gives the same result
// on every machine and Go release, whatever the number of goroutines.
//
// # Undefined values
//
// A correlation with a CI that is constant over pixels (all replies blank,
// a pack of flat noise) is undefined: it is NaN in Go and null in JSON
// (SplitHalfResult, Influence). Compare's figures are always finite: t is 0
// where both sets have no variance.
//
// # Usage
//
//	mo, err := inference.NewMoments(design, weights) // ErrTooFewReplies → 400
//	sh, err := mo.SplitHalf(0, seed)                  // 1,000 splits
//	icc31, icc3k := mo.ICC()
//	loo, err := mo.LeaveOneOut(inference.DefaultInfluenceThreshold)
//
//	cmp, err := inference.Compare(ctx, design, wa, wb, inference.CompareOptions{Seed: seed}, progress)
//	err = inference.RenderComparison(w, base, width, height, cmp, 0.05)
//	err = inference.WriteTMapCSV(w, cmp)
package inference
