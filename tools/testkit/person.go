package testkit

import "fmt"

// Person is participant i of a test, as the start and submit bodies carry
// them: distinct student numbers and e-mail addresses, Korean names.
func Person(i, sex, age int) map[string]any {
	return map[string]any{
		"name":  "홍길동",
		"email": fmt.Sprintf("p%d@example.com", i),
		"no":    fmt.Sprintf("2020%04d", i),
		"sex":   sex,
		"age":   age,
		"phone": fmt.Sprintf("010-%04d-%04d", i/10000%10000, i%10000),
	}
}

// Keys is a key plan: the key pressed at trial i (0-based).
type Keys func(i int) string

// Cycle presses F, J and times out in turn.
func Cycle(i int) string { return []string{"F", "J", " "}[i%3] }

// Answers answers pairs in the order given (each [left, right]) with the
// keys of plan and response times from 0.5 s up.
func Answers(pairs [][2]string, plan Keys) []any {
	out := make([]any, len(pairs))
	for i, p := range pairs {
		out[i] = []any{plan(i), 0.5 + float64(i%7)/10, p[0], p[1]}
	}
	return out
}
