package storage_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// TestSurface checks that package storage exports what applications use and
// leaves the helpers only backend writers need to storage/driver.
func TestSurface(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var exported []string
	for _, f := range pkgs["storage"].Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					exported = append(exported, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							exported = append(exported, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								exported = append(exported, n.Name)
							}
						}
					}
				}
			}
		}
	}
	for _, name := range []string{"CheckSize", "EncodePageToken", "DecodePageToken", "ResolveRange", "PageBuilder", "NewPageBuilder", "NewReader", "MemoryBucket", "NewMemoryBucket"} {
		if slices.Contains(exported, name) {
			t.Errorf("storage exports %s, want it in storage/driver or storage/memory", name)
		}
	}
	for _, name := range []string{"Bucket", "Reader", "Attributes", "ValidateKey", "ErrNotExist"} {
		if !slices.Contains(exported, name) {
			t.Errorf("storage does not export %s, want it to", name)
		}
	}
}
