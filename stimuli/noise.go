package stimuli

// Noise is rcicr's generateNoiseImage(params, p):
//
//	apply(p$patches * array(params[p$patchIdx], dim(p$patches)), 1:2, mean)
//
// the mean over the 12·nscales layers of each layer's patch times the
// parameter of the tile the pixel lies in. out[y*Size()+x], row-major, top
// row first; len(params) must be NParams() and len(out) Size()². The noise is
// linear in params. Every pixel sums its layers in rcicr's layer order
// (scale, orientation, phase), so the result does not depend on anything but
// the inputs.
func (b *Basis) Noise(params, out []float64) error {
	if len(params) != b.nparams {
		return fmtShape("%d parameters, basis has %d", len(params), b.nparams)
	}
	if len(out) != b.size*b.size {
		return fmtShape("output of %d pixels, image has %d", len(out), b.size*b.size)
	}
	b.noiseInto(params, out)
	return nil
}

// Weighted is Σ_i w[i]·noise_i for the trials whose parameters are the rows
// of params (trial-major, len(w) rows of NParams()): by linearity it is the
// noise of the weighted parameters Σ_i w[i]·params_i, which is how a
// classification image of a generated pack is computed in float64 without
// rendering any trial. The parameters are summed in trial order.
func (b *Basis) Weighted(params, w, out []float64) error {
	if len(w) == 0 || len(params) != len(w)*b.nparams {
		return fmtShape("%d parameters for %d weights of %d", len(params), len(w), b.nparams)
	}
	if len(out) != b.size*b.size {
		return fmtShape("output of %d pixels, image has %d", len(out), b.size*b.size)
	}
	sum := make([]float64, b.nparams)
	for i, wi := range w {
		row := params[i*b.nparams : (i+1)*b.nparams]
		for j, p := range row {
			sum[j] += float64(wi * p)
		}
	}
	b.noiseInto(sum, out)
	return nil
}

// noiseInto is Noise without the checks.
func (b *Basis) noiseInto(params, out []float64) {
	clear(out)
	var w [layersPerScale]float64
	for si := range b.scales {
		sb := &b.scales[si]
		for r := 0; r < sb.tiles; r++ {
			for c := 0; c < sb.tiles; c++ {
				for k := range w {
					w[k] = params[sb.paramIndex(k, r, c)]
				}
				sb.addTile(out[r*sb.side*b.size+c*sb.side:], b.size, &w)
			}
		}
	}
	// The mean: the sum divided by the count. R's mean sums in long double
	// and adds a correction pass; in float64 the result differs from R's by
	// an ulp or two (1.7e-16 at most on the fixture), which keeps Noise
	// simple, fast and the same on every architecture.
	n := float64(b.layers())
	for i := range out {
		out[i] /= n
	}
}

// addTile adds Σ_k w[k]·patch_k to the side×side tile of dst that starts at
// dst[0], rows stride apart, adding the layers one by one in rcicr's order.
// Each product is rounded on its own (float64(…)): no fused multiply-add, so
// the result is the same on every architecture.
func (sb *scaleBasis) addTile(dst []float64, stride int, w *[layersPerScale]float64) {
	n := sb.side
	w0, w1, w2, w3, w4, w5 := w[0], w[1], w[2], w[3], w[4], w[5]
	w6, w7, w8, w9, w10, w11 := w[6], w[7], w[8], w[9], w[10], w[11]
	for py := 0; py < n; py++ {
		row := dst[py*stride : py*stride+n]
		vals := sb.values[py*n*layersPerScale : (py+1)*n*layersPerScale]
		for px := range row {
			v := vals[px*layersPerScale : px*layersPerScale+layersPerScale : px*layersPerScale+layersPerScale]
			a := row[px]
			a += float64(v[0] * w0)
			a += float64(v[1] * w1)
			a += float64(v[2] * w2)
			a += float64(v[3] * w3)
			a += float64(v[4] * w4)
			a += float64(v[5] * w5)
			a += float64(v[6] * w6)
			a += float64(v[7] * w7)
			a += float64(v[8] * w8)
			a += float64(v[9] * w9)
			a += float64(v[10] * w10)
			a += float64(v[11] * w11)
			row[px] = a
		}
	}
}
