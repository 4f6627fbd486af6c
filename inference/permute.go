package inference

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/gonum"
)

// The permutation test (Maris & Oostenveld 2007): each permutation relabels
// the k replies at random into sets of the observed sizes, computes the
// Welch t map of the relabelled sets and keeps its largest cluster mass.
//
// Permutations run in batches of B. For a batch, with L the B×k 0/1 matrix
// of set indicators, the set sums at every pixel are S = L·X and Q = L·(X∘X)
// (X the float32 per-reply CIs); the other set's sums are the totals minus
// these. L is 0/1, so the product is computed as sums of the indicated rows
// (a Saxpy per 1, none per 0, as a gemm that skips zero entries), of the
// smaller set's rows, over blocks of pixels small enough that the block of X
// and of X∘X stays in cache while every permutation of the batch reads it.
// Each permutation's t map is then labelled for its largest mass only.
//
// A relabelling drawn equal to the observed labelling, or to its mirror
// image when the sets have equal sizes (Welch's t is then exactly −t), has
// exactly the observed t map up to sign: it is given the observed largest
// mass (float64) instead of a float32 recomputation, so that this tie, the
// only exact one, counts as a tie. Small sets draw it often (2 vs 2 replies:
// one relabelling in three).
//
// Workers take whole batches; a permutation's result depends only on its
// relabelling, which is drawn in order from the seed before its batch is
// handed out, and on fixed-order float32 sums, so the maxima do not depend
// on the number of workers or on scheduling.

// Memory per worker: its batch's t maps (B·P float32) within tMapBytes, and
// the block of X∘X plus the batch's S and Q within cacheBytes.
const (
	tMapBytes  = 32 << 20
	cacheBytes = 512 << 10
	maxBatch   = 64
)

// relabeller draws Compare's random relabellings from a seed.
type relabeller struct {
	src *rand.PCG
	idx []int
	ka  int
}

func newRelabeller(k, ka int, seed uint64) *relabeller {
	return &relabeller{src: newPCG(seed, permStream), idx: identity(k), ka: ka}
}

// next shuffles the replies and writes the ka that form set a, sorted, into
// a; the others form set b.
func (rl *relabeller) next(a []int) {
	shuffle(rl.src, rl.idx)
	copy(a, rl.idx[:rl.ka])
	slices.Sort(a)
}

// permJob is one batch: its first permutation's index and, per
// permutation, the sorted replies of the set whose sums are computed, or
// nil for a relabelling that is the observed one or its mirror image.
type permJob struct {
	first   int
	members [][]int32
}

// permSetup is what every worker shares.
type permSetup struct {
	rc     *replyCIs
	w, h   int
	thr    float64
	batch  int  // B
	block  int  // pixels per block
	membA  bool // members are set a's replies (else set b's)
	tol    float64
	maxima []float64 // per permutation, written by the worker of its batch
	obsMax float64   // the observed t map's largest cluster mass
}

func newPermSetup(rc *replyCIs, w, h int, thr float64, nperm int, obsMax float64) *permSetup {
	ps := &permSetup{rc: rc, w: w, h: h, thr: thr, membA: rc.ka <= rc.kb,
		maxima: make([]float64, nperm), obsMax: obsMax}
	ps.batch = max(1, min(maxBatch, nperm, tMapBytes/(4*rc.pixels)))
	// X∘X block (k·bw) and S, Q rows (2·B·bw), float32.
	ps.block = min(rc.pixels, max(256, cacheBytes/(4*(rc.k+2*ps.batch))))
	// A float32 sum of k terms is within about k·2⁻²⁴ of its value
	// (relative): below that a set's spread is rounding.
	ps.tol = float64(rc.k) * 0x1p-22
	return ps
}

// draw builds the jobs from the seed, in order, into jobs until all are
// sent or ctx ends; it closes jobs.
func (ps *permSetup) draw(ctx context.Context, seed uint64, jobs chan<- permJob) {
	defer close(jobs)
	rc := ps.rc
	rl := newRelabeller(rc.k, rc.ka, seed)
	a := make([]int, rc.ka)
	inA := make([]bool, rc.k)
	nperm := len(ps.maxima)
	for first := 0; first < nperm; first += ps.batch {
		job := permJob{first: first, members: make([][]int32, min(ps.batch, nperm-first))}
		for b := range job.members {
			rl.next(a)
			// a is sorted, and the observed set a is replies 0..ka−1.
			if a[rc.ka-1] == rc.ka-1 || (rc.ka == rc.kb && a[0] == rc.ka) {
				continue // members[b] stays nil: the observed labelling
			}
			clear(inA)
			for _, r := range a {
				inA[r] = true
			}
			m := make([]int32, 0, min(rc.ka, rc.kb))
			for r, in := range inA {
				if in == ps.membA {
					m = append(m, int32(r))
				}
			}
			job.members[b] = m
		}
		select {
		case jobs <- job:
		case <-ctx.Done():
			return
		}
	}
}

// permWorker holds one worker's scratch.
type permWorker struct {
	*permSetup
	sq     []float32 // k×block: X∘X of the current block
	s, q   []float32 // B×block: the batch's set sums at the block
	tmaps  []float32 // B×P
	parent []int32
	mass   []float64
}

func newPermWorker(ps *permSetup) *permWorker {
	p := ps.rc.pixels
	return &permWorker{permSetup: ps,
		sq: make([]float32, ps.rc.k*ps.block), s: make([]float32, ps.batch*ps.block),
		q: make([]float32, ps.batch*ps.block), tmaps: make([]float32, ps.batch*p),
		parent: make([]int32, p), mass: make([]float64, p)}
}

// run computes a batch's maxima into ps.maxima; it stops between blocks of
// pixels when ctx ends.
func (pw *permWorker) run(ctx context.Context, job permJob) error {
	var impl gonum.Implementation
	rc, p := pw.rc, pw.rc.pixels
	for p0 := 0; p0 < p; p0 += pw.block {
		if err := ctx.Err(); err != nil {
			return err
		}
		bw := min(pw.block, p-p0)
		for r := range rc.k {
			sq := pw.sq[r*bw : (r+1)*bw]
			for j, v := range rc.x[r*p+p0 : r*p+p0+bw] {
				sq[j] = v * v
			}
		}
		for b, members := range job.members {
			if members == nil {
				continue
			}
			s, q := pw.s[b*bw:(b+1)*bw], pw.q[b*bw:(b+1)*bw]
			clear(s)
			clear(q)
			for _, r := range members {
				impl.Saxpy(bw, 1, rc.x[int(r)*p+p0:int(r)*p+p0+bw], 1, s, 1)
				impl.Saxpy(bw, 1, pw.sq[int(r)*bw:(int(r)+1)*bw], 1, q, 1)
			}
			pw.tBlock(s, q, p0, pw.tmaps[b*p+p0:b*p+p0+bw])
		}
	}
	for b, members := range job.members {
		if members == nil {
			pw.maxima[job.first+b] = pw.obsMax
			continue
		}
		pw.maxima[job.first+b] = unionScan(pw.tmaps[b*p:(b+1)*p], pw.w, pw.h, pw.thr, pw.parent, pw.mass)
	}
	return nil
}

// tBlock writes the Welch t (welchT) of the block's pixels from the
// members' sums s, q and the totals: per set, mean S/n and sum of squared
// deviations Q − S·mean. One at most tol·Q is rounding of the float32 sums
// (the set is constant at that pixel) and counts as 0. It runs P times per
// permutation, so divisions are products with reciprocals, and a pixel
// whose |t| is not above the threshold, (ma − mb)² ≤ thr²·(va/na + vb/nb),
// gets t = 0 without a square root: labelling only needs the t of pixels
// beyond the threshold, and most pixels are not.
func (pw *permWorker) tBlock(s, q []float32, p0 int, t []float32) {
	rc := pw.rc
	na, nb := float64(rc.ka), float64(rc.kb)
	ina, inb := 1/na, 1/nb
	vna, vnb := 1/(na*(na-1)), 1/(nb*(nb-1)) // va/na = ss_a·vna
	thr2, tol := pw.thr*pw.thr, pw.tol
	sum, sq := rc.sum[p0:p0+len(t)], rc.sq[p0:p0+len(t)]
	for j := range t {
		sm, qm := float64(s[j]), float64(q[j])
		sa, qa, sb, qb := sm, qm, sum[j]-sm, sq[j]-qm
		if !pw.membA {
			sa, qa, sb, qb = sb, qb, sa, qa
		}
		ma, mb := sa*ina, sb*inb
		ssa, ssb := qa-sa*ma, qb-sb*mb
		if ssa <= tol*qa {
			ssa = 0
		}
		if ssb <= tol*qb {
			ssb = 0
		}
		den := ssa*vna + ssb*vnb
		d := ma - mb
		if !(den > 0) || d*d <= thr2*den {
			t[j] = 0
			continue
		}
		t[j] = float32(d / math.Sqrt(den))
	}
}

// permutationMaxima runs nperm permutations on workers goroutines and
// returns each one's largest cluster mass, in draw order (obsMax for the
// observed labelling). progress (if not
// nil) is called from this goroutine after each batch with the number of
// permutations done.
func permutationMaxima(ctx context.Context, rc *replyCIs, w, h int, thr float64, obsMax float64, nperm int, seed uint64, workers int, progress func(done, total int)) ([]float64, error) {
	ps := newPermSetup(rc, w, h, thr, nperm, obsMax)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan permJob)
	go ps.draw(ctx, seed, jobs)
	type result struct {
		n   int
		err error
	}
	results := make(chan result)
	workers = max(1, min(workers, (nperm+ps.batch-1)/ps.batch))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			pw := newPermWorker(ps)
			for job := range jobs {
				results <- result{len(job.members), pw.run(ctx, job)}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	done := 0
	var firstErr error
	for res := range results {
		switch {
		case firstErr != nil:
		case res.err != nil:
			firstErr = res.err
			cancel()
		default:
			done += res.n
			if progress != nil {
				progress(done, nperm)
			}
		}
	}
	if firstErr == nil && done < nperm { // the parent context ended before a batch was sent
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return ps.maxima, nil
}
