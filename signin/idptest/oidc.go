package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"maps"
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
	// ClaimsInUserInfoOnly leaves the e-mail address, name and groups out
	// of the ID token, in the userinfo answer only, as LemonLDAP::NG does
	// by default.
	ClaimsInUserInfoOnly bool
}

// OIDC is a running LemonLDAP::NG OpenID Connect provider.
type OIDC struct {
	// Issuer is the provider's issuer URL; discovery is at
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// Client is the relying party registered at start.
	Client Client
	// Others are the relying parties registered besides it (WithClient).
	Others []Client
	// Key is what the provider signs ID tokens with.
	Key SigningKey
	// Users can sign in at the portal's form with Name and Password; their
	// ID tokens carry Principal as preferred_username, Mail as email and
	// DisplayName as name, and, when the scope groups is asked for, Groups
	// as groups.
	Users []User
}

// SigningKey is an OpenID Connect provider's ID token signing key and the
// key id (kid) its tokens name it by.
type SigningKey struct {
	ID  string
	Key *rsa.PrivateKey
}

// OIDCOption changes how StartOIDC sets the provider up.
type OIDCOption func(*OIDC)

// WithClient registers another relying party besides the first, so that a
// test can have tokens issued to someone else.
func WithClient(c Client) OIDCOption { return func(o *OIDC) { o.Others = append(o.Others, c) } }

// WithSigningKey has the provider sign with k (another provider's, say)
// instead of a key made for the run, as providers of one vendor sharing
// their keys do.
func WithSigningKey(k SigningKey) OIDCOption { return func(o *OIDC) { o.Key = k } }

// oidcUsers are the accounts of LemonLDAP::NG's Demo backend (the password
// is the name) with the groups it puts them in.
func oidcUsers() []User {
	return []User{
		{Name: "dwho", Password: "dwho", Principal: "dwho", Mail: "dwho@badwolf.org", DisplayName: "Doctor Who",
			Groups: []string{"timelords", "users"}},
		{Name: "rtyler", Password: "rtyler", Principal: "rtyler", Mail: "rtyler@badwolf.org", DisplayName: "Rose Tyler",
			Groups: []string{"earthlings", "users"}},
	}
}

// StartOIDC starts LemonLDAP::NG (Debian lemonldap-ng and
// lemonldap-ng-fastcgi-server, behind nginx) as an OpenID Connect provider
// whose one relying party is c, with the Demo users, the authorization code
// flow (PKCE allowed, or required with c.RequirePKCE) and an ID token signing
// key made for the run; opts add relying parties or set the key.
func StartOIDC(tb testing.TB, c Client, opts ...OIDCOption) *OIDC {
	tb.Helper()
	need(tb, "nginx", "nginx")
	need(tb, "llng-fastcgi-server", "lemonldap-ng-fastcgi-server")
	need(tb, llngPSGI, "lemonldap-ng")
	addr := freeAddr(tb)
	o := &OIDC{Issuer: "http://" + addr, Client: c, Users: oidcUsers()}
	for _, opt := range opts {
		opt(o)
	}
	for _, c := range append([]Client{c}, o.Others...) {
		if c.ID == "" || c.Secret == "" || c.RedirectURL == "" {
			tb.Fatal("start oidc: a client needs an id, a secret and a redirect url")
		}
	}
	if o.Key.Key == nil {
		o.Key = newSigningKey(tb)
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
	conf["oidcServicePrivateKeySig"] = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(o.Key.Key)}))
	conf["oidcServicePublicKeySig"] = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&o.Key.Key.PublicKey))}))
	conf["oidcServiceKeyIdSig"] = o.Key.ID
	// Each client is a copy of the relying party rp of the configuration.
	for _, part := range []string{"oidcRPMetaDataOptions", "oidcRPMetaDataExportedVars", "oidcRPMetaDataOptionsExtraClaims"} {
		m := conf[part].(map[string]any)
		for i := range o.Others {
			m["rp"+strconv.Itoa(i+2)] = maps.Clone(m["rp"].(map[string]any))
		}
	}
	for i, c := range append([]Client{o.Client}, o.Others...) {
		name := "rp"
		if i > 0 {
			name += strconv.Itoa(i + 1)
		}
		rp := conf["oidcRPMetaDataOptions"].(map[string]any)[name].(map[string]any)
		rp["oidcRPMetaDataOptionsClientID"] = c.ID
		rp["oidcRPMetaDataOptionsClientSecret"] = c.Secret
		rp["oidcRPMetaDataOptionsRedirectUris"] = c.RedirectURL
		if c.RequirePKCE {
			rp["oidcRPMetaDataOptionsRequirePKCE"] = 1
		}
		if c.ClaimsInUserInfoOnly {
			rp["oidcRPMetaDataOptionsIDTokenForceClaims"] = 0
		}
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

// newSigningKey makes a provider's RSA signing key and its key id.
func newSigningKey(tb testing.TB) SigningKey {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return SigningKey{ID: secret(tb, 8), Key: key}
}
