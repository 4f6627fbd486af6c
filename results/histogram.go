package results

import "math"

// Histogram bins: HistBins bins of HistBinMS milliseconds from 0; the last
// bin is open and also holds every slower answer.
const (
	HistBins  = 30
	HistBinMS = 100
)

// RTHistogram pools the answered trials' response times of all replies:
// bin b counts 0.1·b s ≤ rt < 0.1·(b+1) s, bin 29 every rt ≥ 2.9 s. Times
// are binned in whole milliseconds (they are stored to the millisecond), so
// 0.3 s lands in bin 3 despite 0.3/0.1 < 3 in floating point.
func RTHistogram(replies [][]Trial) []int {
	h := make([]int, HistBins)
	for _, trials := range replies {
		for _, t := range trials {
			if t.Response == 0 {
				continue
			}
			ms := max(0, math.Round(t.RT*1000))
			h[min(HistBins-1, int(min(ms, 1e9))/HistBinMS)]++
		}
	}
	return h
}
