package results

import "github.com/psyx-lab/psyx/trials"

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
func RTHistogram(replies [][]trials.Trial) []int {
	h := make([]int, HistBins)
	for _, ts := range replies {
		for _, t := range ts {
			if t.Response() == 0 {
				continue
			}
			h[min(HistBins-1, int(max(0, min(t.RTms, 1e9))/HistBinMS))]++
		}
	}
	return h
}
