package trials

import "github.com/psyx-lab/psyx/model"

// EachPairOnce checks that the trials answer every one of the pack's pairs
// exactly once.
func (l *List) EachPairOnce(pairs int) error {
	seen := make([]bool, pairs)
	for i, t := range l.Trials {
		if seen[t.Pair()] {
			return model.Fail(PairTwice, i+1)
		}
		seen[t.Pair()] = true
	}
	if len(l.Trials) != pairs {
		return model.Fail(WrongCount, len(l.Trials), pairs)
	}
	return nil
}

// AsServed checks that trial i showed the files of the run's trial i, on
// the same sides, for every trial given.
func (l *List) AsServed(served *model.Served) error {
	if len(l.Trials) > len(served.Order) {
		return model.Fail(MoreThanServed, len(l.Trials), len(served.Order))
	}
	for i, t := range l.Trials {
		if left, right := served.Trial(i); t.Left != left || t.Right != right {
			return model.Fail(NotAsServed, i+1)
		}
	}
	return nil
}

// Agree tells whether got begins with every trial of saved, exactly (key,
// rt to the millisecond, files and sides).
func Agree(saved, got []Trial) bool {
	if len(got) < len(saved) {
		return false
	}
	for i, t := range saved {
		if got[i] != t {
			return false
		}
	}
	return true
}
