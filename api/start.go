package api

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

type startResponse struct {
	PackID   int             `json:"p_id"`
	PackPath string          `json:"pack_path"`
	PicPairs json.RawMessage `json:"pic_pairs"`
	Token    string          `json:"token"`
	Answered int             `json:"answered"`
	// Answers are the answers saved so far, so that a page resuming on
	// another computer can still submit the whole reply.
	Answers json.RawMessage `json:"answers"`
}

// start matches a participant to their pack and starts their run, or
// resumes the one they left: same order, answers saved so far.
func (h *Handler) start(c *gin.Context) {
	o, err := readJSONBody(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.Rules.participant(o)
	if err != nil {
		h.fail(c, err)
		return
	}
	token, err := optionalToken(o)
	if err != nil {
		h.fail(c, err)
		return
	}
	client, err := parseClient(o["client"])
	if err != nil {
		h.fail(c, model.Errorf(model.Invalid, "Invalid Input: %v", err))
		return
	}
	ctx := c.Request.Context()
	pack, err := h.Packs.MatchPack(ctx, p.Sex, p.Age)
	if err != nil {
		h.fail(c, err)
		return
	}
	served, err := json.Marshal(h.shuffled(pack.Pairs))
	if err != nil {
		h.fail(c, fmt.Errorf("encode served order: %w", err))
		return
	}
	if token == "" {
		token = rand.Text()
	}
	run, _, err := h.Runs.StartRun(ctx, model.NewRun{Token: token, PackID: pack.ID, Person: p, Served: served, Client: client},
		h.Now(), h.RunRules.ResumeWithin)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, startResponse{
		PackID:   pack.ID,
		PackPath: "/packs/" + pack.Name,
		PicPairs: run.Served,
		Token:    run.Token,
		Answered: run.Answered,
		Answers:  run.Answers,
	})
}

// optionalToken reads "token": absent or null is "", else it must be 8 to
// 64 letters, digits or dashes.
func optionalToken(o object) (string, error) {
	raw, present := o["token"]
	if !present || string(raw) == "null" {
		return "", nil
	}
	token, ok := o.str("token")
	if !ok || !tokenRE.MatchString(token) {
		return "", model.Errorf(model.Invalid, "Invalid Input: token must be 8 to 64 letters, digits or -")
	}
	return token, nil
}

// shuffled is every pair once in random order, each pair's sides swapped at
// random: element 0 is shown on the left.
func (h *Handler) shuffled(pairs []model.Pair) []model.Pair {
	out := make([]model.Pair, len(pairs))
	copy(out, pairs)
	h.Rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := range out {
		if h.Rand.IntN(2) == 1 {
			out[i][0], out[i][1] = out[i][1], out[i][0]
		}
	}
	return out
}
