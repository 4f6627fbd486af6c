package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/trials"
)

// Conditions only the API sees: its input checks. Values beside each.
const (
	badJSON        model.Reason = "bad-json"        // what is wrong with the body
	bodyTooLarge   model.Reason = "body-too-large"  // limit in bytes
	bodyUnreadable model.Reason = "body-unreadable" //
	badToken       model.Reason = "bad-token"       //
	badClient      model.Reason = "bad-client"      // what is wrong with it
	badEvents      model.Reason = "bad-events"      // what is wrong with them
	answersMissing model.Reason = "answers-missing" //
	invalidInput   model.Reason = "invalid-input"   // (a detail follows)
	submitFailed   model.Reason = "submit-failed"   // (a detail follows)
	invalidName    model.Reason = "invalid-name"    // value
	invalidEmail   model.Reason = "invalid-email"   // value
	invalidSex     model.Reason = "invalid-sex"     // value
	invalidAge     model.Reason = "invalid-age"     // value
	invalidNo      model.Reason = "invalid-no"      // value
	invalidPhone   model.Reason = "invalid-phone"   // value
	crossSite      model.Reason = "cross-site"      //
	unknownFormat  model.Reason = "unknown-format"  // value, the formats allowed
	unknownInclude model.Reason = "unknown-include" // value
	unknownScaling model.Reason = "unknown-scaling" // value
	badConstant    model.Reason = "bad-constant"    // value
)

// wording is how a condition reads: its status and its sentence (fmt verbs
// for the error's values, in order). Private conditions echo what a person
// typed; the log gets logText instead.
type wording struct {
	status  int
	text    string
	logText string
}

// wordings are every sentence the service says to a person about what they
// did: one per condition. A test checks that every Reason has one.
var wordings = map[model.Reason]wording{
	model.PackNotFound:      {400, "Pack %v Not Found", ""},
	model.NoSuitablePack:    {400, "No Suitable Pack for You", ""},
	model.PackExisted:       {400, "Pack Existed", ""},
	model.PackOverlapped:    {400, "Pack Condition Overlapped", ""},
	model.NothingUploaded:   {400, "Nothing Uploaded", ""},
	model.InvalidPackName:   {400, "Invalid Pack Name", ""},
	model.InvalidAgeBound:   {400, "Invalid Age Bound", ""},
	model.InvalidPackSex:    {400, "Invalid Sex", ""},
	model.InvalidSize:       {400, "Invalid Folder Size", ""},
	model.InvalidImage:      {400, "Invalid Image: %s", ""},
	model.MixedPrefixes:     {400, "Inconsistent Pack: files of more than one prefix (%s, %s)", ""},
	model.MixedSizes:        {400, "Inconsistent Pack: %s is %d×%d, %s is %d×%d", ""},
	model.UploadTooLarge:    {400, "Upload Too Large: the limit is %d MB", ""},
	model.UploadBroken:      {400, "Invalid Upload: the form data is broken or was cut off", ""},
	model.UnknownRun:        {400, "Unknown Run", ""},
	model.UnknownResume:     {400, "Unknown Resume Code", ""},
	model.UnknownCompletion: {400, "Unknown Completion Code", ""},
	model.RunNotFinished:    {400, "Run Not Finished", ""},
	model.TokenUsed:         {400, "Token Already Used", ""},
	model.ProgressConflict:  {400, "Progress Conflict", ""},
	model.AnswersDiffer:     {400, "the answers differ from those saved during the run", ""},
	model.NotForThisPack:    {400, "the pack is not for this sex and age", ""},
	model.UnknownReply:      {400, "Unknown Reply %v", ""},
	model.NoReplies:         {400, "No Replies for Pack %d", ""},
	model.NoAnswers:         {400, "No Answers in Reply %d", ""},
	model.TooFewReplies:     {400, "Too Few Replies", ""},
	model.DifferentStimuli:  {400, "Packs Use Different Stimuli", ""},
	model.ImageTooLarge:     {400, "Image Too Large: %s (%d×%d)", ""},
	model.UnreadableImage:   {400, "Unreadable Image: %s: %s", ""},
	model.NoParameters:      {400, "Pack %d Has No Parameters", ""},

	packs.InvalidField:     {400, "Invalid %s: %s", ""},
	packs.WantRange:        {400, "must be from %d to %d", ""},
	packs.WantRangeAt:      {400, "must be from %d to %d at nscales %d", ""},
	packs.WantPairs:        {400, "must be %d, the server's pairs_per_pack", ""},
	packs.WantTiled:        {400, "must be from %d to %d and a multiple of %d at nscales %d", ""},
	packs.WantOneOf:        {400, "must be %s or %s", ""},
	packs.WantPositive:     {400, "must be a number above 0", ""},
	packs.WantWhole:        {400, "must be a whole number", ""},
	packs.BaseSideUnusable: {400, "that is the base's side; send an img_size from %d to %d, a multiple of %d, to resize it", ""},
	packs.BaseNotSquare:    {400, "Base Image Not Square: %s is %d×%d", ""},
	packs.BaseFlat: {400, "Base Image Flat: every pixel of %s is the same grey, so there is no contrast to stretch " +
		"(send maximize_contrast=0 to use it as it is)", ""},

	trials.NotAnArray:      {400, "answers is not an array", ""},
	trials.TooManyAnswers:  {400, "answers has more entries than the pack's %d pairs", ""},
	trials.BadShape:        {400, "answer %d: not [key, rt, left, right]", ""},
	trials.BadKey:          {400, `answer %d: key is not "F", "J" or " "`, ""},
	trials.RTNotANumber:    {400, "answer %d: rt is not a number", ""},
	trials.RTTooLong:       {400, "answer %d: rt is not a plain number of at most %d characters", ""},
	trials.RTOutOfRange:    {400, "answer %d: rt is not a number of seconds in [0, %d]", ""},
	trials.FilesNotStrings: {400, "answer %d: file names are not strings", ""},
	trials.NotAPair:        {400, "answer %d: the two files are not a pair of this pack", ""},
	trials.PairTwice:       {400, "answer %d: pair answered twice", ""},
	trials.WrongCount:      {400, "answers has %d entries, the pack has %d pairs", ""},
	trials.NotAsServed:     {400, "answer %[1]d: not the pair shown at trial %[1]d, or not on the sides it was shown", ""},
	trials.MoreThanServed:  {400, "answers has %d entries, the run served %d trials", ""},

	badJSON:        {400, "Invalid Input: %s", ""},
	bodyTooLarge:   {400, "Invalid Input: body larger than %d bytes", ""},
	bodyUnreadable: {400, "Invalid Input: the body could not be read", ""},
	badToken:       {400, "token must be 8 to 64 letters, digits or -", ""},
	badClient:      {400, "%s", ""},
	badEvents:      {400, "%s", ""},
	answersMissing: {400, "answers missing", ""},
	invalidInput:   {400, "Invalid Input", ""},
	submitFailed:   {400, "Invalid Input. Failed To Submit Your Reply", ""},
	invalidName:    {400, "Invalid Name: %s", "Invalid Name"},
	invalidEmail:   {400, "Invalid Email Address: %s", "Invalid Email Address"},
	invalidSex:     {400, "Invalid Sex: %s", "Invalid Sex"},
	invalidAge:     {400, "Invalid Age: %s", "Invalid Age"},
	invalidNo:      {400, "Invalid ExperimentNo.: %s", "Invalid ExperimentNo."},
	invalidPhone:   {400, "Invalid Phone Number: %s", "Invalid Phone Number"},
	crossSite:      {403, "Cross-Site Request Refused", ""},
	unknownFormat:  {400, "Unknown Format %s: use %s", ""},
	unknownInclude: {400, "Unknown Include %s: use unfinished", ""},
	unknownScaling: {400, "Unknown Scaling %s: use independent or constant", ""},
	badConstant:    {400, "Invalid Scaling Constant %s: give a number above 0", ""},
}

// words is e as a person reads it (its detail after a colon), with what
// the log may keep of it. ok is false for a condition without a wording: a
// bug, answered as our fault.
func words(e *model.Error) (status int, text, logText string, ok bool) {
	w, ok := wordings[e.Reason]
	if !ok {
		return 0, "", "", false
	}
	text = fmt.Sprintf(w.text, e.Values...)
	logText = text
	if e.Private {
		logText = w.logText
	}
	if e.Detail != nil {
		_, dt, dl, ok := words(e.Detail)
		if !ok {
			return 0, "", "", false
		}
		text, logText = text+": "+dt, logText+": "+dl
	}
	return w.status, text, logText, true
}

// serverErrorBody is all a client learns about our own faults.
const serverErrorBody = "< SERVER ERROR > Please try again later or tell the researcher."

// fail is the one place that turns an error into a response: the client
// gets the condition's sentence (or serverErrorBody), the request log the
// sentence without personal data (or the whole cause of a 500).
func (h *Handler) fail(c *gin.Context, err error) {
	c.Header("Cache-Control", "no-store")
	var e *model.Error
	if errors.As(err, &e) {
		if status, text, logText, ok := words(e); ok {
			if e.Cause != nil {
				logText += ": " + e.Cause.Error()
			}
			c.Set(logMessageKey, logText)
			c.Data(status, "text/plain; charset=utf-8", []byte(text))
			return
		}
	}
	c.Set(logErrorKey, err)
	c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte(serverErrorBody))
}

// inputErr is "Invalid Input: <detail>".
func inputErr(detail *model.Error) *model.Error { return model.Fail(invalidInput).With(detail) }

// Message is how err reads to a person (the commands print it too): its
// sentence when it is a condition a person caused; ok is false otherwise.
func Message(err error) (text string, ok bool) {
	var e *model.Error
	if !errors.As(err, &e) {
		return "", false
	}
	_, text, _, ok = words(e)
	return text, ok
}
