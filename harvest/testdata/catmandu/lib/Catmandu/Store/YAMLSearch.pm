package Catmandu::Store::YAMLSearch;

# A read-only Catmandu store over one YAML file, searchable with the few
# CQL queries Dancer::Plugin::Catmandu::OAI asks (cql.allRecords, =, exact,
# >=, <=, joined by "and"). The file is read again at each search, so a
# test changes what the provider serves by rewriting it.

use Catmandu::Sane;
use Moo;
use Catmandu::Store::YAMLSearch::Bag;
use namespace::clean;

with 'Catmandu::Store';

has file => (is => 'ro', required => 1);

1;
