package inference

import (
	"cmp"
	"math"
	"slices"
)

// Clusters (SPEC, Analysis): 8-connected pixels whose t is beyond the
// threshold on one side (t > thr, or t < −thr); a cluster's mass is Σ|t| over
// its pixels (the cluster-mass statistic of Bullmore et al. 1999 and Maris &
// Oostenveld 2007). Labelling is a one-pass union-find over the pixels in
// row-major order, each supra-threshold pixel joined with its already visited
// same-side neighbours (west, north-west, north, north-east); a tree's root
// is its smallest pixel index, so the result does not depend on the order of
// the joins.

// real is the precision of a t map: float64 for the observed labelling,
// float32 for the permutations' (see permute.go).
type real interface{ ~float32 | ~float64 }

// side is +1 for t > thr, −1 for t < −thr, 0 otherwise (NaN included).
func side(t, thr float64) int8 {
	switch {
	case t > thr:
		return 1
	case t < -thr:
		return -1
	}
	return 0
}

// find returns p's root, halving the path on the way.
func find(parent []int32, p int32) int32 {
	for parent[p] != p {
		parent[p] = parent[parent[p]]
		p = parent[p]
	}
	return p
}

// join merges the trees of root and q; the smaller index stays root and
// takes the other's mass. It returns the root.
func join(parent []int32, mass []float64, root int32, q int) int32 {
	rq := find(parent, int32(q))
	switch {
	case rq == root:
		return root
	case rq < root:
		parent[root] = rq
		mass[rq] += mass[root]
		return rq
	default:
		parent[rq] = root
		mass[root] += mass[rq]
		return root
	}
}

// unionScan labels tm's clusters into parent (entries of supra-threshold
// pixels only; the others are left as they were) with each root's mass in
// mass, and returns the largest mass (0 when no pixel is beyond thr). parent
// and mass have len(tm) entries and need no clearing between calls. A root's
// mass only grows, so the largest final mass is the largest seen on the way.
func unionScan[T real](tm []T, w, h int, thr float64, parent []int32, mass []float64) float64 {
	best := 0.0
	for y := range h {
		row := y * w
		for x := range w {
			p := row + x
			v := float64(tm[p])
			s := side(v, thr)
			if s == 0 {
				continue
			}
			parent[p], mass[p] = int32(p), math.Abs(v)
			root := int32(p)
			if x > 0 && side(float64(tm[p-1]), thr) == s {
				root = join(parent, mass, root, p-1)
			}
			if y > 0 {
				if x > 0 && side(float64(tm[p-w-1]), thr) == s {
					root = join(parent, mass, root, p-w-1)
				}
				if side(float64(tm[p-w]), thr) == s {
					root = join(parent, mass, root, p-w)
				}
				if x+1 < w && side(float64(tm[p-w+1]), thr) == s {
					root = join(parent, mass, root, p-w+1)
				}
			}
			best = max(best, mass[root])
		}
	}
	return best
}

// component is one cluster of a t map, before its p-value.
type component struct {
	sign   int
	first  int // smallest pixel index: the tie-break of the mass order
	pixels int
	mass   float64 // Σ|t| added in pixel order
	bbox   [4]int  // x0, y0, x1, y1 inclusive
	peak   float64 // signed t of the largest |t| (the first such pixel)
}

// components labels tm's clusters and returns them sorted by mass,
// largest first (equal masses in pixel order), with label[p] the index of
// p's cluster in that order, or −1.
func components(tm []float64, w, h int, thr float64) ([]component, []int32) {
	parent := make([]int32, len(tm))
	mass := make([]float64, len(tm))
	unionScan(tm, w, h, thr, parent, mass)
	label := make([]int32, len(tm))
	var comps []component
	for p, v := range tm {
		s := side(v, thr)
		if s == 0 {
			label[p] = -1
			continue
		}
		x, y := p%w, p/w
		r := int(find(parent, int32(p)))
		if r == p { // the root comes first in pixel order: a new cluster
			label[p] = int32(len(comps))
			comps = append(comps, component{sign: int(s), first: p, bbox: [4]int{x, y, x, y}})
		} else {
			label[p] = label[r] // r < p already holds its cluster index
		}
		c := &comps[label[p]]
		c.pixels++
		c.mass += math.Abs(v)
		c.bbox = [4]int{min(c.bbox[0], x), min(c.bbox[1], y), max(c.bbox[2], x), max(c.bbox[3], y)}
		if math.Abs(v) > math.Abs(c.peak) {
			c.peak = v
		}
	}
	order := make([]int, len(comps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(comps[j].mass, comps[i].mass) })
	rank := make([]int32, len(comps))
	sorted := make([]component, len(comps))
	for r, i := range order {
		rank[i] = int32(r)
		sorted[r] = comps[i]
	}
	for p, l := range label {
		if l >= 0 {
			label[p] = rank[l]
		}
	}
	return sorted, label
}
