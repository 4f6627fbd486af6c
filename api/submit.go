package api

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/runs"
)

// submit stores a whole reply, only then answering 200: with a run's token
// it finishes the run in the same transaction. A retry with the same token
// and reply answers 200 again and stores nothing new.
func (h *Handler) submit(c *gin.Context) {
	in, err := h.parseSubmit(c)
	if err == nil {
		_, err = h.Participants.Submit(c.Request.Context(), in)
	}
	if e := (*model.Error)(nil); errors.As(err, &e) && e.Reason != model.TokenUsed && e.Reason != model.UnknownRun {
		err = model.Fail(submitFailed).With(e)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Sent only now: the row is committed (or was, by an earlier try with this token).
	text(c, "Reply Submitted.")
}

// parseSubmit reads a submit body: the person, the pack, the answers (as
// sent; the rules judge them against the pack) and the token.
func (h *Handler) parseSubmit(c *gin.Context) (runs.SubmitInput, error) {
	var in runs.SubmitInput
	o, err := readJSONBody(c)
	if err != nil {
		return in, err
	}
	if in.Person, err = h.Rules.participant(o); err != nil {
		return in, err
	}
	id, raw, ok := o.integer("p_id")
	if !ok || id < 1 {
		return in, model.Fail(model.PackNotFound, model.Echo(raw))
	}
	in.PackID = id
	answers, present := o["answers"]
	if !present {
		return in, model.Fail(answersMissing)
	}
	in.Answers = answers
	in.Token, err = optionalToken(o)
	return in, err
}
