package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// llngPSGI is the portal of Debian's liblemonldap-ng-portal-perl.
const llngPSGI = "/usr/share/lemonldap-ng/portal/htdocs/index.psgi"

// Client is the one relying party an OIDC provider knows.
type Client struct {
	ID, Secret  string
	RedirectURL string
	// RequirePKCE refuses authorization requests without a code challenge.
	// Without it PKCE is allowed but, in LemonLDAP::NG 2.16, a code
	// verifier sent to the token endpoint is not checked.
	RequirePKCE bool
}

// OIDC is a running LemonLDAP::NG OpenID Connect provider.
type OIDC struct {
	// Issuer is the provider's issuer URL; discovery is at
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// Client is the relying party registered at start.
	Client Client
	// Users can sign in at the portal's form with Name and Password; their
	// ID tokens carry Principal as preferred_username, Mail as email and
	// DisplayName as name.
	Users []User
}

// oidcUsers are the accounts of LemonLDAP::NG's Demo backend (the password
// is the name).
func oidcUsers() []User {
	return []User{
		{Name: "dwho", Password: "dwho", Principal: "dwho", Mail: "dwho@badwolf.org", DisplayName: "Doctor Who"},
		{Name: "rtyler", Password: "rtyler", Principal: "rtyler", Mail: "rtyler@badwolf.org", DisplayName: "Rose Tyler"},
	}
}

// StartOIDC starts LemonLDAP::NG (Debian lemonldap-ng and
// lemonldap-ng-fastcgi-server, behind nginx) as an OpenID Connect provider
// whose one relying party is c, with the Demo users, the authorization code
// flow (PKCE allowed, or required with c.RequirePKCE) and an ID token signing
// key made for the run.
func StartOIDC(tb testing.TB, c Client) *OIDC {
	tb.Helper()
	need(tb, "nginx", "nginx")
	need(tb, "llng-fastcgi-server", "lemonldap-ng-fastcgi-server")
	need(tb, llngPSGI, "lemonldap-ng")
	if c.ID == "" || c.Secret == "" || c.RedirectURL == "" {
		tb.Fatal("start oidc: the client needs an id, a secret and a redirect url")
	}
	dir, err := os.MkdirTemp("", "idptest-oidc-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"conf", "sessions", "locks", "psessions", "cache", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			tb.Fatal(err)
		}
	}
	addr := freeAddr(tb)
	o := &OIDC{Issuer: "http://" + addr, Client: c, Users: oidcUsers()}

	writeFile(tb, filepath.Join(dir, "conf", "lmConf-1.json"), llngConfig(tb, dir, o))
	for _, name := range []string{"lemonldap-ng.ini", "nginx.conf"} {
		b, err := configs.ReadFile("testdata/lemonldap-ng/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		s := strings.NewReplacer("IDPTEST_DIR", dir, "IDPTEST_ADDR", addr).Replace(string(b))
		writeFile(tb, filepath.Join(dir, name), []byte(s))
	}

	// llng-fastcgi-server refuses to run as root: as root, the portal and
	// nginx's worker run as nobody, who is given the run's folder.
	llng := []string{"--foreground", "--proc=2",
		"--socket=" + filepath.Join(dir, "llng.sock"), "--pid=" + filepath.Join(dir, "llng.pid")}
	nginx := []string{"-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr"}
	if os.Geteuid() == 0 {
		usr, grp := giveToNobody(tb, dir)
		llng = append(llng, "--user="+usr, "--group="+grp)
		nginx = append(nginx, "-g", "user "+usr+" "+grp+";")
	}
	portal := run(tb, dir, "llng-fastcgi-server", []string{
		"LLNG_DEFAULTCONFFILE=" + filepath.Join(dir, "lemonldap-ng.ini"),
		"LLNG_DEFAULTLOGGER=Lemonldap::NG::Common::Logger::Std",
		"USER=", "GROUP=",
	}, "llng-fastcgi-server", llng...)
	front := run(tb, dir, "nginx", nil, "nginx", nginx...)
	waitOK(tb, o.Issuer+"/.well-known/openid-configuration", portal, front)
	return o
}

// llngConfig is testdata's lmConf-1.json completed for the run: the
// portal's address, the run's folders, a signing key and o's client.
func llngConfig(tb testing.TB, dir string, o *OIDC) []byte {
	tb.Helper()
	var conf map[string]any
	b, err := configs.ReadFile("testdata/lemonldap-ng/lmConf-1.json")
	if err == nil {
		err = json.Unmarshal(b, &conf)
	}
	if err != nil {
		tb.Fatalf("read lemonldap-ng configuration: %v", err)
	}
	storage := func(d string) map[string]any {
		return map[string]any{
			"Directory":      filepath.Join(dir, d),
			"LockDirectory":  filepath.Join(dir, "locks"),
			"generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256",
		}
	}
	priv, pub := oidcKey(tb)
	conf["cfgDate"] = time.Now().Unix()
	conf["portal"] = o.Issuer + "/"
	conf["domain"] = "127.0.0.1"
	conf["key"] = secret(tb, 16)
	conf["globalStorageOptions"] = storage("sessions")
	conf["persistentStorageOptions"] = storage("psessions")
	conf["localSessionStorageOptions"] = map[string]any{
		"cache_root": filepath.Join(dir, "cache"), "namespace": "lemonldap-ng-sessions",
		"cache_depth": 3, "default_expires_in": 600, "directory_umask": "007",
	}
	conf["oidcServiceMetaDataIssuer"] = o.Issuer
	conf["oidcServicePrivateKeySig"] = priv
	conf["oidcServicePublicKeySig"] = pub
	conf["oidcServiceKeyIdSig"] = secret(tb, 8)
	rp := conf["oidcRPMetaDataOptions"].(map[string]any)["rp"].(map[string]any)
	rp["oidcRPMetaDataOptionsClientID"] = o.Client.ID
	rp["oidcRPMetaDataOptionsClientSecret"] = o.Client.Secret
	rp["oidcRPMetaDataOptionsRedirectUris"] = o.Client.RedirectURL
	if o.Client.RequirePKCE {
		rp["oidcRPMetaDataOptionsRequirePKCE"] = 1
	}
	if b, err = json.Marshal(conf); err != nil {
		tb.Fatal(err)
	}
	return b
}

// giveToNobody hands dir and its content to the user nobody and returns
// the user's and its group's names.
func giveToNobody(tb testing.TB, dir string) (usr, grp string) {
	tb.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		tb.Fatalf("running as root needs the user nobody: %v", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		tb.Fatalf("the group of nobody: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u.Username, g.Name
}

// oidcKey makes the provider's RSA signing key, PEM-encoded as
// LemonLDAP::NG reads it (PKCS #1 private, PKIX public).
func oidcKey(tb testing.TB) (priv, pub string) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	priv = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	pub = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&key.PublicKey))}))
	return priv, pub
}
