package api

import (
	"database/sql"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

const submitFailed = "Invalid Input. Failed To Submit Your Reply"

// submit stores a whole reply, only then answering 200: with a run's token
// it finishes the run in the same transaction. A retry with the same token
// and reply answers 200 again and stores nothing new.
func (h *Handler) submit(c *gin.Context) {
	r, list, err := h.parseSubmit(c)
	if err == nil {
		ctx := c.Request.Context()
		_, err = h.Replies.SubmitReply(ctx, r, h.Now(), func(run *model.Run) error {
			served, err := h.Runs.RunServed(ctx, run.Token)
			if err != nil {
				return err
			}
			if err := list.asServed(served); err != nil {
				return model.Errorf(model.Invalid, "%v", err)
			}
			return nil
		})
	}
	var e *model.Error
	if errors.As(err, &e) && e.Code != model.Conflict && e.Code != model.Forbidden {
		err = e.Prefixed(submitFailed)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Sent only now: the row is committed (or was, by an earlier try with this token).
	text(c, "Reply Submitted.")
}

// parseSubmit checks a submit body against the pack it names.
func (h *Handler) parseSubmit(c *gin.Context) (*model.Reply, *answerList, error) {
	o, err := readJSONBody(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := h.Rules.participant(o)
	if err != nil {
		return nil, nil, err
	}
	id, raw, ok := o.integer("p_id")
	if !ok || id < 1 {
		return nil, nil, model.Errorf(model.NotFound, "Unknown Pack %s", model.Echo(raw))
	}
	pack, err := h.Packs.PackFiles(c.Request.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if !pack.Fits(p.Sex, p.Age) {
		return nil, nil, model.Errorf(model.Invalid, "the pack is not for this sex and age")
	}
	answers, present := o["answers"]
	if !present {
		return nil, nil, model.Errorf(model.Invalid, "answers missing")
	}
	list, err := parseAnswers(answers, pack, len(pack.Pairs))
	if err == nil {
		err = list.eachPairOnce(len(pack.Pairs))
	}
	if err != nil {
		return nil, nil, model.Errorf(model.Invalid, "%v", err)
	}
	token, err := optionalToken(o)
	if err != nil {
		return nil, nil, model.Errorf(model.Invalid, "token must be 8 to 64 letters, digits or -")
	}
	r := &model.Reply{PackID: id, Person: p, Answers: list.json, Token: sql.NullString{String: token, Valid: token != ""}}
	return r, list, nil
}
