package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
	"github.com/thaiarchives/archive/storage/local"
)

func TestSignInSettingsComeFromTheConfigFileWithTheSecretFromTheEnvironment(t *testing.T) {
	cf := filepath.Join(t.TempDir(), "archive.conf")
	conf := "ARCHIVE_BASE_URL=https://archive.example.org\n" +
		"ARCHIVE_OIDC_CMU_ISSUER=https://login.cmu.example/realms/cmu\nARCHIVE_OIDC_CMU_CLIENT_ID=archive\n" +
		"ARCHIVE_OIDC_CMU_SCOPES=profile email groups\nARCHIVE_SIGNIN_CMU_ROLES=staff=archivist,faculty=reader\n" +
		"ARCHIVE_SAML_TU_IDP_METADATA=https://idp.tu.example/metadata\n"
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ARCHIVE_CONFIG", cf)
	c := common{}
	if _, err := c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_OIDC_CMU_ISSUER, _CLIENT_ID and _CLIENT_SECRET") {
		t.Errorf("without the client secret: %v, want the settings named", err)
	}
	t.Setenv("ARCHIVE_OIDC_CMU_CLIENT_SECRET", "s3cret")
	cfg, err := c.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SignIn) != 2 {
		t.Fatalf("sign-in of %d libraries, want cmu and tu: %+v", len(cfg.SignIn), cfg.SignIn)
	}
	cmu, tu := cfg.SignIn[0], cfg.SignIn[1]
	if cmu.ID != "cmu" || cmu.OIDC == nil || cmu.OIDC.ClientSecret != "s3cret" || cmu.OIDC.Issuer != "https://login.cmu.example/realms/cmu" ||
		strings.Join(cmu.OIDC.Scopes, " ") != "profile email groups" || cmu.Roles.For([]string{"staff@cmu.example"}) != "archivist" {
		t.Errorf("cmu: %+v %+v", cmu, cmu.OIDC)
	}
	if tu.ID != "tu" || tu.SAML == nil || tu.SAML.IdPMetadata != "https://idp.tu.example/metadata" || tu.OIDC != nil {
		t.Errorf("tu: %+v", tu)
	}
	t.Setenv("ARCHIVE_SIGNIN_CMU_ROLES", "staff=system-admin")
	if _, err := c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_SIGNIN_CMU_ROLES") {
		t.Errorf("a provider making system administrators: %v, want ARCHIVE_SIGNIN_CMU_ROLES refused", err)
	}
	t.Setenv("ARCHIVE_SIGNIN_CMU_ROLES", "")
	t.Setenv("ARCHIVE_BASE_URL", "")
	if _, err := c.resolve(); err == nil || !strings.Contains(err.Error(), "needs ARCHIVE_BASE_URL") {
		t.Errorf("without a base URL: %v", err)
	}
}

func TestSAMLServiceProviderKeyIsMadeOnceAndKeptInTheDataFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(dir, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := &Config{Data: dir, BaseURL: "https://archive.example.org/", SignIn: []signin.Library{{ID: "tu", SAML: &signin.SAMLSettings{IdPMetadata: "https://idp.tu.example/metadata"}}}}
	metadata := func() string {
		t.Helper()
		svc, err := newSignIn(cfg, store)
		if err != nil {
			t.Fatal(err)
		}
		md, err := svc.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		return string(md)
	}
	cert := func(md string) string {
		if m := regexp.MustCompile(`<X509Certificate[^>]*>([^<]+)<`).FindStringSubmatch(md); m != nil {
			return m[1]
		}
		return ""
	}
	first := metadata()
	if !strings.Contains(first, `entityID="https://archive.example.org/saml/metadata"`) || !strings.Contains(first, `Location="https://archive.example.org/saml/acs"`) {
		t.Errorf("metadata does not name the service provider at the base URL: %.600s", first)
	}
	if _, err := os.Stat(filepath.Join(dir, "saml-sp.pem")); err != nil {
		t.Fatalf("the key is not kept in the data folder: %v", err)
	}
	if c := cert(first); len(c) < 100 || cert(metadata()) != c {
		t.Error("a second start made another key: the IdPs would no longer know the archive")
	}
	cfg.SignIn[0].ID = "nosuch"
	if _, err := newSignIn(cfg, store); err == nil || !strings.Contains(err.Error(), "library nosuch, which the archive does not have") {
		t.Errorf("a library the archive does not have: %v", err)
	}
}
