package bolt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexWritesCheckTheirErrors reads the package's own source: a bbolt
// Put or Delete whose error is dropped leaves an index pointing at a record's
// old state when it fails, so every one must be checked (the transaction then
// rolls back).
func TestIndexWritesCheckTheirErrors(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var call ast.Expr
			switch s := n.(type) {
			case *ast.ExprStmt:
				call = s.X
			case *ast.AssignStmt:
				if id, ok := s.Lhs[len(s.Lhs)-1].(*ast.Ident); ok && id.Name == "_" && len(s.Rhs) == 1 {
					call = s.Rhs[0]
				}
			default:
				return true
			}
			c, ok := call.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Delete" || sel.Sel.Name == "Put" || sel.Sel.Name == "DeleteBucket") {
				t.Errorf("%s: the error of %s is dropped", fset.Position(c.Pos()), sel.Sel.Name)
			}
			checked++
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no statements were read: the test reads nothing")
	}
}
