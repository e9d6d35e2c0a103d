<?php
// The hosted IdP: signs responses, assertions and logout messages with the
// key made for the run, and sends eduPerson attributes by their OID names,
// as university IdPs of the SAML2 interoperability profile do.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => true,
    // Single logout: the IdP signs its logout messages and takes only
    // signed ones from the SPs, as the SAML profiles (4.4.4) ask.
    'sign.logout' => true,
    'validate.logout' => true,
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'authproc' => [
        100 => [
            'class' => 'core:AttributeMap',
            'eduPersonPrincipalName' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
            'eduPersonScopedAffiliation' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
            'mail' => 'urn:oid:0.9.2342.19200300.100.1.3',
            'displayName' => 'urn:oid:2.16.840.1.113730.3.1.241',
            'isMemberOf' => 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
        ],
    ],
];
