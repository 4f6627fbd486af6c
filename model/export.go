package model

// Export receives what a download reads of a pack, in one snapshot: the
// pack, its replies by r_id, then (when Unfinished is set) its unfinished
// runs by start.
type Export struct {
	Head       func(*PackSummary) error
	Reply      func(*Reply) error
	Unfinished func(*Run) error
}
