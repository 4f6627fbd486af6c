package runs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// needsTouch tells whether store.TouchRun would write the resumed run:
// when it was last seen touchQuiet ago or longer, or the page names a
// machine the run has not been seen on. A reload storm (the same page,
// seconds apart) is then answered from its one read, without the round
// trip of an UPDATE that changes nothing. It errs towards true: TouchRun's
// own condition decides whenever it is called.
func needsTouch(run *model.Run, now time.Time, client json.RawMessage) bool {
	if run.LastSeen.Before(now.Add(-touchQuiet)) {
		return true
	}
	if len(client) == 0 || string(client) == "{}" {
		return false
	}
	return !knownClient(run.Clients, client)
}

// knownClient tells whether client is one of clients (the run's stored
// array), comparing the decoded objects with their numbers as written:
// equal here is equal to jsonb too, and a number written two ways (1.5,
// 1.50) only costs the write TouchRun then skips itself.
func knownClient(clients, client json.RawMessage) bool {
	var c map[string]any
	if decodeNumbers(client, &c) != nil {
		return false
	}
	var known []map[string]any
	if decodeNumbers(clients, &known) != nil {
		return false
	}
	for _, k := range known {
		if reflect.DeepEqual(k, c) {
			return true
		}
	}
	return false
}

func decodeNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
