package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
)

// signInSettings reads the libraries' university sign-in; the providers
// send people back to the base URL, which it therefore needs.
func signInSettings(st settings, baseURL string) ([]signin.Library, error) {
	libs, err := signin.FromSettings(st)
	if err != nil {
		return nil, err
	}
	if len(libs) > 0 && baseURL == "" {
		return nil, errors.New("sign-in with a university account needs ARCHIVE_BASE_URL, the address the identity providers send people back to")
	}
	return libs, nil
}

// newSignIn builds the university sign-in of cfg's libraries (nil when
// none has one). The SAML service provider's key is made once and kept in
// the data folder.
func newSignIn(cfg *Config, store *bolt.Store) (*signin.Service, error) {
	if len(cfg.SignIn) == 0 {
		return nil, nil
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	var key *signin.SPKey
	for _, l := range cfg.SignIn {
		if _, err := store.Institution(l.ID); errors.Is(err, fault.NotFound) {
			return nil, fmt.Errorf("the sign-in settings name the library %s, which the archive does not have", l.ID)
		} else if err != nil {
			return nil, err
		}
		if l.SAML != nil && key == nil {
			var err error
			if key, err = signin.LoadSPKey(cfg.Data, base+"/saml/metadata"); err != nil {
				return nil, err
			}
		}
	}
	return signin.New(signin.Config{BaseURL: base, Libraries: cfg.SignIn, SPKey: key, Store: store})
}
