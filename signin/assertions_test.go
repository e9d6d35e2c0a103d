package signin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/thaiarchives/archive/fault"
)

// samlDoc is the response the IdP had the browser post, to alter.
func samlDoc(t *testing.T, fields url.Values) (doc *etree.Document, response, assertion *etree.Element) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(fields.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	doc = etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	response = doc.Root()
	if assertion = child(response, "Assertion"); assertion == nil || child(assertion, "Signature") == nil || child(response, "Signature") == nil {
		t.Fatal("the IdP's response is not a signed response holding a signed assertion")
	}
	return doc, response, assertion
}

// post puts doc back into the fields the browser posts.
func post(t *testing.T, fields url.Values, doc *etree.Document) {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	fields.Set("SAMLResponse", base64.StdEncoding.EncodeToString(b))
}

// child is el's first child element named tag, in any namespace.
func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// unsign removes el's own signature.
func unsign(el *etree.Element) {
	if s := child(el, "Signature"); s != nil {
		el.RemoveChild(s)
	}
}

// sign replaces el, in its place, by el signed with key (its certificate in
// the signature), the signature after the Issuer as the schema has it.
func sign(t *testing.T, el *etree.Element, key *rsa.PrivateKey, cert *x509.Certificate) *etree.Element {
	t.Helper()
	cp := el.Copy() // with the namespaces it uses from its ancestors
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if (a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns") && cp.SelectAttr(a.FullKey()) == nil {
				cp.CreateAttr(a.FullKey(), a.Value)
			}
		}
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(cp)
	if err != nil {
		t.Fatal(err)
	}
	sig, ok := signed.RemoveChildAt(len(signed.Child) - 1).(*etree.Element) // appended last
	if !ok || sig.Tag != "Signature" {
		t.Fatal("the signed element does not end with its signature")
	}
	signed.InsertChildAt(child(signed, "Issuer").Index()+1, sig)
	parent, at := el.Parent(), el.Index()
	parent.RemoveChild(el)
	parent.InsertChildAt(at, signed)
	return signed
}

// impostor makes assertion a say it is mallory: every attribute value
// naming who is changed, and the assertion given an ID of its own.
func impostor(t *testing.T, a *etree.Element, who string) {
	t.Helper()
	changed := 0
	for _, v := range a.FindElements(".//AttributeValue") {
		if strings.Contains(v.Text(), who) {
			v.SetText(strings.Replace(v.Text(), who, "mallory", 1))
			changed++
		}
	}
	if changed == 0 {
		t.Fatalf("the assertion names %s nowhere", who)
	}
	a.CreateAttr("ID", "_impostor"+random())
}

func otherKey(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "not the idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// TestSAMLRefusesAnswersWithoutAnAssertionTheIdPSignedMakingNoAccount: the
// archive requires the assertion itself to be signed by the IdP's key
// named in its metadata. Each answer below is the IdP's real answer,
// altered as an attacker (or, for the first, an IdP that signs only the
// response) would, and is refused saying why; no account is made.
func TestSAMLRefusesAnswersWithoutAnAssertionTheIdPSignedMakingNoAccount(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.idp.Users[1]
	user, _, _ := strings.Cut(who.Principal, "@")
	c := browser(t)
	forger, forgerCert := otherKey(t)
	idpKey, idpCert := f.idp.Key, f.idp.Certificate
	for _, tc := range []struct {
		name  string
		alter func(t *testing.T, response, assertion *etree.Element)
		why   string
	}{
		{"the response signed by the IdP, its assertion not", func(t *testing.T, r, a *etree.Element) {
			unsign(a)
			unsign(r)
			sign(t, r, idpKey, idpCert)
		}, "the saml assertion is not signed"},
		{"neither the response nor the assertion signed", func(t *testing.T, r, a *etree.Element) {
			unsign(a)
			unsign(r)
		}, "the saml assertion is not signed"},
		{"the assertion signed by another key", func(t *testing.T, r, a *etree.Element) {
			impostor(t, a, user)
			unsign(a)
			unsign(r)
			sign(t, a, forger, forgerCert)
		}, "the saml response does not verify: cannot validate signature on Assertion"},
		{"the assertion signed by another key in a response the IdP signed", func(t *testing.T, r, a *etree.Element) {
			unsign(a)
			sign(t, a, forger, forgerCert)
			unsign(r)
			sign(t, r, idpKey, idpCert)
		}, "the saml response does not verify: cannot validate signature on Assertion"},
		{"the signature of the IdP's assertion on an impostor wrapping it", func(t *testing.T, r, a *etree.Element) {
			unsign(r)
			evil := a.Copy()
			impostor(t, evil, user)
			object := child(evil, "Signature").CreateElement("ds:Object")
			object.AddChild(a.Copy())
			r.InsertChildAt(a.Index(), evil)
			r.RemoveChild(a)
		}, "the saml response does not verify: cannot validate signature on Assertion"},
		{"an unsigned impostor beside the IdP's signed assertion", func(t *testing.T, r, a *etree.Element) {
			unsign(r)
			evil := a.Copy()
			unsign(evil)
			impostor(t, evil, user)
			r.InsertChildAt(a.Index(), evil)
		}, "the saml assertion is not signed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, state, err := f.svc.Begin(ctx, "psu", "")
			if err != nil {
				t.Fatal(err)
			}
			fields := f.samlAnswer(t, c, start, who)
			doc, response, assertion := samlDoc(t, fields)
			tc.alter(t, response, assertion)
			post(t, fields, doc)
			_, _, err = f.svc.ACS(ctx, f.acsRequest(fields), state)
			refusedWith(t, err, fault.Unauthenticated, tc.why)
		})
	}
	if n := users(t, f); n != 0 {
		t.Fatalf("%d accounts after refused answers, want none", n)
	}
	// The IdP's answer, taken apart and put together as above but not
	// altered, is taken: the refusals are the alterations'.
	start, state, _ := f.svc.Begin(ctx, "psu", "")
	fields := f.samlAnswer(t, c, start, who)
	doc, _, assertion := samlDoc(t, fields)
	unsign(assertion)
	sign(t, assertion, idpKey, idpCert)
	post(t, fields, doc)
	// The response's own signature covered the old assertion's signature
	// value; without it, the assertion's signature stands alone.
	unsign(doc.Root())
	post(t, fields, doc)
	u, _, err := f.svc.ACS(ctx, f.acsRequest(fields), state)
	if err != nil {
		t.Fatalf("the answer re-signed with the IdP's key was refused: %v", err)
	}
	if u.Email != who.Mail {
		t.Errorf("signed in as %s, want %s", u.Email, who.Mail)
	}
}
