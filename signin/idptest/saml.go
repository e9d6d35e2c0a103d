package idptest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// simpleSAMLphpWWW is the web root of Debian's simplesamlphp package.
const simpleSAMLphpWWW = "/usr/share/simplesamlphp/www"

// The eduPerson and inetOrgPerson attributes the SAML IdP sends, by the OID
// names of the SAML2 interoperability profile.
const (
	AttrPrincipalName     = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6" // eduPersonPrincipalName
	AttrScopedAffiliation = "urn:oid:1.3.6.1.4.1.5923.1.1.1.9" // eduPersonScopedAffiliation
	AttrMail              = "urn:oid:0.9.2342.19200300.100.1.3"
	AttrDisplayName       = "urn:oid:2.16.840.1.113730.3.1.241"
	AttrIsMemberOf        = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1" // isMemberOf, the groups
)

// User is a test person who can sign in at a provider's login page.
type User struct {
	Name, Password string
	// Principal is the eduPersonPrincipalName (SAML) or the subject (OIDC).
	Principal    string
	Mail         string
	DisplayName  string
	Affiliations []string // eduPersonScopedAffiliation, SAML only
	// Groups are the groups claim (OpenID Connect, with the scope groups)
	// or isMemberOf (SAML).
	Groups []string
}

// samlUsers are the people of the SAML IdP: a lecturer and a student of a
// university library, one with a Thai display name.
func samlUsers() []User {
	return []User{
		{Name: "somchai", Password: "somchai-pw", Principal: "somchai@cmu.example.ac.th",
			Mail: "somchai@cmu.example.ac.th", DisplayName: "สมชาย ใจดี",
			Affiliations: []string{"faculty@cmu.example.ac.th", "member@cmu.example.ac.th"},
			Groups:       []string{"urn:mace:cmu.example.ac.th:groups:archive-staff"}},
		{Name: "alice", Password: "alice-pw", Principal: "alice@psu.example.ac.th",
			Mail: "alice@psu.example.ac.th", DisplayName: "Alice Student",
			Affiliations: []string{"student@psu.example.ac.th"},
			Groups:       []string{"urn:mace:psu.example.ac.th:groups:history-students"}},
	}
}

// SAML is a running SimpleSAMLphp SAML 2.0 identity provider.
type SAML struct {
	// URL is the IdP's base URL; MetadataURL serves its signed-assertion
	// capable metadata, whose entity ID is EntityID.
	URL, MetadataURL, EntityID string
	// Certificate is the certificate the IdP signs with, made for the run,
	// and Key its private key, for tests that forge what only the IdP
	// could sign.
	Certificate *x509.Certificate
	Key         *rsa.PrivateKey
	// Users can sign in with their Name and Password.
	Users []User

	dir string
	mu  sync.Mutex
	sps int
}

// StartSAML starts SimpleSAMLphp (Debian simplesamlphp, served by php -S of
// php-cli) as a SAML 2.0 IdP with the exampleauth:UserPass source holding
// Users, signing responses and assertions with a key made for the run.
func StartSAML(tb testing.TB) *SAML {
	tb.Helper()
	need(tb, "php", "php-cli")
	need(tb, simpleSAMLphpWWW, "simplesamlphp")
	dir := tb.TempDir()
	copyConfig(tb, "simplesamlphp", dir)
	for _, d := range []string{"sp", "tmp", "sessions"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			tb.Fatal(err)
		}
	}
	addr := freeAddr(tb)
	s := &SAML{URL: "http://" + addr + "/", Users: samlUsers(), dir: dir}
	s.MetadataURL = s.URL + "saml2/idp/metadata.php"
	s.EntityID = s.MetadataURL
	keyPEM, certPEM, key, cert := keyPair(tb, "idptest SimpleSAMLphp")
	s.Certificate, s.Key = cert, key
	writeFile(tb, filepath.Join(dir, "idp.key"), keyPEM)
	writeFile(tb, filepath.Join(dir, "idp.crt"), certPEM)

	people := map[string]map[string][]string{}
	for _, u := range s.Users {
		people[u.Name+":"+u.Password] = map[string][]string{
			"uid":                        {u.Name},
			"eduPersonPrincipalName":     {u.Principal},
			"mail":                       {u.Mail},
			"displayName":                {u.DisplayName},
			"eduPersonScopedAffiliation": u.Affiliations,
			"isMemberOf":                 u.Groups,
		}
	}
	b, err := json.Marshal(people)
	if err != nil {
		tb.Fatal(err)
	}
	writeFile(tb, filepath.Join(dir, "users.json"), b)

	php := run(tb, dir, "php", []string{
		"SIMPLESAMLPHP_CONFIG_DIR=" + filepath.Join(dir, "config"),
		"IDPTEST_DIR=" + dir,
		"IDPTEST_URL=" + s.URL,
		"IDPTEST_SALT=" + secret(tb, 16),
	}, "php", "-S", addr, "-t", simpleSAMLphpWWW)
	waitOK(tb, s.MetadataURL, php)
	return s
}

// RegisterSP makes the service provider described by metadata (a SAML
// EntityDescriptor with an SPSSODescriptor) known to the IdP, from its next
// request on.
func (s *SAML) RegisterSP(tb testing.TB, metadata []byte) {
	tb.Helper()
	var ed struct {
		XMLName  xml.Name  `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
		EntityID string    `xml:"entityID,attr"`
		SP       *struct{} `xml:"urn:oasis:names:tc:SAML:2.0:metadata SPSSODescriptor"`
	}
	if err := xml.Unmarshal(metadata, &ed); err != nil || ed.EntityID == "" || ed.SP == nil {
		tb.Fatalf("register sp: not a SAML entity descriptor of a service provider (%v)", err)
	}
	s.mu.Lock()
	s.sps++
	name := "sp" + strconv.Itoa(s.sps) + ".xml"
	s.mu.Unlock()
	writeFile(tb, filepath.Join(s.dir, "sp", name), metadata)
}

func writeFile(tb testing.TB, name string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(name, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
