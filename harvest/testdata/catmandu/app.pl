#!/usr/bin/perl
# An OAI-PMH provider for the harvest tests: Dancer with LibreCat's
# Catmandu OAI plugin over the records of records.yml.
use FindBin;
use lib "$FindBin::Bin/lib";
use Dancer;
use Catmandu;
use Dancer::Plugin::Catmandu::OAI;

Catmandu->load($FindBin::Bin);

oai_provider '/oai',
    deleted       => sub { $_[0]->{deleted} },
    set_specs_for => sub { $_[0]->{setSpec} // [] };

dance;
