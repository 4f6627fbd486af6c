package inference

import (
	"math"
	"slices"
)

// Reference computations of the comparison straight from explicit CIs over
// pixels, from the textbook definitions; they share no code with the
// package beyond the random relabellings (newRelabeller).

// naiveWelch is the per-pixel Welch t of a's images against b's, two-pass
// sample variances, t = 0 where both variances are 0.
func naiveWelch(a, b [][]float64) []float64 {
	t := make([]float64, len(a[0]))
	for p := range t {
		ma, va := meanVar(a, p)
		mb, vb := meanVar(b, p)
		se := va/float64(len(a)) + vb/float64(len(b))
		if se > 0 {
			t[p] = (ma - mb) / math.Sqrt(se)
		}
	}
	return t
}

func meanVar(imgs [][]float64, p int) (m, v float64) {
	for _, img := range imgs {
		m += img[p]
	}
	m /= float64(len(imgs))
	for _, img := range imgs {
		v += (img[p] - m) * (img[p] - m)
	}
	return m, v / float64(len(imgs)-1)
}

// naiveClusters flood-fills (breadth first) the 8-connected same-sign
// pixels with |t| > thr and returns them by mass, largest first; equal
// masses keep the order of their first pixel.
func naiveClusters(t []float64, w, h int, thr float64) []Cluster {
	clusters, _ := naiveLabels(t, w, h, thr)
	return clusters
}

// naiveLabels is naiveClusters that also returns, per pixel, the index of
// its cluster in the returned order, or −1.
func naiveLabels(t []float64, w, h int, thr float64) ([]Cluster, []int) {
	seen := make([]bool, len(t))
	label := make([]int, len(t))
	for p := range label {
		label[p] = -1
	}
	var out []Cluster
	sgn := func(v float64) int {
		if v > thr {
			return 1
		}
		if v < -thr {
			return -1
		}
		return 0
	}
	for start := range t {
		s := sgn(t[start])
		if s == 0 || seen[start] {
			continue
		}
		c := Cluster{Sign: s, BBox: [4]int{w, h, -1, -1}}
		queue := []int{start}
		seen[start] = true
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			x, y := p%w, p/w
			label[p] = len(out)
			c.Pixels++
			c.Mass += math.Abs(t[p])
			c.BBox = [4]int{min(c.BBox[0], x), min(c.BBox[1], y), max(c.BBox[2], x), max(c.BBox[3], y)}
			if math.Abs(t[p]) > math.Abs(c.PeakT) {
				c.PeakT = t[p]
			}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					q := ny*w + nx
					if !seen[q] && sgn(t[q]) == s {
						seen[q] = true
						queue = append(queue, q)
					}
				}
			}
		}
		out = append(out, c)
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case out[i].Mass > out[j].Mass:
			return -1
		case out[i].Mass < out[j].Mass:
			return 1
		}
		return 0
	})
	rank := make([]int, len(out))
	sorted := make([]Cluster, len(out))
	for r, i := range order {
		rank[i] = r
		sorted[r] = out[i]
	}
	for p, l := range label {
		if l >= 0 {
			label[p] = rank[l]
		}
	}
	return sorted, label
}

// naiveMaxima relabels the explicit CIs with the same draws as Compare and
// returns each relabelling's largest cluster mass, all in float64.
func naiveMaxima(cis [][]float64, ka, w, h int, thr float64, nperm int, seed uint64) []float64 {
	k := len(cis)
	rl := newRelabeller(k, ka, seed)
	a := make([]int, ka)
	maxima := make([]float64, nperm)
	for i := range maxima {
		rl.next(a)
		in := make([]bool, k)
		var sa, sb [][]float64
		for _, r := range a {
			in[r] = true
		}
		for r := range k {
			if in[r] {
				sa = append(sa, cis[r])
			} else {
				sb = append(sb, cis[r])
			}
		}
		for _, c := range naiveClusters(naiveWelch(sa, sb), w, h, thr) {
			maxima[i] = max(maxima[i], c.Mass)
		}
	}
	return maxima
}

// naiveCompare is the whole test from explicit CIs: clusters of the
// observed t map with p = (1 + #maxima ≥ mass)/(1 + nperm).
func naiveCompare(ciA, ciB [][]float64, w, h int, thr float64, nperm int, seed uint64) ([]float64, []Cluster) {
	tmap := naiveWelch(ciA, ciB)
	clusters := naiveClusters(tmap, w, h, thr)
	maxima := naiveMaxima(append(slices.Clone(ciA), ciB...), len(ciA), w, h, thr, nperm, seed)
	for i := range clusters {
		n := 1
		for _, m := range maxima {
			if m >= clusters[i].Mass {
				n++
			}
		}
		clusters[i].P = float64(n) / float64(1+nperm)
	}
	return tmap, clusters
}
