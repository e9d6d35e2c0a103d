package repository

// SignInLink ties an account to a person at a library's identity provider:
// the provider's subject identifier stays the same when the person's e-mail
// address changes, so a later sign-in finds the same account.
type SignInLink struct {
	// Library is the library whose provider vouches for the person.
	Library string `json:"library"`
	// Provider is the kind of provider: "oidc" or "saml".
	Provider string `json:"provider"`
	// Subject is the provider's identifier of the person (an OpenID
	// Connect sub, a SAML eduPersonPrincipalName or NameID).
	Subject string `json:"subject"`
}
