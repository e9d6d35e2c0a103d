package bolt

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/storage/local"
)

// TestInstitutionSignInRolesSurviveARebuild: the roles a library's
// administrator sets for university sign-in are part of the institution's
// versioned record, so a database filled again from storage has them.
func TestInstitutionSignInRolesSurviveARebuild(t *testing.T) {
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.Institution("cmu")
	if err != nil {
		t.Fatal(err)
	}
	in.SignInRoles = "staff=archivist,*=reader"
	if err := s.SaveInstitution(ctx, in); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, filepath.Join(t.TempDir(), "b.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Institution("cmu")
	if err != nil || got.SignInRoles != in.SignInRoles || got.Version != in.Version {
		t.Fatalf("after a rebuild: %+v %v, want %q at version %d", got, err, in.SignInRoles, in.Version)
	}
}
