package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/model"
)

// Every condition any layer can report has its one wording, and no wording
// is left without a condition: read from the source, so a new Reason
// without a sentence fails here rather than as a 500 in use.
func TestEveryReasonIsWorded(t *testing.T) {
	declared := map[string]bool{}
	for _, dir := range []string{"../model", "../trials", "../runs", "../packs", "../store", "../results", "../analysis", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					if isReasonType(vs.Type) {
						for _, v := range vs.Values {
							if lit, ok := v.(*ast.BasicLit); ok {
								declared[strings.Trim(lit.Value, `"`)] = true
							}
						}
					}
				}
			}
		}
	}
	if len(declared) < 40 {
		t.Fatalf("found only %d reasons: the scan is broken", len(declared))
	}
	for r := range declared {
		if _, ok := wordings[model.Reason(r)]; !ok {
			t.Errorf("reason %q has no wording in messages.go", r)
		}
	}
	for r := range wordings {
		if !declared[string(r)] {
			t.Errorf("wording for %q, which nothing declares", r)
		}
	}
}

func isReasonType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "Reason"
	case *ast.SelectorExpr:
		return x.Sel.Name == "Reason"
	}
	return false
}

// A detail reads after its condition; private values reach the person but
// not the log.
func TestWords(t *testing.T) {
	tests := []struct {
		name          string
		err           *model.Error
		text, logText string
	}{
		{"plain", model.Fail(model.PackNotFound, 7), "Pack 7 Not Found", "Pack 7 Not Found"},
		{"detail", model.Fail(submitFailed).With(model.Fail(model.NotForThisPack)),
			"Invalid Input. Failed To Submit Your Reply: the pack is not for this sex and age",
			"Invalid Input. Failed To Submit Your Reply: the pack is not for this sex and age"},
		{"private", &model.Error{Reason: invalidName, Values: []any{"홍"}, Private: true}, "Invalid Name: 홍", "Invalid Name"},
		{"private detail", model.Fail(submitFailed).With(&model.Error{Reason: invalidPhone, Values: []any{"010"}, Private: true}),
			"Invalid Input. Failed To Submit Your Reply: Invalid Phone Number: 010", "Invalid Input. Failed To Submit Your Reply: Invalid Phone Number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, text, logText, ok := words(tc.err)
			if !ok || text != tc.text || logText != tc.logText {
				t.Fatalf("%q / %q, want %q / %q", text, logText, tc.text, tc.logText)
			}
		})
	}
}
