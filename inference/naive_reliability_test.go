package inference

import (
	"math"
	"slices"
)

// Reference computations of the reliability statistics straight from
// explicit CIs over pixels, written from the textbook definitions and
// sharing no code with the package beyond the random draws (drawSplits), so
// that "same splits drawn" can be compared value for value.

// pearson is the two-pass Pearson correlation of a and b (NaN when either
// is constant).
func pearson(a, b []float64) float64 {
	var ma, mb float64
	for p := range a {
		ma += a[p]
		mb += b[p]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for p := range a {
		sab += (a[p] - ma) * (b[p] - mb)
		saa += (a[p] - ma) * (a[p] - ma)
		sbb += (b[p] - mb) * (b[p] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// meanImage is the mean of the images at idx.
func meanImage(imgs [][]float64, idx []int) []float64 {
	out := make([]float64, len(imgs[idx[0]]))
	for _, r := range idx {
		for p, v := range imgs[r] {
			out[p] += v / float64(len(idx))
		}
	}
	return out
}

// rQuantile7 is R's quantile type 7 in R's own 1-based words:
// h = (n−1)·q + 1, Q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
func rQuantile7(xs []float64, q float64) float64 {
	x := slices.Clone(xs)
	slices.Sort(x)
	h := float64(len(x)-1)*q + 1
	j := int(math.Floor(h))
	if j >= len(x) {
		return x[len(x)-1]
	}
	return x[j-1] + (h-float64(j))*(x[j]-x[j-1])
}

// naiveSplitHalf draws the same splits as SplitHalf and computes each r
// from the two halves' explicit mean CIs.
func naiveSplitHalf(cis [][]float64, splits int, seed uint64) SplitHalfResult {
	k := len(cis)
	var sb []float64
	drawSplits(k, splits, seed, func(a []int) {
		in := make([]bool, k)
		for _, r := range a {
			in[r] = true
		}
		var b []int
		for r := range k {
			if !in[r] {
				b = append(b, r)
			}
		}
		r := pearson(meanImage(cis, a), meanImage(cis, b))
		if !math.IsNaN(r) {
			sb = append(sb, 2*r/(1+r))
		}
	})
	return SplitHalfResult{Median: rQuantile7(sb, 0.5), P2_5: rQuantile7(sb, 0.025), P97_5: rQuantile7(sb, 0.975), Splits: len(sb)}
}

// naiveICC is the two-way ANOVA of the pixels × replies table: row
// (pixel) means, column (reply) means, SS_rows = k·Σ(row mean − grand)²,
// SS_err = Σ(x − row mean − column mean + grand)².
func naiveICC(cis [][]float64) (float64, float64) {
	k, p := len(cis), len(cis[0])
	rowMean := make([]float64, p)
	colMean := make([]float64, k)
	var grand float64
	for r, ci := range cis {
		for q, v := range ci {
			rowMean[q] += v / float64(k)
			colMean[r] += v / float64(p)
			grand += v / float64(k*p)
		}
	}
	var ssRows, ssErr float64
	for q := range p {
		ssRows += float64(k) * (rowMean[q] - grand) * (rowMean[q] - grand)
	}
	for r, ci := range cis {
		for q, v := range ci {
			e := v - rowMean[q] - colMean[r] + grand
			ssErr += e * e
		}
	}
	msr := ssRows / float64(p-1)
	mse := ssErr / float64((p-1)*(k-1))
	return (msr - mse) / (msr + float64(k-1)*mse), (msr - mse) / msr
}

// naiveLOO correlates the group CI with the group CI without each reply and
// standardises by R's median and mad().
func naiveLOO(cis [][]float64, threshold float64) []Influence {
	k := len(cis)
	all := make([]int, k)
	for i := range all {
		all[i] = i
	}
	group := meanImage(cis, all)
	out := make([]Influence, k)
	rs := make([]float64, k)
	for j := range k {
		rest := slices.Delete(slices.Clone(all), j, j+1)
		rs[j] = pearson(group, meanImage(cis, rest))
	}
	med := rQuantile7(rs, 0.5)
	dev := make([]float64, k)
	for j, r := range rs {
		dev[j] = math.Abs(r - med)
	}
	mad := 1.4826 * rQuantile7(dev, 0.5)
	for j, r := range rs {
		z := (r - med) / mad
		out[j] = Influence{Reply: j, R: r, Z: z, Influential: z < threshold}
	}
	return out
}

func slicesSort(xs []float64) { slices.Sort(xs) }
