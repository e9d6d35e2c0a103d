<?php
// SimpleSAMLphp configuration for the test IdP. Everything that changes from
// run to run (the folder, the address) comes from the environment set by
// idptest.StartSAML; SPs are registered by dropping their metadata XML in
// $dir/sp/.
$dir = getenv('IDPTEST_DIR');
$sources = [['type' => 'flatfile', 'directory' => __DIR__ . '/../metadata/']];
foreach (glob($dir . '/sp/*.xml') as $file) {
    $sources[] = ['type' => 'xml', 'file' => $file];
}
$config = [
    'baseurlpath' => getenv('IDPTEST_URL'),
    'certdir' => $dir . '/',
    'datadir' => $dir . '/',
    'tempdir' => $dir . '/tmp',
    'metadatadir' => __DIR__ . '/../metadata/',
    'metadata.sources' => $sources,
    'technicalcontact_name' => 'idptest',
    'technicalcontact_email' => 'idptest@example.org',
    'secretsalt' => getenv('IDPTEST_SALT'),
    'auth.adminpassword' => getenv('IDPTEST_SALT'),
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'timezone' => 'UTC',
    'logging.level' => SimpleSAML\Logger::NOTICE,
    'logging.handler' => 'stderr',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => $dir . '/sessions',
    'session.cookie.secure' => false,
    'language.available' => ['en', 'th'],
    'language.default' => 'en',
    // The IdP's own logout (SingleLogoutService.php?ReturnTo=…) returns
    // only to the loopback addresses tests serve from.
    'trusted.url.domains' => ['127\\.0\\.0\\.1:[0-9]+'],
    'trusted.url.regex' => true,
];
