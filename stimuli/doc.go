// Package stimuli makes 2IFC reverse-correlation stimuli exactly as R's
// rcicr does with generateStimuli2IFC: the noise basis, the noise of a
// trial, the base face, the rendered pair of 8-bit images, and the
// parameter files that let anyone recompute them. It is maths and images
// only: no HTTP, SQL, configuration or folders; readers and writers are
// io.Reader and io.Writer.
//
// # Units and layout
//
// An image is Size()×Size() pixels (MinSize…MaxSize), held as Size()²
// float64 values, row-major, top row first: pixel (x, y) is at y·Size()+x,
// as rcicr's matrices are [row, column]. Grey values are in [0, 1] (0
// black, 1 white), as png::readPNG returns them; 8-bit images are levels
// 0…255. Parameters are a trials × NParams() matrix, trial-major: row t
// (0-based) is rcicr's trial t+1 and its stimulus files _0000{t+1}_ori/inv.
//
// # The noise basis (generateNoisePattern, generateSinusoid, generateGabor)
//
// For scale s = 0…nscales−1 the image is cut into 2^s × 2^s tiles of side
// n_s = Size()/2^s. Each scale has 12 layers, 6 orientations θ ∈ {0°, 30°,
// …, 150°} × 2 phases φ ∈ {0, π/2}; a layer shows the same patch in every
// tile, and every tile of every layer has its own parameter, so NParams() =
// Σ_s 12·4^s (4092 at 5 scales). With u = linspace(0, c, n_s) along the
// columns and v the same along the rows, the patch is
//
//	sinusoid:  sin(2π·(u·cos θ + v·sin θ) + φ)                  c = 2 cycles
//	Gabor:     the same with c = 1.5, times exp(−(x₀² + y₀²)/(2·(σ/n_s)²))
//
// where x₀, y₀ run from −½ to ½ across the patch, so σ is the Gaussian's
// standard deviation in pixels, the same at every scale (rcicr's default
// 25).
//
// # The noise of a trial (generateNoiseImage)
//
// With L = 12·nscales layers, patch_l the patch of layer l and p_l(x) the
// parameter of the tile of layer l that holds pixel x,
//
//	noise(x) = (1/L)·Σ_l p_l(x)·patch_l(x)
//
// the mean over the layers. It is linear in the parameters, which Weighted
// uses: Σ_i w_i·noise_i is the noise of Σ_i w_i·params_i. With parameters
// uniform in [−1, 1] most values fall in [−0.3, 0.3] (rcicr's
// simulateNoiseIntensities).
//
// # The stimulus (generateStimuli2IFC)
//
// The base face is the mean of R, G and B (not a luminance), stretched to
// (b−min)/(max−min) when maximize_baseimage_contrast is asked. The pair is
//
//	ori = ((noise + 0.3)/0.6 + base)/2,   inv = ((−noise + 0.3)/0.6 + base)/2
//
// clipped to [0, 1] and written by png::writePNG as ⌊255·v + ½⌋: the noise
// moves a pixel by ±noise/1.2 of full scale, in opposite directions in the
// two images.
//
// # The Gram matrix
//
// Gram gives G_ij = Σ_x noise_i(x)·noise_j(x) and s_i = Σ_x noise_i(x), the
// sufficient statistics of any linear analysis of the pack's noise (its
// norms, correlations, and the variance of a classification image), from
// the parameters alone. On a finest tile T each layer is one patch times
// one parameter, so with V_T the layers' values on T (L × pixels) and P_T
// the trials' parameters of those layers (trials × L),
//
//	G = (1/L²)·Σ_T P_T·(V_T·V_Tᵀ)·P_Tᵀ,   s = (1/L)·Σ_T P_T·(V_T·1)
//
// which costs far less than rendering every image and never holds one.
//
// # What is and is not rcicr's
//
// Given rcicr's parameters, the noise agrees with rcicr's to ~1e-16 (R
// averages the layers in long double, Go in float64: an ulp or two), the
// base of a right-sized image is rcicr's to the bit, and the 8-bit images
// are rcicr's PNGs (the tests measure both against testdata/rcicr, made by
// rcicr itself). Beyond rcicr: PrepareBase resamples a base of another size
// (rcicr refuses it) and leaves alpha out of the channel mean (rcicr
// averages it in); DrawParams uses Go's PCG, not R's Mersenne Twister, so a
// seed gives other parameters than in R: keep the parameters (params.csv or
// MarshalParams), not the seed.
//
// # Errors and concurrency
//
// Every error wraps one of the Err… sentinels (errors.Is), and every size
// that comes from input is checked against the limits in limits.go before
// anything is allocated from it. A Basis and a Generator are immutable and
// safe for concurrent use; Gram and Generator.Each use GOMAXPROCS
// goroutines and stop when their context ends.
package stimuli
