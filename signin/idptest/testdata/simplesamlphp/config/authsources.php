<?php
// The test people: exampleauth:UserPass entries read from users.json, which
// idptest.StartSAML writes ("name:password" => attributes).
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => array_merge(
        ['exampleauth:UserPass'],
        json_decode(file_get_contents(getenv('IDPTEST_DIR') . '/users.json'), true)
    ),
];
