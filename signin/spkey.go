package signin

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// SPKey is the SAML service provider's signing and decryption key and its
// self-signed certificate, which the IdPs know from the metadata.
type SPKey struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// spKeyFile is the key's file in the data folder: the key, then the
// certificate, PEM-encoded.
const spKeyFile = "saml-sp.pem"

// LoadSPKey reads the service provider's key from the data folder dir,
// making it (valid for 20 years) the first time, so that the IdPs that
// registered the metadata keep trusting it.
func LoadSPKey(dir, entityID string) (*SPKey, error) {
	name := filepath.Join(dir, spKeyFile)
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		if b, err = newSPKey(entityID); err != nil {
			return nil, err
		}
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return nil, fmt.Errorf("the saml service provider key cannot be kept in the data folder: %w", errors.Unwrap(err))
		}
	} else if err != nil {
		return nil, fmt.Errorf("the saml service provider key cannot be read from the data folder: %w", errors.Unwrap(err))
	}
	k := &SPKey{}
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k.Key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "CERTIFICATE":
			k.Cert, err = x509.ParseCertificate(blk.Bytes)
		}
		if err != nil {
			return nil, fmt.Errorf("the saml service provider key in the data folder is damaged: %w", err)
		}
	}
	if k.Key == nil || k.Cert == nil {
		return nil, errors.New("the saml service provider key in the data folder lacks its key or its certificate")
	}
	return k, nil
}

func newSPKey(entityID string) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: entityID},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(20, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...), nil
}
