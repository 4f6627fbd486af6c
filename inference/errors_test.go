package inference

import (
	"context"
	"errors"
	"math"
	"testing"
)

// fakeDesign is a Design whose parts can each be wrong.
type fakeDesign struct {
	n, w, h  int
	gram     []float64
	sums     []float64
	noiseErr error // NoiseBlock's error
	nan      bool  // NoiseBlock writes a NaN
}

func (d *fakeDesign) Pairs() int           { return d.n }
func (d *fakeDesign) Size() (int, int)     { return d.w, d.h }
func (d *fakeDesign) Gram() []float64      { return d.gram }
func (d *fakeDesign) PixelSums() []float64 { return d.sums }
func (d *fakeDesign) NoiseBlock(_ context.Context, p0, p1 int, dst []float64) error {
	if d.noiseErr != nil {
		return d.noiseErr
	}
	for i := range dst {
		dst[i] = float64(i%7) - 3
	}
	if d.nan {
		dst[len(dst)-1] = math.NaN()
	}
	return nil
}

// goodFake is a consistent 2-pair 4×4 fake design.
func goodFake() *fakeDesign {
	return &fakeDesign{n: 2, w: 4, h: 4, gram: []float64{2, 1, 1, 2}, sums: []float64{1, -1}}
}

func rows(k, n int) [][]float64 {
	w := make([][]float64, k)
	for r := range w {
		w[r] = make([]float64, n)
		for i := range w[r] {
			w[r][i] = float64((r+i)%3) - 1
		}
	}
	return w
}

var errNoise = errors.New("stats file unreadable")

func TestReliabilityBadInput(t *testing.T) {
	with := func(f func(d *fakeDesign)) *fakeDesign { d := goodFake(); f(d); return d }
	bad := rows(4, 2)
	bad[2] = bad[2][:1]
	nan := rows(4, 2)
	nan[1][0] = math.NaN()
	cases := []struct {
		name string
		d    Design
		w    [][]float64
		want error
	}{
		{name: "no reply", d: goodFake(), w: nil, want: ErrTooFewReplies},
		{name: "one reply", d: goodFake(), w: rows(1, 2), want: ErrTooFewReplies},
		{name: "weights row of the wrong length", d: goodFake(), w: bad, want: ErrShape},
		{name: "NaN weight", d: goodFake(), w: nan, want: ErrBadValue},
		{name: "nil design", d: nil, w: rows(4, 2), want: ErrShape},
		{name: "no pairs", d: with(func(d *fakeDesign) { d.n = 0 }), w: rows(4, 0), want: ErrShape},
		{name: "zero width", d: with(func(d *fakeDesign) { d.w = 0 }), w: rows(4, 2), want: ErrShape},
		{name: "Gram of the wrong length", d: with(func(d *fakeDesign) { d.gram = d.gram[:3] }), w: rows(4, 2), want: ErrShape},
		{name: "pixel sums of the wrong length", d: with(func(d *fakeDesign) { d.sums = nil }), w: rows(4, 2), want: ErrShape},
		{name: "infinite Gram entry", d: with(func(d *fakeDesign) { d.gram[1] = math.Inf(1) }), w: rows(4, 2), want: ErrBadValue},
		{name: "images too large", d: with(func(d *fakeDesign) { d.w, d.h = 1<<13, 1<<13 }), w: rows(4, 2), want: ErrTooLarge},
		{name: "too many pairs", d: with(func(d *fakeDesign) { d.n = MaxPairs + 1 }), w: rows(4, 2), want: ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SplitHalf(tc.d, tc.w, 10, 1); !errors.Is(err, tc.want) {
				t.Errorf("SplitHalf: %v, want %v", err, tc.want)
			}
			if _, _, err := ICC(tc.d, tc.w); !errors.Is(err, tc.want) {
				t.Errorf("ICC: %v, want %v", err, tc.want)
			}
			if _, err := LeaveOneOut(tc.d, tc.w); !errors.Is(err, tc.want) {
				t.Errorf("LeaveOneOut: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTooFewRepliesSaysHowMany(t *testing.T) {
	_, err := LeaveOneOut(goodFake(), rows(2, 2))
	var tf *TooFewRepliesError
	if !errors.As(err, &tf) || tf.Have != 2 || tf.Need != 3 {
		t.Errorf("LeaveOneOut of 2 replies: %v, want a TooFewRepliesError 2 < 3", err)
	}
	_, err = Compare(context.Background(), goodFake(), rows(3, 2), rows(1, 2), CompareOptions{}, nil)
	if !errors.As(err, &tf) || tf.Set != "b" || tf.Have != 1 || tf.Need != 2 {
		t.Errorf("Compare with 1 reply in b: %v, want a TooFewRepliesError for set b", err)
	}
	_, err = Compare(context.Background(), goodFake(), rows(1, 2), rows(3, 2), CompareOptions{}, nil)
	if !errors.As(err, &tf) || tf.Set != "a" {
		t.Errorf("Compare with 1 reply in a: %v, want a TooFewRepliesError for set a", err)
	}
	var se *ShapeError
	bad := rows(3, 2)
	bad[1] = append(bad[1], 0)
	_, err = Compare(context.Background(), goodFake(), rows(3, 2), bad, CompareOptions{}, nil)
	if !errors.As(err, &se) || se.What != "b weights row 1" || se.Got != 3 || se.Want != 2 {
		t.Errorf("Compare with a long row in b: %v, want a ShapeError for b's row 1", err)
	}
}

func TestOptionsBadInput(t *testing.T) {
	s, w, _ := reliabilityCases[0].simulate(t, 1)
	mo, err := NewMoments(s.d, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		splits int
		want   error
	}{
		{name: "negative splits", splits: -1, want: ErrBadOption},
		{name: "too many splits", splits: MaxSplits + 1, want: ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mo.SplitHalf(tc.splits, 1); !errors.Is(err, tc.want) {
				t.Errorf("SplitHalf(%d): %v, want %v", tc.splits, err, tc.want)
			}
		})
	}
	if _, err := mo.LeaveOneOut(math.NaN()); !errors.Is(err, ErrBadOption) {
		t.Errorf("LeaveOneOut(NaN): %v, want ErrBadOption", err)
	}
}

func TestCompareBadInput(t *testing.T) {
	with := func(f func(d *fakeDesign)) *fakeDesign { d := goodFake(); f(d); return d }
	cases := []struct {
		name   string
		d      Design
		wa, wb [][]float64
		opts   CompareOptions
		want   error
	}{
		{name: "one reply in a", d: goodFake(), wa: rows(1, 2), wb: rows(3, 2), want: ErrTooFewReplies},
		{name: "no reply in b", d: goodFake(), wa: rows(3, 2), wb: nil, want: ErrTooFewReplies},
		{name: "rows of another pack", d: goodFake(), wa: rows(3, 3), wb: rows(3, 3), want: ErrShape},
		{name: "NaN weight", d: goodFake(), wa: [][]float64{{1, 0}, {0, math.NaN()}}, wb: rows(3, 2), want: ErrBadValue},
		{name: "negative permutations", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Permutations: -1}, want: ErrBadOption},
		{name: "too many permutations", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Permutations: MaxPermutations + 1}, want: ErrTooLarge},
		{name: "negative threshold", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Threshold: -2}, want: ErrBadOption},
		{name: "NaN threshold", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Threshold: math.NaN()}, want: ErrBadOption},
		{name: "infinite threshold", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Threshold: math.Inf(1)}, want: ErrBadOption},
		{name: "negative workers", d: goodFake(), wa: rows(3, 2), wb: rows(3, 2), opts: CompareOptions{Workers: -1}, want: ErrBadOption},
		{name: "images too large", d: with(func(d *fakeDesign) { d.w, d.h = 1<<13, 1<<13 }), wa: rows(3, 2), wb: rows(3, 2), want: ErrTooLarge},
		// 10 replies × 4096² pixels = 168 M float32 cells > MaxCompareCells: refused before allocating.
		{name: "per-reply CIs too large", d: with(func(d *fakeDesign) { d.w, d.h = 4096, 4096 }), wa: rows(5, 2), wb: rows(5, 2), want: ErrTooLarge},
		{name: "noise unreadable", d: with(func(d *fakeDesign) { d.noiseErr = errNoise }), wa: rows(3, 2), wb: rows(3, 2), want: errNoise},
		{name: "NaN in the noise", d: with(func(d *fakeDesign) { d.nan = true }), wa: rows(3, 2), wb: rows(3, 2), want: ErrBadValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compare(context.Background(), tc.d, tc.wa, tc.wb, tc.opts, nil)
			if !errors.Is(err, tc.want) || c != nil {
				t.Errorf("Compare: %v, %v; want error %v", c, err, tc.want)
			}
		})
	}
}

func TestWeightsAndMemDesignBadInput(t *testing.T) {
	cases := []struct {
		name string
		err  func() error
		want error
	}{
		{name: "reply without an answer", err: func() error { _, err := ReplyWeights([]int8{0, 0, 0}); return err }, want: ErrNoAnswers},
		{name: "response other than ±1 or 0", err: func() error { _, err := ReplyWeights([]int8{1, 2}); return err }, want: ErrBadValue},
		{name: "noise image of the wrong size", err: func() error { _, err := NewMemDesign(2, 2, [][]float64{{1, 2, 3, 4}, {1, 2, 3}}); return err }, want: ErrShape},
		{name: "NaN in a noise image", err: func() error { _, err := NewMemDesign(2, 1, [][]float64{{1, math.NaN()}}); return err }, want: ErrBadValue},
		{name: "no noise image", err: func() error { _, err := NewMemDesign(2, 2, nil); return err }, want: ErrShape},
		{name: "images too large", err: func() error { _, err := NewMemDesign(1<<13, 1<<13, [][]float64{nil}); return err }, want: ErrTooLarge},
		{name: "noise block out of range", err: func() error {
			d, err := NewMemDesign(2, 2, [][]float64{{1, 2, 3, 4}})
			if err != nil {
				return err
			}
			return d.NoiseBlock(context.Background(), 2, 5, make([]float64, 3))
		}, want: ErrShape},
		{name: "noise block destination too short", err: func() error {
			d, err := NewMemDesign(2, 2, [][]float64{{1, 2, 3, 4}, {4, 3, 2, 1}})
			if err != nil {
				return err
			}
			return d.NoiseBlock(context.Background(), 0, 2, make([]float64, 3))
		}, want: ErrShape},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); !errors.Is(err, tc.want) {
				t.Errorf("%v, want %v", err, tc.want)
			}
		})
	}
}

func TestReplyWeights(t *testing.T) {
	w, err := ReplyWeights([]int8{1, -1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1.0 / 3, -1.0 / 3, 0, 1.0 / 3}
	for i := range want {
		if w[i] != want[i] {
			t.Errorf("weights %v, want %v", w, want)
			break
		}
	}
}
