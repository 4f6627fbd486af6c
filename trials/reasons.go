package trials

import "github.com/psyx-lab/psyx/model"

// What can be wrong with a list of answers; values in order beside each.
// Trial numbers are 1-based, as the participant's page counts them.
const (
	NotAnArray      model.Reason = "answers-not-array"     //
	TooManyAnswers  model.Reason = "answers-too-many"      // the most allowed
	BadShape        model.Reason = "answer-shape"          // trial
	BadKey          model.Reason = "answer-key"            // trial
	RTNotANumber    model.Reason = "answer-rt-not-number"  // trial
	RTTooLong       model.Reason = "answer-rt-too-long"    // trial, most characters
	RTOutOfRange    model.Reason = "answer-rt-range"       // trial, most seconds
	FilesNotStrings model.Reason = "answer-files-not-text" // trial
	NotAPair        model.Reason = "answer-not-a-pair"     // trial
	PairTwice       model.Reason = "answer-pair-twice"     // trial
	WrongCount      model.Reason = "answers-count"         // answers, pairs
	NotAsServed     model.Reason = "answer-not-as-served"  // trial
	MoreThanServed  model.Reason = "answers-more-than-run" // answers, trials served
)

// Limits on an answer's response time: the page times out at 3 s, and a
// number may not overflow PostgreSQL's numeric or bloat every download.
const (
	MaxRT      = 60 // seconds
	MaxRTChars = 20
)
