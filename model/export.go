package model

// Export receives what a download reads of a pack, in one snapshot: the
// pack, its replies by r_id, then (when Unfinished is set) its unfinished
// runs by start.
type Export struct {
	Head       func(*PackSummary) error
	Reply      func(*Reply) error
	Unfinished func(*Run) error
}

// ExportJSON receives a JSON download, in one snapshot: the pack, then
// each reply by r_id and (when Unfinished is set) each unfinished run by
// start, as the JSON object the download shows (the store makes it). The
// bytes are valid only during the call.
type ExportJSON struct {
	Head       func(*PackSummary) error
	Reply      func(obj []byte) error
	Unfinished func(obj []byte) error
}
